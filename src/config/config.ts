/**
 * Configuration, loaded in one place: defaults, then an optional JSON file
 * (CONFAB_CONFIG_FILE), then environment variables. Names follow
 * docker-jitsi-meet's `.env` where the concept is the same (HTTP_PORT,
 * PUBLIC_URL, JVB_ADVERTISE_IPS...). Every value is validated; a bad or
 * unknown key fails at start with the key's name. The result is frozen.
 */
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { MIN_SECRET_BYTES, readSecret } from './app-secret.js';
import { ConfigError } from './config-error.js';
import type { Config } from './config-types.js';
import { parseIceServers } from './ice-servers.js';
import { CONFIG_KEYS, configSchema, JITSI_NAMES } from './schema.js';
import { Secret } from './secret.js';

export { MIN_SECRET_BYTES } from './app-secret.js';
export { ConfigError } from './config-error.js';
export type { AuthConfig, ClusterConfig, Config, WebhookConfig } from './config-types.js';
export { CONFIG_KEYS, type ConfigKey } from './schema.js';
export type { ConfigPath } from './config-types.js';

/** Reads the keys Confab knows from an environment, ignoring unrelated variables. */
function fromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of CONFIG_KEYS) {
    const v = env[key];
    if (v !== undefined) out[key] = v;
  }
  for (const [ours, theirs] of Object.entries(JITSI_NAMES)) {
    if (theirs !== undefined && out[ours] === undefined && env[theirs] !== undefined) out[ours] = env[theirs];
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
  const result = configSchema.safeParse({ ...file, ...fromEnv(env) });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new ConfigError(issue.keys.join(', '), `unknown setting in ${env.CONFAB_CONFIG_FILE}; known: ${CONFIG_KEYS.join(', ')}`);
    }
    let key = String(issue.path[0] ?? 'config');
    // Name the variable the operator actually set.
    const alias = JITSI_NAMES[key as keyof typeof JITSI_NAMES];
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
  for (const [key, value] of [['WEBHOOK_SECRET', c.WEBHOOK_SECRET], ['API_TOKEN', c.API_TOKEN], ['METRICS_TOKEN', c.METRICS_TOKEN]] as const) {
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
      srtp: c.MEDIA_SRTP,
      transportCc: c.MEDIA_TRANSPORT_CC,
      portMode: c.MEDIA_PORT_MODE,
      udpPort: c.MEDIA_UDP_PORT,
      tcpPort: c.MEDIA_TCP_PORT === 'off' ? undefined : c.MEDIA_TCP_PORT,
      workers: c.MEDIA_WORKERS ?? availableParallelism(),
      participantsPerWorker: c.MEDIA_PARTICIPANTS_PER_WORKER,
      channelLastN: c.CHANNEL_LAST_N,
    },
    // Checked by configSchema already: a bad value never gets here.
    iceServers: (parseIceServers(c.ICE_SERVERS_JSON) as { servers: Config['iceServers'] }).servers,
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
    allowedEmbedOrigins: c.ALLOWED_EMBED_ORIGINS,
    metricsPort: c.METRICS_PORT,
    metricsToken: c.METRICS_TOKEN ? new Secret(c.METRICS_TOKEN.trim()) : undefined,
    cluster: c.REDIS_URL
      ? { redisUrl: new Secret(c.REDIS_URL.trim()), port: c.CLUSTER_PORT, advertiseHost: c.CLUSTER_ADVERTISE_HOST?.trim(), leaseMs: c.CLUSTER_LEASE_S * 1000 }
      : undefined,
    warnings,
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
