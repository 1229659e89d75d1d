/**
 * Every setting Confab reads, declared once: its environment name, the zod
 * schema of its value (type, range, default), what it does (the docs'
 * configuration table is generated from this: `npm run docs:config`), the
 * Config field it feeds, and docker-jitsi-meet's name for it where that
 * differs. loadConfig (config.ts) validates the environment with
 * `configSchema` and builds the Config from the result.
 *
 * To add a setting: declare it here, add its field to Config
 * (config-types.ts) and one line to loadConfig, then `npm run docs:config`.
 * `npm run test:unit` fails until the docs, the declared `feeds` and the
 * Config fields agree.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { ConfigPath } from './config-types.js';
import { parseIceServers } from './ice-servers.js';
import { bool, embedOrigins, ipList, list, LOG_LEVELS, optionalText, port, urlList } from './values.js';

/** The docs' configuration tables, one per group. */
export type SettingGroup = 'server' | 'media' | 'auth' | 'webhooks' | 'cluster';

export interface Setting<S extends z.ZodType = z.ZodType> {
  readonly group: SettingGroup;
  readonly schema: S;
  /** What it does, for the operator: one line of the docs table. */
  readonly doc: string;
  /** The Config field(s) its value ends up in (config.ts); none for a setting that is only checked. */
  readonly feeds: ConfigPath | readonly ConfigPath[];
  /** The default as the docs show it (markdown), when the schema's own default does not say it (e.g. derived from another key). */
  readonly shownDefault?: string;
  /** docker-jitsi-meet's name for the same setting, read when ours is not set. */
  readonly jitsiName?: string;
}

const setting = <S extends z.ZodType>(declaration: Setting<S>): Setting<S> => declaration;

