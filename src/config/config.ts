/**
 * Configuration, loaded in one place: defaults, then an optional JSON file
 * (CONFAB_CONFIG_FILE), then environment variables. Names follow
 * docker-jitsi-meet's `.env` where the concept is the same (HTTP_PORT,
 * PUBLIC_URL, JVB_ADVERTISE_IPS...). Every value is validated; a bad or
 * unknown key fails at start with the key's name. The result is frozen.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Secret } from './secret.js';

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

/** A text setting where an empty value means "not set" (docker-jitsi-meet's .env leaves many keys empty). */
const optionalText = z.string().transform((v) => (v.trim() === '' ? undefined : v));

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
    /**
     * Seconds a participant whose connection dropped (no goodbye) stays in its room, media
     * running, waiting for its client to resume the session; 0: it leaves at once.
     */
    RESUME_GRACE_S: z.coerce.number().min(0).max(300).default(10),
    /**
     * On SIGTERM, seconds to let current participants finish before they are told to reconnect.
     * Just under the Deployment's terminationGracePeriodSeconds (3600), so clients hear it before SIGKILL.
     * 0: no drain, SIGTERM ends every call at once.
     */
    DRAIN_TIMEOUT_S: z.coerce.number().min(0).max(86_400).default(3540),
    /** Testing only: drop this % of media packets each way, to exercise NACK/RTX repair. */
    /** single: one UDP (and TCP) port for everyone, like Jitsi's bridge; range: a port per peer connection. */
    MEDIA_PORT_MODE: z.enum(['single', 'range']).default('single'),
    /** The one UDP media port in single mode (JVB_PORT); 0: any free port. */
    MEDIA_UDP_PORT: port.default(10000),
    /** ICE over TCP port in single mode (JVB_TCP_PORT), for networks that block UDP; 'off' disables. */
    MEDIA_TCP_PORT: z.union([z.literal('off'), port]).default(4443),
    /** TURN server handed to browsers (coturn with use-auth-secret), for networks that block direct media. */
    TURN_HOST: z.string().min(1).optional(),
    TURN_PORT: port.default(3478),
    TURN_TRANSPORT: z.enum(['udp', 'tcp', 'tls']).default('udp'),
    /** coturn's static-auth-secret: browsers get short-lived credentials derived from it, never the secret. */
    TURN_CREDENTIALS: z.string().min(1).optional(),
    TURN_CREDENTIALS_TTL_S: z.coerce.number().int().min(60).max(86_400).default(10_800),
    MEDIA_SIMULATE_LOSS_PERCENT: z.coerce.number().min(0).max(50).default(0),
    /** Serve the built web client from this folder (default: dist/web next to the server). */
    WEB_ROOT: z.string().optional(),
    // ---- token authentication (docker-jitsi-meet's names and meaning) ----
    /** With AUTH_TYPE=jwt: every participant needs a valid token. Off: open rooms. */
    ENABLE_AUTH: bool.default(false),
    /** Only `jwt` is supported; checked when ENABLE_AUTH is on. */
    AUTH_TYPE: z.string().trim().toLowerCase().default('jwt'),
    /** The application id: tokens carry it as `iss` (default accepted issuer). */
    JWT_APP_ID: optionalText.optional(),
    /** Shared secret for HS256/HS384/HS512 tokens. Surrounding whitespace is trimmed, with a warning. */
    JWT_APP_SECRET: optionalText.optional(),
    /** File holding JWT_APP_SECRET (e.g. a Docker secret). */
    JWT_APP_SECRET_FILE: optionalText.optional(),
    /** Accepted `iss` values; default: JWT_APP_ID. `*` accepts any. */
    JWT_ACCEPTED_ISSUERS: list.default([]),
    /** Accepted `aud` values; default: jitsi. `*` accepts any. */
    JWT_ACCEPTED_AUDIENCES: list.default([]),
    /** Base URL serving RS256 public keys as `<url>/<hex(sha256(kid))>.pem`. */
    JWT_ASAP_KEYSERVER: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()).optional(),
    /** No token: join as a guest instead of being refused. A token that is present is still verified. */
    JWT_ALLOW_EMPTY: bool.default(false),
    /** Check `sub`: the tenant for /<tenant>/<room>, XMPP_DOMAIN for /<room>. */
    JWT_ENABLE_DOMAIN_VERIFICATION: bool.default(false),
    /** The domain `sub` must name for rooms without a tenant. */
    XMPP_DOMAIN: z.string().trim().toLowerCase().min(1).default('meet.jitsi'),
    /** When nobody in a room moderates, the next to join does (Jitsi's auto-owner). */
    ENABLE_AUTO_OWNER: bool.default(true),
    /** New rooms start with the lobby on: non-moderators wait until a moderator admits them. */
    ENABLE_LOBBY: bool.default(false),
    // ---- attendance webhooks and the REST API ----
    /** URLs that receive attendance events (comma list); empty: no webhooks. */
    WEBHOOK_URL: list
      .refine((urls) => urls.every((u) => z.url({ protocol: /^https?$/ }).safeParse(u).success), { message: 'expected a comma-separated list of http(s) URLs' })
      .default([]),
    /** Signs every webhook request (HMAC-SHA256 of the body); required with WEBHOOK_URL. */
    WEBHOOK_SECRET: optionalText.optional(),
    /** The SQLite outbox that keeps events until delivered, across restarts. */
    WEBHOOK_OUTBOX_PATH: z.string().trim().min(1).default('./data/webhooks.sqlite'),
    WEBHOOK_TIMEOUT_S: z.coerce.number().min(0.1).max(120).default(10),
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    /** First retry delay; doubles per failure up to WEBHOOK_RETRY_MAX_S. */
    WEBHOOK_RETRY_MIN_S: z.coerce.number().min(0.01).max(3600).default(1),
    WEBHOOK_RETRY_MAX_S: z.coerce.number().min(0.01).max(86_400).default(300),
    /** Keep retrying an event this long, then give up on it (kept in the outbox as failed). */
    WEBHOOK_RETRY_FOR_S: z.coerce.number().min(1).max(30 * 86_400).default(86_400),
    /** A static bearer secret for the REST API (besides tokens signed with the app secret). */
    API_TOKEN: optionalText.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.JWT_APP_SECRET !== undefined && c.JWT_APP_SECRET_FILE !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['JWT_APP_SECRET_FILE'], message: 'set JWT_APP_SECRET or JWT_APP_SECRET_FILE, not both' });
    }
    if (c.ENABLE_AUTH) {
      if (c.AUTH_TYPE !== 'jwt') {
        ctx.addIssue({ code: 'custom', path: ['AUTH_TYPE'], message: `Confab supports AUTH_TYPE=jwt only, got '${c.AUTH_TYPE}'` });
      }
      if (c.JWT_APP_ID === undefined) {
        ctx.addIssue({ code: 'custom', path: ['JWT_APP_ID'], message: 'required with ENABLE_AUTH=1: the application id that tokens carry as iss' });
      }
      if (c.JWT_APP_SECRET === undefined && c.JWT_APP_SECRET_FILE === undefined && c.JWT_ASAP_KEYSERVER === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['JWT_APP_SECRET'],
          message: 'required with ENABLE_AUTH=1: set JWT_APP_SECRET or JWT_APP_SECRET_FILE (HS256 tokens), or JWT_ASAP_KEYSERVER (RS256 tokens)',
        });
      }
    }
    if ((c.MEDIA_PORT_MIN === 0) !== (c.MEDIA_PORT_MAX === 0) || c.MEDIA_PORT_MIN > c.MEDIA_PORT_MAX) {
      ctx.addIssue({
        code: 'custom',
        path: ['MEDIA_PORT_MIN'],
        message: `MEDIA_PORT_MIN/MEDIA_PORT_MAX must both be 0 or form a range, got ${c.MEDIA_PORT_MIN}-${c.MEDIA_PORT_MAX}`,
      });
    }
    if (c.WEBHOOK_URL.length > 0 && c.WEBHOOK_SECRET === undefined) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRET'], message: 'required with WEBHOOK_URL: receivers check each request\'s signature with it (e.g. `openssl rand -hex 32`)' });
    }
    if (c.WEBHOOK_RETRY_MIN_S > c.WEBHOOK_RETRY_MAX_S) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_RETRY_MIN_S'], message: `must not exceed WEBHOOK_RETRY_MAX_S (${c.WEBHOOK_RETRY_MAX_S})` });
    }
    if ((c.TURN_HOST === undefined) !== (c.TURN_CREDENTIALS === undefined)) {
      const missing = c.TURN_HOST === undefined ? 'TURN_HOST' : 'TURN_CREDENTIALS';
      ctx.addIssue({ code: 'custom', path: [missing], message: `TURN needs both TURN_HOST and TURN_CREDENTIALS (the shared secret); ${missing} is missing` });
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
    readonly portMode: 'single' | 'range';
    readonly udpPort: number;
    readonly tcpPort: number | undefined;
  };
  readonly iceServers: readonly { urls: string | string[]; username?: string; credential?: string }[];
  readonly turn: { host: string; port: number; transport: 'udp' | 'tcp' | 'tls'; secret: string; ttlS: number } | undefined;
  readonly maxParticipantsPerRoom: number;
  readonly helloTimeoutMs: number;
  readonly pingIntervalMs: number;
  /** RESUME_GRACE_S in ms; 0: no session resume. */
  readonly resumeGraceMs: number;
  /** How long a SIGTERM drain waits for participants to leave (DRAIN_TIMEOUT_S). */
  readonly drainTimeoutMs: number;
  readonly webRoot: string | undefined;
  readonly auth: AuthConfig;
  /** When nobody in a room moderates, the next participant to join does (ENABLE_AUTO_OWNER). */
  readonly autoOwner: boolean;
  /** New rooms start with the lobby on (ENABLE_LOBBY); moderators can turn it off per room. */
  readonly lobbyByDefault: boolean;
  /** Attendance webhooks (WEBHOOK_*); undefined without WEBHOOK_URL. */
  readonly webhooks: WebhookConfig | undefined;
  /** API_TOKEN: a static bearer secret for the REST API. */
  readonly apiToken: Secret | undefined;
  /** Things the operator should fix, logged at start-up (never containing a secret). */
  readonly warnings: readonly string[];
}

