/**
 * Opens a link WebSocket to another node's CLUSTER_PORT, authenticated with
 * the cluster's link token (link-auth.ts). Fails fast: a node that does not
 * answer within 2 s is treated as unreachable, and the caller decides
 * whether to wait for its lease to lapse or try another node.
 */
import { WebSocket } from 'ws';
import type { LinkAuth } from './link-auth.js';
import { RELAY_PATH } from './relay-protocol.js';

const HANDSHAKE_MS = 2000;

export function dialer(auth: LinkAuth): (url: string) => Promise<WebSocket> {
  return (url) =>
    new Promise((resolve, reject) => {
      const header = auth.header();
      if (!header) return reject(new Error('no link secret yet (redis not reached since start)'));
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${RELAY_PATH}`, { headers: { authorization: header }, handshakeTimeout: HANDSHAKE_MS });
      ws.once('open', () => {
        ws.removeAllListeners('error');
        ws.on('error', () => undefined);
        resolve(ws);
      });
      ws.once('unexpected-response', (_req, res) => {
        reject(new Error(`${url} answered ${res.statusCode} to a link`));
        ws.terminate();
      });
      ws.once('error', (error) => reject(error));
    });
}