// The order is the order of CONFIG_KEYS and of the "unknown setting" message (config.test.ts pins it).
export const SETTINGS = {
  HTTP_PORT: setting({ group: 'server', schema: port.default(8000), feeds: 'httpPort', doc: 'HTTP and WebSocket port (0: any free port)' }),
  HTTP_HOST: setting({ group: 'server', schema: z.string().min(1).default('0.0.0.0'), feeds: 'httpHost', doc: 'address to listen on' }),
  PUBLIC_URL: setting({
    group: 'server',
    schema: z.url({ protocol: /^https?$/ }).optional(),
    feeds: ['publicUrl', 'basePath'],
    shownDefault: '`http://localhost:<HTTP_PORT>/`',
    doc: 'the URL people open; its path (e.g. `/jitsi/`) is the base path everything is served under',
  }),
  LOG_LEVEL: setting({
    group: 'server',
    schema: z.enum(LOG_LEVELS).default('info'),
    feeds: 'logLevel',
    doc: '`fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`',
  }),
  MEDIA_ADVERTISE_IPS: setting({
    group: 'media',
    schema: ipList.default([]),
    feeds: 'media.advertiseIps',
    jitsiName: 'JVB_ADVERTISE_IPS',
    shownDefault: "the host's interfaces",
    doc: 'comma-separated addresses put into ICE candidates, the ones browsers reach (behind NAT or in a container); with a value, only these',
  }),
  MEDIA_BIND_ADDRESS: setting({
    group: 'media',
    schema: z.union([z.ipv4(), z.literal('')]).default(''),
    feeds: 'media.bindAddress',
    shownDefault: 'all interfaces',
    doc: 'local IPv4 address media sockets bind to',
  }),
  MEDIA_PORT_MIN: setting({ group: 'media', schema: port.default(0), feeds: 'media.portRange', shownDefault: '`0` (any)', doc: 'in `range` mode, the lowest UDP port for media sockets (with `MEDIA_PORT_MAX`; both 0: any free port)' }),
  MEDIA_PORT_MAX: setting({ group: 'media', schema: port.default(0), feeds: 'media.portRange', shownDefault: '`0` (any)', doc: 'in `range` mode, the highest UDP port for media sockets' }),
  ICE_SERVERS_JSON: setting({ group: 'media', schema: z.string().default('[]'), feeds: 'iceServers', doc: 'more STUN/TURN servers handed to browsers, as a JSON `RTCIceServer[]` (`urls` a `stun:`/`turn:` URL or a list of them; `turn:` needs `username` and `credential`); checked at start against the schema the page uses' }),
  MAX_PARTICIPANTS_PER_ROOM: setting({
    group: 'server',
    schema: z.coerce.number().int().min(1).max(1000).default(100),
    feeds: 'maxParticipantsPerRoom',
    doc: 'further joins get `room_full`',
  }),
  HELLO_TIMEOUT_S: setting({
    group: 'server',
    schema: z.coerce.number().min(1).max(120).default(10),
    feeds: 'helloTimeoutMs',
    doc: 'a connection that does not say hello in time is closed (`hello_timeout`)',
  }),
  PING_INTERVAL_S: setting({
    group: 'server',
    schema: z.coerce.number().min(1).max(60).default(5),
    feeds: 'pingIntervalMs',
    doc: 'WebSocket ping interval; a peer silent for two intervals (or a long-poll client that stops polling as long) is dropped',
  }),
  RESUME_GRACE_S: setting({
    group: 'server',
    schema: z.coerce.number().min(0).max(300).default(10),
    feeds: 'resumeGraceMs',
    doc: 'how long a participant whose connection dropped without a goodbye stays in its room (media running, shown as reconnecting) for its client to resume the session; `0` turns resume off',
  }),
  DRAIN_TIMEOUT_S: setting({
    group: 'server',
    schema: z.coerce.number().min(0).max(86_400).default(3540),
    feeds: 'drainTimeoutMs',
    doc: "on SIGTERM, how long current participants may stay before they are told to reconnect (just under the Kubernetes manifests' 3600 s grace period, so clients hear it before SIGKILL); `0`: no drain",
  }),
  MEDIA_PORT_MODE: setting({
    group: 'media',
    schema: z.enum(['single', 'range']).default('single'),
    feeds: 'media.portMode',
    doc: "`single`: one UDP and one TCP port per media worker (`MEDIA_WORKERS`), each carrying every browser of the rooms on it, like Jitsi's bridge (with `MEDIA_WORKERS=1`: one firewall rule, one Kubernetes port of each); `range`: a UDP port per peer connection",
  }),
  MEDIA_WORKERS: setting({
    group: 'media',
    schema: z.coerce.number().int().min(1).max(64).optional(),
    feeds: 'media.workers',
    shownDefault: 'the number of cores',
    doc: "media worker threads: each carries the media of the rooms placed on it (the least loaded one when a room starts) on its own UDP and TCP port, `MEDIA_UDP_PORT`+i and `MEDIA_TCP_PORT`+i for worker i; `1`: one worker, one port of each (where a firewall can open only one)",
  }),
  MEDIA_PARTICIPANTS_PER_WORKER: setting({
    group: 'media',
    schema: z.coerce.number().int().min(2).max(1000).default(16),
    feeds: 'media.participantsPerWorker',
    doc: "participants of one room a media worker takes before the room's next participants go to another worker (each publisher's media is then piped once to each worker of the room, as plain RTP on 127.0.0.1). Splitting costs about a quarter more CPU in total and one worker carries a class of 16 with cameras on at about half a core (docs/benchmark.md), so rooms split only past that; lower it on slow cores. With `MEDIA_WORKERS=1` rooms never split",
  }),
  CHANNEL_LAST_N: setting({
    group: 'media',
    schema: z.coerce.number().int().min(-1).max(1000).default(20),
    feeds: 'media.channelLastN',
    doc: "whose video each participant receives until its page asks otherwise (Jitsi's `channelLastN`; a page's `#config.channelLastN=N` or the embed API's `configOverwrite` does): the N others on stage, sharing a screen, or who spoke last, then in join order; audio is always everyone's. `-1`: everyone's video",
  }),
  MEDIA_UDP_PORT: setting({ group: 'media', schema: port.default(10000), feeds: 'media.udpPort', jitsiName: 'JVB_PORT', doc: 'the first UDP media port in `single` mode: worker i listens on this + i (`MEDIA_WORKERS`); 0: any free ports' }),
  MEDIA_TCP_PORT: setting({
    group: 'media',
    schema: z.union([z.literal('off'), port]).default(4443),
    feeds: 'media.tcpPort',
    jitsiName: 'JVB_TCP_PORT',
    doc: 'ICE over TCP in `single` mode, for networks that block UDP: worker i listens on this + i; `off` disables it',
  }),
  TURN_HOST: setting({
    group: 'media',
    schema: z.string().min(1).optional(),
    feeds: 'turn.host',
    doc: "a TURN server (e.g. coturn with `use-auth-secret`) for browsers whose networks block direct media; needs `TURN_CREDENTIALS`",
  }),
  TURN_PORT: setting({ group: 'media', schema: port.default(3478), feeds: 'turn.port', doc: "the TURN server's port" }),
  TURN_TRANSPORT: setting({ group: 'media', schema: z.enum(['udp', 'tcp', 'tls']).default('udp'), feeds: 'turn.transport', doc: '`udp`, `tcp`, or `tls` (`turns:`)' }),
  TURN_CREDENTIALS: setting({
    group: 'media',
    schema: z.string().min(1).optional(),
    feeds: 'turn.secret',
    doc: "coturn's `static-auth-secret`; browsers get TURN REST credentials derived from it (`<expiry>:<participant>`), never the secret",
  }),
  TURN_CREDENTIALS_TTL_S: setting({ group: 'media', schema: z.coerce.number().int().min(60).max(86_400).default(10_800), feeds: 'turn.ttlS', doc: 'how long those credentials work' }),
  MEDIA_SRTP: setting({
    group: 'media',
    schema: z.enum(['auto', 'native', 'js']).default('auto'),
    feeds: 'media.srtp',
    doc: "SRTP encryption: `native` (libsrtp2 through the addon built at install when libsrtp2-dev is there; ~5x cheaper per packet), `js` (werift's own), `auto` (native when built, else js). `native` refuses to start without the addon",
  }),
  MEDIA_TRANSPORT_CC: setting({
    group: 'media',
    schema: bool.default(true),
    feeds: 'media.transportCc',
    doc: "bandwidth estimation for publishers: `1` negotiates transport-wide congestion control feedback (transport-cc) on the connections browsers send on, so Chrome finds the link's capacity within seconds; `0` leaves it out and Chrome climbs from 300 kbit/s by its loss-based rule alone (~8 %/s)",
  }),
  MEDIA_SIMULATE_LOSS_PERCENT: setting({
    group: 'media',
    schema: z.coerce.number().min(0).max(50).default(0),
    feeds: 'media.simulatedLossPercent',
    doc: 'testing only: drop this % of media packets each way, to exercise NACK/RTX repair',
  }),
  WEB_ROOT: setting({ group: 'server', schema: z.string().optional(), feeds: 'webRoot', shownDefault: '`dist/web` next to the server', doc: 'folder of the built web client' }),
  ENABLE_AUTH: setting({ group: 'auth', schema: bool.default(false), feeds: 'auth.enabled', doc: '`1` with `AUTH_TYPE=jwt`: a valid token is needed to join; `0`: rooms are open to anyone with the link' }),
  AUTH_TYPE: setting({
    group: 'auth',
    schema: z.string().trim().toLowerCase().default('jwt'),
    feeds: [],
    doc: 'the only type Confab supports; any other value with `ENABLE_AUTH=1` stops the server at start',
  }),
  JWT_APP_ID: setting({
    group: 'auth',
    schema: optionalText.optional(),
    feeds: ['auth.appId', 'auth.acceptedIssuers'],
    shownDefault: '(required with `ENABLE_AUTH=1`)',
    doc: 'your application id; tokens carry it as `iss`',
  }),
  JWT_APP_SECRET: setting({
    group: 'auth',
    schema: optionalText.optional(),
    feeds: ['auth.appSecret', 'auth.appSecretSource'],
    doc: 'shared secret for HS256/HS384/HS512 tokens (surrounding whitespace is trimmed, with a warning)',
  }),
  JWT_APP_SECRET_FILE: setting({
    group: 'auth',
    schema: optionalText.optional(),
    feeds: ['auth.appSecret', 'auth.appSecretSource'],
    doc: 'file holding the secret instead (e.g. a Docker secret); not both',
  }),
  JWT_ACCEPTED_ISSUERS: setting({ group: 'auth', schema: list.default([]), feeds: 'auth.acceptedIssuers', shownDefault: '`JWT_APP_ID`', doc: 'comma list of accepted `iss` values; `*` accepts any' }),
  JWT_ACCEPTED_AUDIENCES: setting({ group: 'auth', schema: list.default([]), feeds: 'auth.acceptedAudiences', shownDefault: '`jitsi`', doc: 'comma list of accepted `aud` values; `*` accepts any' }),
  JWT_ASAP_KEYSERVER: setting({
    group: 'auth',
    schema: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()).optional(),
    feeds: 'auth.asapKeyServer',
    doc: 'base URL of public keys for RS256/RS384/RS512 tokens, fetched as `<url>/<hex(sha256(kid))>.pem` (`kid` from the token header) and cached',
  }),
  JWT_ALLOW_EMPTY: setting({ group: 'auth', schema: bool.default(false), feeds: 'auth.allowEmpty', doc: '`1`: no token joins as a guest (a token that is there is still checked)' }),
  JWT_ENABLE_DOMAIN_VERIFICATION: setting({
    group: 'auth',
    schema: bool.default(false),
    feeds: 'auth.domainVerification',
    doc: '`1`: check `sub` against the tenant (`/<tenant>/<room>`) or `XMPP_DOMAIN` (`/<room>`)',
  }),
  XMPP_DOMAIN: setting({ group: 'auth', schema: z.string().trim().toLowerCase().min(1).default('meet.jitsi'), feeds: 'auth.xmppDomain', doc: 'the domain `sub` must name for rooms without a tenant' }),
  ENABLE_AUTO_OWNER: setting({
    group: 'server',
    schema: bool.default(true),
    feeds: 'autoOwner',
    doc: "while nobody in a room moderates, the next one to join does (Jitsi's auto-owner), unless their token says they are not a moderator or they are a guest without a token; `0`: only a token's moderator claim makes a moderator (docs/tokens.md has the table)",
  }),
  ENABLE_LOBBY: setting({
    group: 'server',
    schema: bool.default(false),
    feeds: 'lobbyByDefault',
    doc: '`1`: every new room starts with the lobby on (non-moderators wait until a moderator admits them); moderators can still turn it off per room',
  }),
  WEBHOOK_URL: setting({ group: 'webhooks', schema: urlList.default([]), feeds: 'webhooks.urls', doc: 'comma list of http(s) URLs that receive the attendance events; unset: no webhooks' }),
  WEBHOOK_SECRET: setting({
    group: 'webhooks',
    schema: optionalText.optional(),
    feeds: 'webhooks.secret',
    shownDefault: '(required with `WEBHOOK_URL`)',
    doc: 'signs each request (HMAC-SHA256 of the body); at least 32 random bytes (a shorter one warns)',
  }),
  WEBHOOK_OUTBOX_PATH: setting({
    group: 'webhooks',
    schema: z.string().trim().min(1).default('./data/webhooks.sqlite'),
    feeds: 'webhooks.outboxPath',
    doc: 'the SQLite outbox that keeps events until delivered, across restarts',
  }),
  WEBHOOK_TIMEOUT_S: setting({ group: 'webhooks', schema: z.coerce.number().min(0.1).max(120).default(10), feeds: 'webhooks.timeoutMs', doc: 'a request without an answer in time is a failure' }),
  WEBHOOK_CONCURRENCY: setting({ group: 'webhooks', schema: z.coerce.number().int().min(1).max(64).default(4), feeds: 'webhooks.concurrency', doc: 'requests in flight at once, all URLs and rooms together' }),
  WEBHOOK_RETRY_MIN_S: setting({
    group: 'webhooks',
    schema: z.coerce.number().min(0.01).max(3600).default(1),
    feeds: 'webhooks.retryMinMs',
    doc: 'first retry delay; it doubles per failure up to `WEBHOOK_RETRY_MAX_S`',
  }),
  WEBHOOK_RETRY_MAX_S: setting({ group: 'webhooks', schema: z.coerce.number().min(0.01).max(86_400).default(300), feeds: 'webhooks.retryMaxMs', doc: 'the cap of that doubling' }),
  WEBHOOK_RETRY_FOR_S: setting({
    group: 'webhooks',
    schema: z.coerce.number().min(1).max(30 * 86_400).default(86_400),
    feeds: 'webhooks.retryForMs',
    doc: 'how long an event is retried before it is given up on (kept in the outbox as `failed`)',
  }),
  API_TOKEN: setting({
    group: 'server',
    schema: optionalText.optional(),
    feeds: 'apiToken',
    doc: 'a static bearer secret for the REST API, for servers without a JWT secret',
  }),
  ALLOWED_EMBED_ORIGINS: setting({
    group: 'server',
    schema: embedOrigins.default(['*']),
    feeds: 'allowedEmbedOrigins',
    doc: "pages that may show the meeting in an iframe (the pages' CSP `frame-ancestors`): comma list of origins (`https://lms.example.com`, `https://*.example.com`), `self` or `none`; `*`: any page, as Jitsi Meet allows by default",
  }),
  METRICS_PORT: setting({
    group: 'server',
    // Empty (a docker .env line without a value) is unset, like the other optional settings.
    schema: z.union([z.literal('').transform(() => undefined), port]).optional(),
    feeds: 'metricsPort',
    shownDefault: 'unset: `<base>metrics` on `HTTP_PORT`',
    doc: '`/metrics` on this port instead (on `HTTP_HOST`), and no longer on the HTTP port: one the proxy or Ingress does not expose',
  }),
  METRICS_TOKEN: setting({
    group: 'server',
    schema: optionalText.optional(),
    feeds: 'metricsToken',
    doc: 'a bearer secret `/metrics` asks for (`Authorization: Bearer <token>`), wherever it is served; `confab doctor --metrics-token` sends it',
  }),
  REDIS_URL: setting({
    group: 'cluster',
    schema: optionalText.pipe(z.url({ protocol: /^rediss?$/, hostname: /./ }).optional()).optional(),
    feeds: 'cluster.redisUrl',
    shownDefault: 'unset: one process hosts every room',
    doc: '`redis://[:password@]host:6379[/db]` (or `rediss://`): cluster mode, several replicas serving the same classes ([cluster.md](cluster.md)); Redis is the only shared part',
  }),
  CLUSTER_PORT: setting({
    group: 'cluster',
    schema: port.default(8001),
    feeds: 'cluster.port',
    doc: 'with `REDIS_URL`: the port other replicas reach this one on (relayed signaling, the cluster view); keep it inside the cluster (0: any free port)',
  }),
  CLUSTER_ADVERTISE_HOST: setting({
    group: 'cluster',
    schema: optionalText.optional(),
    feeds: 'cluster.advertiseHost',
    shownDefault: "the host's first non-loopback IPv4 address",
    doc: "the address other replicas reach `CLUSTER_PORT` on (on Kubernetes, the pod's IP: `status.podIP`)",
  }),
  CLUSTER_LEASE_S: setting({
    group: 'cluster',
    schema: z.coerce.number().min(1).max(60).default(5),
    feeds: 'cluster.leaseMs',
    doc: "how long a replica's registry entry and its room leases last without renewal (renewed every third of it): a replica that dies loses its rooms this long after, and its classes move to a live one",
  }),
} as const;