/** Token authentication settings (ENABLE_AUTH, AUTH_TYPE=jwt, JWT_*). */
export interface AuthConfig {
  readonly enabled: boolean;
  readonly appId: string | undefined;
  /** Trimmed; prints as [redacted]. */
  readonly appSecret: Secret | undefined;
  /** Which setting the secret came from, for messages. */
  readonly appSecretSource: 'JWT_APP_SECRET' | 'JWT_APP_SECRET_FILE' | undefined;
  readonly acceptedIssuers: readonly string[];
  readonly acceptedAudiences: readonly string[];
  /** Without a trailing slash. */
  readonly asapKeyServer: string | undefined;
  readonly allowEmpty: boolean;
  readonly domainVerification: boolean;
  readonly xmppDomain: string;
}

/** Attendance webhooks (WEBHOOK_*). */
export interface WebhookConfig {
  readonly urls: readonly string[];
  /** Trimmed; prints as [redacted]. */
  readonly secret: Secret;
  readonly outboxPath: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly retryForMs: number;
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
  for (const [ours, theirs] of Object.entries(JITSI_ALIASES)) {
    if (out[ours] === undefined && env[theirs] !== undefined) out[ours] = env[theirs];
  }
  return out;
}

/** docker-jitsi-meet's names for the same settings, read when ours are not set. */
const JITSI_ALIASES: Record<string, string> = {
  MEDIA_ADVERTISE_IPS: 'JVB_ADVERTISE_IPS',
  MEDIA_UDP_PORT: 'JVB_PORT',
  MEDIA_TCP_PORT: 'JVB_TCP_PORT',
};

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
    const alias = JITSI_ALIASES[key];
    if (alias && env[key] === undefined && env[alias] !== undefined) key = alias;
    throw new ConfigError(key, issue.message);
  }
  const c = result.data;
  const warnings: string[] = [];
  const secret = readSecret(c.JWT_APP_SECRET, c.JWT_APP_SECRET_FILE, warnings);
  const jwtKeysSet = c.JWT_APP_ID !== undefined || secret !== undefined || c.JWT_ASAP_KEYSERVER !== undefined;
  if (!c.ENABLE_AUTH && jwtKeysSet) {
    warnings.push('JWT_* settings are set but ENABLE_AUTH is off: rooms are open to anyone with the link (the settings are used only by `confab token` and to check REST API tokens)');
  }
  if (c.ENABLE_AUTH && c.JWT_ALLOW_EMPTY) {
    warnings.push('JWT_ALLOW_EMPTY=1: people without a token join as guests (a token that is present is still verified)');
  }
  for (const [key, value] of [['WEBHOOK_SECRET', c.WEBHOOK_SECRET], ['API_TOKEN', c.API_TOKEN]] as const) {
    if (value !== undefined && Buffer.byteLength(value.trim()) < MIN_SECRET_BYTES) {
      warnings.push(`${key}: the secret is ${Buffer.byteLength(value.trim())} bytes; use at least ${MIN_SECRET_BYTES} random bytes (e.g. \`openssl rand -hex 32\`)`);
    }
  }
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
      portMode: c.MEDIA_PORT_MODE,
      udpPort: c.MEDIA_UDP_PORT,
      tcpPort: c.MEDIA_TCP_PORT === 'off' ? undefined : c.MEDIA_TCP_PORT,
    },
    iceServers: JSON.parse(c.ICE_SERVERS_JSON) as Config['iceServers'],
    turn:
      c.TURN_HOST && c.TURN_CREDENTIALS
        ? { host: c.TURN_HOST, port: c.TURN_PORT, transport: c.TURN_TRANSPORT, secret: c.TURN_CREDENTIALS.trim(), ttlS: c.TURN_CREDENTIALS_TTL_S }
        : undefined,
    maxParticipantsPerRoom: c.MAX_PARTICIPANTS_PER_ROOM,
    helloTimeoutMs: c.HELLO_TIMEOUT_S * 1000,
    pingIntervalMs: c.PING_INTERVAL_S * 1000,
    resumeGraceMs: c.RESUME_GRACE_S * 1000,
    drainTimeoutMs: c.DRAIN_TIMEOUT_S * 1000,
    webRoot: c.WEB_ROOT,
    auth: {
      enabled: c.ENABLE_AUTH,
      appId: c.JWT_APP_ID?.trim(),
      appSecret: secret?.secret,
      appSecretSource: secret?.source,
      acceptedIssuers: c.JWT_ACCEPTED_ISSUERS.length > 0 ? c.JWT_ACCEPTED_ISSUERS : c.JWT_APP_ID ? [c.JWT_APP_ID.trim()] : [],
      acceptedAudiences: c.JWT_ACCEPTED_AUDIENCES.length > 0 ? c.JWT_ACCEPTED_AUDIENCES : ['jitsi'],
      asapKeyServer: c.JWT_ASAP_KEYSERVER?.replace(/\/+$/, ''),
      allowEmpty: c.JWT_ALLOW_EMPTY,
      domainVerification: c.JWT_ENABLE_DOMAIN_VERIFICATION,
      xmppDomain: c.XMPP_DOMAIN,
    },
    autoOwner: c.ENABLE_AUTO_OWNER,
    lobbyByDefault: c.ENABLE_LOBBY,
    webhooks:
      c.WEBHOOK_URL.length > 0 && c.WEBHOOK_SECRET
        ? {
            urls: c.WEBHOOK_URL,
            secret: new Secret(c.WEBHOOK_SECRET.trim()),
            outboxPath: c.WEBHOOK_OUTBOX_PATH,
            timeoutMs: c.WEBHOOK_TIMEOUT_S * 1000,
            concurrency: c.WEBHOOK_CONCURRENCY,
            retryMinMs: c.WEBHOOK_RETRY_MIN_S * 1000,
            retryMaxMs: c.WEBHOOK_RETRY_MAX_S * 1000,
            retryForMs: c.WEBHOOK_RETRY_FOR_S * 1000,
          }
        : undefined,
    apiToken: c.API_TOKEN ? new Secret(c.API_TOKEN.trim()) : undefined,
    warnings,
  };
  return deepFreeze(config);
}

