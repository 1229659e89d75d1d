/**
 * Every setting Confab reads, as one zod schema over the raw strings of
 * the environment (or values of the JSON config file): types, ranges,
 * defaults and the checks that span keys. loadConfig (config.ts) turns the
 * parsed result into the Config the server uses. Keep README's
 * configuration table in step.
 */
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

/** A text setting where an empty value means "not set" (docker-jitsi-meet's .env leaves many keys empty). */
const optionalText = z.string().transform((v) => (v.trim() === '' ? undefined : v));

/** Every key Confab reads. Keep README's configuration table in step. */
export const configSchema = z
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

export type ConfigKey = keyof z.input<typeof configSchema>;
export const CONFIG_KEYS = Object.keys(configSchema.shape) as ConfigKey[];

export type ParsedSettings = z.infer<typeof configSchema>;