type Settings = typeof SETTINGS;
export type ConfigKey = keyof Settings;
export const CONFIG_KEYS = Object.keys(SETTINGS) as ConfigKey[];

/** docker-jitsi-meet's names for the same settings, read when ours are not set. */
export const JITSI_NAMES: Readonly<Partial<Record<ConfigKey, string>>> = Object.fromEntries(
  CONFIG_KEYS.flatMap((key) => {
    const name = (SETTINGS[key] as Setting).jitsiName;
    return name ? [[key, name]] : [];
  }),
);

const shape = Object.fromEntries(CONFIG_KEYS.map((key) => [key, SETTINGS[key].schema])) as { [K in ConfigKey]: Settings[K]['schema'] };

/** Every setting, validated: types, ranges, defaults, and the checks that span keys. */
export const configSchema = z
  .object(shape)
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
    const workers = c.MEDIA_WORKERS ?? availableParallelism();
    for (const key of ['MEDIA_UDP_PORT', 'MEDIA_TCP_PORT'] as const) {
      const first = c[key];
      if (c.MEDIA_PORT_MODE === 'single' && typeof first === 'number' && first !== 0 && first + workers - 1 > 65_535) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${first} + ${workers - 1} (one port per media worker, MEDIA_WORKERS=${workers}) passes 65535: lower it or MEDIA_WORKERS` });
      }
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
    const ice = parseIceServers(c.ICE_SERVERS_JSON);
    if ('error' in ice) ctx.addIssue({ code: 'custom', path: ['ICE_SERVERS_JSON'], message: ice.error });
  });

export type ParsedSettings = z.infer<typeof configSchema>;