/** Minimum secret length before a warning: HS256's key size, and out of reach of offline guessing. */
export const MIN_SECRET_BYTES = 32;

/**
 * The app secret from JWT_APP_SECRET or JWT_APP_SECRET_FILE, trimmed. A
 * trailing newline (`echo secret > file`) is the classic cause of every token
 * failing its signature check, so trimming is announced, never silent.
 */
function readSecret(
  value: string | undefined,
  file: string | undefined,
  warnings: string[],
): { secret: Secret; source: 'JWT_APP_SECRET' | 'JWT_APP_SECRET_FILE' } | undefined {
  let raw: string;
  let source: 'JWT_APP_SECRET' | 'JWT_APP_SECRET_FILE';
  if (file !== undefined) {
    source = 'JWT_APP_SECRET_FILE';
    try {
      raw = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(source, `cannot read the secret file '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else if (value !== undefined) {
    source = 'JWT_APP_SECRET';
    raw = value;
  } else {
    return undefined;
  }
  const trimmed = raw.trim();
  if (trimmed === '') throw new ConfigError(source, file !== undefined ? `the secret file '${file}' is empty` : 'the secret is empty');
  if (trimmed !== raw) {
    warnings.push(`${source}: the secret had ${describeWhitespace(raw, trimmed)}; it was trimmed, so tokens must be signed with the secret without it`);
  }
  const secret = new Secret(trimmed);
  if (secret.byteLength < MIN_SECRET_BYTES) {
    warnings.push(
      `${source}: the secret is ${secret.byteLength} bytes; use at least ${MIN_SECRET_BYTES} random bytes (e.g. \`openssl rand -hex 32\`), short secrets can be guessed from any token`,
    );
  }
  return { secret, source };
}

/** E.g. "a trailing newline" or "2 leading and 1 trailing whitespace characters", without the secret itself. */
function describeWhitespace(raw: string, trimmed: string): string {
  const lead = raw.indexOf(trimmed);
  const trail = raw.length - lead - trimmed.length;
  const tail = raw.slice(raw.length - trail);
  if (lead === 0 && (tail === '\n' || tail === '\r\n')) return 'a trailing newline';
  const parts = [lead > 0 ? `${lead} leading` : '', trail > 0 ? `${trail} trailing` : ''].filter((p) => p !== '');
  return `${parts.join(' and ')} whitespace character${lead + trail === 1 ? '' : 's'}${/[\r\n]/.test(tail) ? ' (including a newline)' : ''}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
