/** `confab doctor` arguments -> DoctorOptions. */
import { parseArgs } from 'node:util';
import { GROUPS, type DoctorOptions, type Group } from './types.js';

/** A usage or input error: exit 2. */
export class UsageError extends Error {}

export const USAGE = `Usage:
  confab doctor <public-url> [--json] [--token <jwt> | --secret-file <file> [--app-id <id>]] [--room <room>] [--tenant <tenant>]
                [--kube [--namespace <ns>]] [--media-port <udp port>] [--media-workers <n>] [--timeout 10s] [--only <groups>] [--loopback]
      Checks, in order, what a participant needs from <public-url> (e.g. https://meet.example.com/jitsi/):
      network (DNS, TCP, TLS), web (page, assets), signaling (WebSocket, long-poll), token,
      media (two bots over UDP, TCP, TURN), health (/readyz, media stalls of the last hour from /metrics),
      and with --kube the cluster (kubectl).
      One line per check: PASS/FAIL/WARN/SKIP, the evidence and the likely fix. Exits 0 only when
      nothing failed or warned, 1 otherwise, 2 on a usage error.
  --token <jwt>          a token to check; the media bots present it too
  --secret-file <file>   mint tokens with this secret (JWT_APP_ID or --app-id, XMPP_DOMAIN from the environment)
  --room <room>          the room the token is for (default: a throw-away room doctor-xxxx)
  --metrics-token <t>    bearer token for <public-url>metrics when the server sets METRICS_TOKEN
                         (default: the METRICS_TOKEN environment variable)
  --only <groups>        comma list of ${GROUPS.join(', ')}
  --media-port <port>    the first media UDP port (MEDIA_UDP_PORT) to look for in the cluster
                         (default: the Confab pods' MEDIA_UDP_PORT, else 10000 or what the server offers)
  --media-workers <n>    media workers (MEDIA_WORKERS): the cluster must expose one UDP (and TCP) port
                         per worker, MEDIA_UDP_PORT+i (default: the Confab pods' MEDIA_WORKERS, else 1)
  --loopback             keep the bots' media on 127.0.0.1 (a server on this machine; tests)`;

function duration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--timeout '${text}' is not a duration: use e.g. 10s or 5000ms`);
  const ms = m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000;
  if (ms < 100) throw new UsageError('--timeout must be at least 100ms');
  return ms;
}

export function parseDoctorArgs(args: string[], env: NodeJS.ProcessEnv): DoctorOptions {
  const { values, positionals } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      token: { type: 'string' },
      'secret-file': { type: 'string' },
      'app-id': { type: 'string' },
      room: { type: 'string' },
      tenant: { type: 'string' },
      kube: { type: 'boolean', default: false },
      namespace: { type: 'string', short: 'n' },
      'media-port': { type: 'string' },
      'media-workers': { type: 'string' },
      timeout: { type: 'string', default: '10s' },
      only: { type: 'string' },
      loopback: { type: 'boolean', default: false },
      'metrics-token': { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('give the public URL, e.g. confab doctor https://meet.example.com/jitsi/');
  let url: URL;
  try {
    url = new URL(positionals[0]!);
  } catch {
    throw new UsageError(`'${positionals[0]}' is not a URL: give the address people open, e.g. https://meet.example.com/jitsi/`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('the public URL must start with https:// or http://');
  // The base path always ends with '/', as PUBLIC_URL's does on the server.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  if (values.token && values['secret-file']) throw new UsageError('give --token or --secret-file, not both');
  if (values.namespace && !values.kube) throw new UsageError('--namespace goes with --kube');
  const mediaUdpPort = values['media-port'] === undefined ? undefined : Number(values['media-port']);
  if (mediaUdpPort !== undefined && (!Number.isInteger(mediaUdpPort) || mediaUdpPort < 1 || mediaUdpPort > 65535)) throw new UsageError(`--media-port '${values['media-port']}' is not a port`);
  const mediaWorkers = values['media-workers'] === undefined ? undefined : Number(values['media-workers']);
  if (mediaWorkers !== undefined && (!Number.isInteger(mediaWorkers) || mediaWorkers < 1 || mediaWorkers > 64)) throw new UsageError(`--media-workers '${values['media-workers']}' is not a worker count (1-64, as MEDIA_WORKERS)`);
  if (mediaUdpPort !== undefined && mediaUdpPort + (mediaWorkers ?? 1) - 1 > 65535) throw new UsageError(`--media-port ${mediaUdpPort} with ${mediaWorkers} media workers passes port 65535`);
  let only: Group[] = values.kube ? [...GROUPS] : GROUPS.filter((g) => g !== 'kube');
  if (values.only !== undefined) {
    const asked = values.only.split(',').map((g) => g.trim()).filter(Boolean);
    const unknown = asked.filter((g) => !(GROUPS as readonly string[]).includes(g));
    if (unknown.length > 0) throw new UsageError(`--only: unknown group ${unknown.join(', ')}; groups: ${GROUPS.join(', ')}`);
    // Media needs the token check's welcome (admission, ICE servers).
    only = GROUPS.filter((g) => asked.includes(g) || (g === 'token' && asked.includes('media')));
  }
  return {
    url,
    json: values.json,
    token: values.token,
    secretFile: values['secret-file'],
    appId: values['app-id'],
    room: values.room,
    tenant: values.tenant,
    kube: values.kube || only.includes('kube'),
    namespace: values.namespace,
    mediaUdpPort,
    mediaWorkers,
    timeoutMs: duration(values.timeout),
    loopback: values.loopback,
    metricsToken: values['metrics-token'] ?? env.METRICS_TOKEN,
    only,
    env,
  };
}
