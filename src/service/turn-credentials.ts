/**
 * TURN for browsers whose networks block direct media: short-lived
 * credentials from a secret shared with the TURN server (coturn's
 * `use-auth-secret`), the "TURN REST API" scheme: username
 * `<expiry unix time>:<participant id>`, password base64(HMAC-SHA1(secret,
 * username)). Nothing long-lived reaches the browser.
 */
import { createHmac } from 'node:crypto';

export interface TurnSettings {
  readonly host: string;
  readonly port: number;
  /** udp, tcp, or tls (turns:). */
  readonly transport: 'udp' | 'tcp' | 'tls';
  readonly secret: string;
  /** How long handed-out credentials work. */
  readonly ttlS: number;
}

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export function turnIceServer(settings: TurnSettings, userId: string, nowMs = Date.now()): IceServer {
  const expiry = Math.floor(nowMs / 1000) + settings.ttlS;
  const username = `${expiry}:${userId}`;
  const credential = createHmac('sha1', settings.secret).update(username).digest('base64');
  const host = settings.host.includes(':') && !settings.host.startsWith('[') ? `[${settings.host}]` : settings.host;
  const url =
    settings.transport === 'tls'
      ? `turns:${host}:${settings.port}?transport=tcp`
      : `turn:${host}:${settings.port}?transport=${settings.transport}`;
  return { urls: url, username, credential };
}
