/**
 * Configuration, loaded in one place: defaults, then an optional JSON file
 * (CONFAB_CONFIG_FILE), then environment variables. Names follow
 * docker-jitsi-meet's `.env` where the concept is the same (HTTP_PORT,
 * PUBLIC_URL, JVB_ADVERTISE_IPS...). Every value is validated; a bad or
 * unknown key fails at start with the key's name. The result is frozen.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const bool = z
  .union([z.boolean(), z.string()])
  .transform((v, ctx) => {
    if (typeof v === 'boolean') return v;
    const s = v.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
    ctx.addIssue({ code: 'custom', message: `expected 1/0/true/false, got '${v}'` });
    return z.NEVER;
  });
// Digits only: z.coerce would read a blank value as port 0 (any free port) and accept '1e3' or '0x1f'.
const port = z
  .union([z.number(), z.string().trim().regex(/^\d+$/, 'expected a port number 0-65535')])
  .transform(Number)
  .pipe(z.number().int().min(0).max(65535));
const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''));
const ipList = list.refine((ips) => ips.every((ip) => z.ipv4().safeParse(ip).success || z.ipv6().safeParse(ip).success), {
  message: 'expected a comma-separated list of IP addresses',
});

/** Every key Confab reads. Keep README's configuration table in step. */
const schema = z
  .object({
    HTTP_PORT: port.default(8000),
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Addresses put into ICE candidates (like JVB_ADVERTISE_IPS). Empty: the host's own interfaces. */
    MEDIA_ADVERTISE_IPS: ipList.default([]),
    /** Local address media sockets bind to. Empty: all interfaces. */
    MEDIA_BIND_ADDRESS: z.union([z.ipv4(), z.literal('')]).default(''),
    /** UDP port range for media sockets; 0/0 means any free port. */
    MEDIA_PORT_MIN: port.default(0),
    MEDIA_PORT_MAX: port.default(0),
    /** ICE servers handed to browsers as JSON (RTCIceServer[]). */
    ICE_SERVERS_JSON: z.string().default('[]'),
    MAX_PARTICIPANTS_PER_ROOM: z.coerce.number().int().min(1).max(1000).default(100),
    /** Seconds a client has to say hello before the connection is closed. */
    HELLO_TIMEOUT_S: z.coerce.number().min(1).max(120).default(10),
    /** Seconds between WebSocket pings; a peer silent for two of them is dropped. */
    PING_INTERVAL_S: z.coerce.number().min(1).max(60).default(5),
    /** Testing only: drop this % of media packets each way, to exercise NACK/RTX repair. */
    MEDIA_SIMULATE_LOSS_PERCENT: z.coerce.number().min(0).max(50).default(0),
    /** Serve the built web client from this folder (default: dist/web next to the server). */
    WEB_ROOT: z.string().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.MEDIA_PORT_MIN === 0) !== (c.MEDIA_PORT_MAX === 0) || c.MEDIA_PORT_MIN > c.MEDIA_PORT_MAX) {
      ctx.addIssue({
        code: 'custom',
        path: ['MEDIA_PORT_MIN'],
        message: `MEDIA_PORT_MIN/MEDIA_PORT_MAX must both be 0 or form a range, got ${c.MEDIA_PORT_MIN}-${c.MEDIA_PORT_MAX}`,
      });
    }
    try {
      const parsed: unknown = JSON.parse(c.ICE_SERVERS_JSON);
      if (!Array.isArray(parsed)) throw new Error('not an array');
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['ICE_SERVERS_JSON'], message: `expected a JSON array of RTCIceServer: ${(e as Error).message}` });
    }
  });

export type ConfigKey = keyof z.input<typeof schema>;
export const CONFIG_KEYS = Object.keys(schema.shape) as ConfigKey[];

export interface Config {
  readonly httpPort: number;
  readonly httpHost: string;
  /** Public base URL with a trailing slash, e.g. `https://host/jitsi/`. */
  readonly publicUrl: string;
  /** Path part of publicUrl, always starting and ending with `/`. */
  readonly basePath: string;
  readonly logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  readonly media: {
    readonly advertiseIps: readonly string[];
    readonly bindAddress: string | undefined;
    readonly portRange: readonly [number, number] | undefined;
    readonly simulatedLossPercent: number;
  };
  readonly iceServers: readonly { urls: string | string[]; username?: string; credential?: string }[];
  readonly maxParticipantsPerRoom: number;
  readonly helloTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly webRoot: string | undefined;
}

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`config ${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Reads the keys Confab knows from an environment, ignoring unrelated variables. */
function fromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of CONFIG_KEYS) {
    const v = env[key];
    if (v !== undefined) out[key] = v;
  }
  // docker-jitsi-meet's name for the same thing.
  if (out.MEDIA_ADVERTISE_IPS === undefined && env.JVB_ADVERTISE_IPS !== undefined) {
    out.MEDIA_ADVERTISE_IPS = env.JVB_ADVERTISE_IPS;
  }
  return out;
}

function fromFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('CONFAB_CONFIG_FILE', `cannot read '${path}': ${(e as Error).message}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('top level must be an object');
    return value as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError('CONFAB_CONFIG_FILE', `'${path}' is not a JSON object of settings: ${(e as Error).message}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = env.CONFAB_CONFIG_FILE ? fromFile(env.CONFAB_CONFIG_FILE) : {};
  const result = schema.safeParse({ ...file, ...fromEnv(env) });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new ConfigError(issue.keys.join(', '), `unknown setting in ${env.CONFAB_CONFIG_FILE}; known: ${CONFIG_KEYS.join(', ')}`);
    }
    let key = String(issue.path[0] ?? 'config');
    // Name the variable the operator actually set.
    if (key === 'MEDIA_ADVERTISE_IPS' && env.MEDIA_ADVERTISE_IPS === undefined && env.JVB_ADVERTISE_IPS !== undefined) {
      key = 'JVB_ADVERTISE_IPS';
    }
    throw new ConfigError(key, issue.message);
  }
  const c = result.data;
  const publicUrl = new URL(c.PUBLIC_URL ?? `http://localhost:${c.HTTP_PORT}/`);
  if (!publicUrl.pathname.endsWith('/')) publicUrl.pathname += '/';
  const config: Config = {
    httpPort: c.HTTP_PORT,
    httpHost: c.HTTP_HOST,
    publicUrl: publicUrl.toString(),
    basePath: publicUrl.pathname,
    logLevel: c.LOG_LEVEL,
    media: {
      advertiseIps: c.MEDIA_ADVERTISE_IPS,
      bindAddress: c.MEDIA_BIND_ADDRESS || undefined,
      portRange: c.MEDIA_PORT_MIN === 0 ? undefined : [c.MEDIA_PORT_MIN, c.MEDIA_PORT_MAX],
      simulatedLossPercent: c.MEDIA_SIMULATE_LOSS_PERCENT,
    },
    iceServers: JSON.parse(c.ICE_SERVERS_JSON) as Config['iceServers'],
    maxParticipantsPerRoom: c.MAX_PARTICIPANTS_PER_ROOM,
    helloTimeoutMs: c.HELLO_TIMEOUT_S * 1000,
    pingIntervalMs: c.PING_INTERVAL_S * 1000,
    webRoot: c.WEB_ROOT,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
