/**
 * The configuration the server runs with, as loadConfig returns it:
 * validated, converted (seconds to ms, lists, secrets) and frozen.
 */
import type { Secret } from './secret.js';
import type { LogLevel } from './values.js';

/**
 * A field of Config by its dotted path, e.g. `media.udpPort`: what a setting
 * feeds (schema.ts). Nested settings objects have paths for their fields;
 * lists and secrets are fields themselves.
 */
export type ConfigPath = PathsOf<Config>;

type Nested<T> = T extends readonly unknown[] | Secret ? never : T extends object ? T : never;
type PathsOf<T, Prefix extends string = ''> = {
  [K in keyof T & string]: [Nested<NonNullable<T[K]>>] extends [never] ? `${Prefix}${K}` : PathsOf<Nested<NonNullable<T[K]>>, `${Prefix}${K}.`>;
}[keyof T & string];

export interface Config {
  readonly httpPort: number;
  readonly httpHost: string;
  /** Public base URL with a trailing slash, e.g. `https://host/jitsi/`. */
  readonly publicUrl: string;
  /** Path part of publicUrl, always starting and ending with `/`. */
  readonly basePath: string;
  readonly logLevel: LogLevel;
  readonly media: {
    readonly advertiseIps: readonly string[];
    readonly bindAddress: string | undefined;
    readonly portRange: readonly [number, number] | undefined;
    readonly simulatedLossPercent: number;
    /** Whose SRTP encrypts the media: libsrtp (native), werift (js), or native when the addon is built (auto). */
    readonly srtp: 'auto' | 'native' | 'js';
    /** transport-cc negotiated on publish connections, so browsers estimate their uplink (MEDIA_TRANSPORT_CC). */
    readonly transportCc: boolean;
    readonly portMode: 'single' | 'range';
    readonly udpPort: number;
    readonly tcpPort: number | undefined;
    /** Media worker threads (MEDIA_WORKERS; default: the number of cores). */
    readonly workers: number;
    /** Participants of one room on one worker before it spans another (MEDIA_PARTICIPANTS_PER_WORKER). */
    readonly participantsPerWorker: number;
    /** Whose video a participant receives until its page says (CHANNEL_LAST_N; -1: all). */
    readonly channelLastN: number;
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
  /** CSP `frame-ancestors` sources for the pages (ALLOWED_EMBED_ORIGINS): `*`, `'self'`, `'none'` or origins. */
  readonly allowedEmbedOrigins: readonly string[];
  /** METRICS_PORT: /metrics on its own port (and not on the HTTP port); undefined: on the HTTP port. */
  readonly metricsPort: number | undefined;
  /** METRICS_TOKEN: the bearer secret /metrics asks for. */
  readonly metricsToken: Secret | undefined;
  /** Cluster mode (REDIS_URL, CLUSTER_*); undefined: this process hosts every room. */
  readonly cluster: ClusterConfig | undefined;
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

/** Cluster mode (REDIS_URL, CLUSTER_*): several replicas sharing rooms through Redis. */
export interface ClusterConfig {
  /** Prints as [redacted]: it may hold Redis's password. */
  readonly redisUrl: Secret;
  readonly port: number;
  /** The address other replicas reach this one on; undefined: found from the host's interfaces. */
  readonly advertiseHost: string | undefined;
  readonly leaseMs: number;
}
