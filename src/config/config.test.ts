import { availableParallelism } from 'node:os';
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_KEYS, ConfigError, loadConfig } from './config.js';
import { parseServerMessage } from '../protocol/messages.js';

const dir = mkdtempSync(join(tmpdir(), 'confab-config-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes a settings file and returns its path. */
function configFile(content: unknown): string {
  const path = join(dir, `config-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Asserts that loading `env` fails with a ConfigError for `key`; returns the message. */
function configError(env: NodeJS.ProcessEnv, key: string): string {
  let message = '';
  assert.throws(
    () => loadConfig(env),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
      assert.equal(e.name, 'ConfigError');
      assert.equal(e.key, key);
      assert.ok(e.message.startsWith(`config ${key}: `), e.message);
      message = e.message;
      return true;
    },
  );
  return message;
}

const AUTH_OFF = {
  enabled: false,
  appId: undefined,
  appSecret: undefined,
  appSecretSource: undefined,
  acceptedIssuers: [],
  acceptedAudiences: ['jitsi'],
  asapKeyServer: undefined,
  allowEmpty: false,
  domainVerification: false,
  xmppDomain: 'meet.jitsi',
};

describe('loadConfig', () => {
  test('defaults, from an empty environment', () => {
    assert.deepEqual(loadConfig({}), {
      httpPort: 8000,
      httpHost: '0.0.0.0',
      publicUrl: 'http://localhost:8000/',
      basePath: '/',
      logLevel: 'info',
      media: {
        advertiseIps: [],
        bindAddress: undefined,
        portRange: undefined,
        simulatedLossPercent: 0,
        srtp: 'auto',
        transportCc: true,
        portMode: 'single',
        udpPort: 10000,
        tcpPort: 4443,
        // One media worker per core unless MEDIA_WORKERS says otherwise.
        workers: availableParallelism(),
        participantsPerWorker: 16,
        channelLastN: 20,
      },
      iceServers: [],
      turn: undefined,
      maxParticipantsPerRoom: 100,
      helloTimeoutMs: 10_000,
      pingIntervalMs: 5_000,
      resumeGraceMs: 10_000,
      drainTimeoutMs: 3_540_000,
      webRoot: undefined,
      auth: AUTH_OFF,
      autoOwner: true,
      lobbyByDefault: false,
      webhooks: undefined,
      apiToken: undefined,
      allowedEmbedOrigins: ['*'],
      metricsPort: undefined,
      metricsToken: undefined,
      cluster: undefined,
      warnings: [],
    });
  });

  test('TURN needs both host and secret, naming the missing one', () => {
    assert.match(configError({ TURN_HOST: 'turn.example.org' }, 'TURN_CREDENTIALS'), /TURN_CREDENTIALS is missing/);
    assert.match(configError({ TURN_CREDENTIALS: 'x' }, 'TURN_HOST'), /TURN_HOST is missing/);
    configError({ TURN_HOST: 'h', TURN_CREDENTIALS: 'x', TURN_TRANSPORT: 'sctp' }, 'TURN_TRANSPORT');
  });

  test("docker-jitsi-meet's JVB_PORT and JVB_TCP_PORT set the media ports", () => {
    const media = loadConfig({ JVB_PORT: '10010', JVB_TCP_PORT: '4444' }).media;
    assert.equal(media.udpPort, 10010);
    assert.equal(media.tcpPort, 4444);
    assert.equal(loadConfig({ JVB_PORT: '10010', MEDIA_UDP_PORT: '10020' }).media.udpPort, 10020);
    configError({ JVB_PORT: 'ten' }, 'JVB_PORT');
    configError({ MEDIA_TCP_PORT: 'maybe' }, 'MEDIA_TCP_PORT');
  });

  test('ignores unrelated environment variables', () => {
    assert.equal(loadConfig({ PATH: '/usr/bin', HOME: '/root', NOT_A_SETTING: 'x' }).httpPort, 8000);
  });

  test('reads every setting from the environment', () => {
    const config = loadConfig({
      HTTP_PORT: '9000',
      HTTP_HOST: '127.0.0.1',
      PUBLIC_URL: 'https://meet.example.org',
      LOG_LEVEL: 'debug',
      MEDIA_ADVERTISE_IPS: '203.0.113.7',
      MEDIA_BIND_ADDRESS: '10.0.0.2',
      MEDIA_PORT_MIN: '10000',
      MEDIA_PORT_MAX: '10100',
      MEDIA_PORT_MODE: 'range',
      MEDIA_UDP_PORT: '10001',
      MEDIA_TCP_PORT: 'off',
      MEDIA_WORKERS: '3',
      MEDIA_SIMULATE_LOSS_PERCENT: '2',
      MEDIA_TRANSPORT_CC: '0',
      TURN_HOST: 'turn.example.org',
      TURN_PORT: '443',
      TURN_TRANSPORT: 'tls',
      TURN_CREDENTIALS: ' shared-secret\n',
      TURN_CREDENTIALS_TTL_S: '600',
      ICE_SERVERS_JSON: '[{"urls":"stun:stun.example.org"}]',
      MAX_PARTICIPANTS_PER_ROOM: '30',
      HELLO_TIMEOUT_S: '2.5',
      PING_INTERVAL_S: '15',
      RESUME_GRACE_S: '30',
      DRAIN_TIMEOUT_S: '600',
      WEB_ROOT: '/srv/web',
    });
    assert.deepEqual(config, {
      httpPort: 9000,
      httpHost: '127.0.0.1',
      publicUrl: 'https://meet.example.org/',
      basePath: '/',
      logLevel: 'debug',
      media: {
        advertiseIps: ['203.0.113.7'],
        bindAddress: '10.0.0.2',
        portRange: [10000, 10100],
        simulatedLossPercent: 2,
        srtp: 'auto',
        transportCc: false,
        portMode: 'range',
        udpPort: 10001,
        tcpPort: undefined,
        workers: 3,
        participantsPerWorker: 16,
        channelLastN: 20,
      },
      iceServers: [{ urls: 'stun:stun.example.org' }],
      turn: { host: 'turn.example.org', port: 443, transport: 'tls', secret: 'shared-secret', ttlS: 600 },
      maxParticipantsPerRoom: 30,
      helloTimeoutMs: 2_500,
      pingIntervalMs: 15_000,
      resumeGraceMs: 30_000,
      drainTimeoutMs: 600_000,
      webRoot: '/srv/web',
      auth: AUTH_OFF,
      autoOwner: true,
      lobbyByDefault: false,
      webhooks: undefined,
      apiToken: undefined,
      allowedEmbedOrigins: ['*'],
      metricsPort: undefined,
      metricsToken: undefined,
      cluster: undefined,
      warnings: [],
    });
  });

  test('CONFIG_KEYS lists every setting', () => {
    assert.deepEqual(CONFIG_KEYS, [
      'HTTP_PORT',
      'HTTP_HOST',
      'PUBLIC_URL',
      'LOG_LEVEL',
      'MEDIA_ADVERTISE_IPS',
      'MEDIA_BIND_ADDRESS',
      'MEDIA_PORT_MIN',
      'MEDIA_PORT_MAX',
      'ICE_SERVERS_JSON',
      'MAX_PARTICIPANTS_PER_ROOM',
      'HELLO_TIMEOUT_S',
      'PING_INTERVAL_S',
      'RESUME_GRACE_S',
      'DRAIN_TIMEOUT_S',
      'MEDIA_PORT_MODE',
      'MEDIA_WORKERS',
      'MEDIA_PARTICIPANTS_PER_WORKER',
      'CHANNEL_LAST_N',
      'MEDIA_UDP_PORT',
      'MEDIA_TCP_PORT',
      'TURN_HOST',
      'TURN_PORT',
      'TURN_TRANSPORT',
      'TURN_CREDENTIALS',
      'TURN_CREDENTIALS_TTL_S',
      'MEDIA_SRTP',
      'MEDIA_TRANSPORT_CC',
      'MEDIA_SIMULATE_LOSS_PERCENT',
      'WEB_ROOT',
      'ENABLE_AUTH',
      'AUTH_TYPE',
      'JWT_APP_ID',
      'JWT_APP_SECRET',
      'JWT_APP_SECRET_FILE',
      'JWT_ACCEPTED_ISSUERS',
      'JWT_ACCEPTED_AUDIENCES',
      'JWT_ASAP_KEYSERVER',
      'JWT_ALLOW_EMPTY',
      'JWT_ENABLE_DOMAIN_VERIFICATION',
      'XMPP_DOMAIN',
      'ENABLE_AUTO_OWNER',
      'ENABLE_LOBBY',
      'WEBHOOK_URL',
      'WEBHOOK_SECRET',
      'WEBHOOK_OUTBOX_PATH',
      'WEBHOOK_TIMEOUT_S',
      'WEBHOOK_CONCURRENCY',
      'WEBHOOK_RETRY_MIN_S',
      'WEBHOOK_RETRY_MAX_S',
      'WEBHOOK_RETRY_FOR_S',
      'API_TOKEN',
      'ALLOWED_EMBED_ORIGINS',
      'METRICS_PORT',
      'METRICS_TOKEN',
      'REDIS_URL',
      'CLUSTER_PORT',
      'CLUSTER_ADVERTISE_HOST',
      'CLUSTER_LEASE_S',
    ]);
  });

  describe('HTTP_PORT', () => {
    test('the default public URL follows the port', () => {
      const config = loadConfig({ HTTP_PORT: '8443' });
      assert.equal(config.httpPort, 8443);
      assert.equal(config.publicUrl, 'http://localhost:8443/');
    });

    test('surrounding spaces are tolerated', () => {
      assert.equal(loadConfig({ HTTP_PORT: ' 8080 ' }).httpPort, 8080);
    });

    test('port 0 (any free port) is allowed when set explicitly', () => {
      assert.equal(loadConfig({ HTTP_PORT: '0' }).httpPort, 0);
    });

    test('a bad value fails naming HTTP_PORT', () => {
      for (const value of ['abc', '80a', '-1', '8000.5', '65536', '1e3', '0x1f40']) {
        configError({ HTTP_PORT: value }, 'HTTP_PORT');
      }
      assert.equal(configError({ HTTP_PORT: 'abc' }, 'HTTP_PORT'), 'config HTTP_PORT: expected a port number 0-65535');
    });

    test('MEDIA_WORKERS: 1-64, and its ports must fit below 65536', () => {
      for (const value of ['0', '65', '1.5', 'many']) configError({ MEDIA_WORKERS: value }, 'MEDIA_WORKERS');
      assert.match(configError({ MEDIA_WORKERS: '4', MEDIA_UDP_PORT: '65534' }, 'MEDIA_UDP_PORT'), /65534 \+ 3 \(one port per media worker, MEDIA_WORKERS=4\) passes 65535/);
      assert.match(configError({ MEDIA_WORKERS: '2', MEDIA_TCP_PORT: '65535' }, 'MEDIA_TCP_PORT'), /passes 65535/);
      assert.equal(loadConfig({ MEDIA_WORKERS: '4', MEDIA_UDP_PORT: '0' }).media.workers, 4, 'any free ports always fit');
    });

    test('a blank value fails instead of meaning port 0', () => {
      configError({ HTTP_PORT: '' }, 'HTTP_PORT');
      configError({ HTTP_PORT: '  ' }, 'HTTP_PORT');
    });
  });

  describe('PUBLIC_URL', () => {
    test('a path sets the base path, with a trailing slash added', () => {
      const config = loadConfig({ PUBLIC_URL: 'https://example.org/jitsi' });
      assert.equal(config.publicUrl, 'https://example.org/jitsi/');
      assert.equal(config.basePath, '/jitsi/');
    });

    test('an existing trailing slash is kept as is', () => {
      const config = loadConfig({ PUBLIC_URL: 'https://example.org/a/b/' });
      assert.equal(config.publicUrl, 'https://example.org/a/b/');
      assert.equal(config.basePath, '/a/b/');
    });

    test('host and port are kept and do not depend on HTTP_PORT', () => {
      const config = loadConfig({ PUBLIC_URL: 'http://10.0.0.5:8080', HTTP_PORT: '9000' });
      assert.equal(config.publicUrl, 'http://10.0.0.5:8080/');
      assert.equal(config.basePath, '/');
      assert.equal(config.httpPort, 9000);
    });

    test('must be an http(s) URL', () => {
      for (const value of ['example.org', 'ftp://example.org/', 'ws://example.org/', '']) {
        configError({ PUBLIC_URL: value }, 'PUBLIC_URL');
      }
    });
  });

  describe('MEDIA_ADVERTISE_IPS', () => {
    test('parses a comma-separated list, trimming spaces and dropping empty entries', () => {
      const config = loadConfig({ MEDIA_ADVERTISE_IPS: ' 203.0.113.7 , 2001:db8::1,,10.0.0.1, ' });
      assert.deepEqual(config.media.advertiseIps, ['203.0.113.7', '2001:db8::1', '10.0.0.1']);
    });

    test('an empty value means none', () => {
      assert.deepEqual(loadConfig({ MEDIA_ADVERTISE_IPS: '' }).media.advertiseIps, []);
    });

    test("JVB_ADVERTISE_IPS is docker-jitsi-meet's name for it", () => {
      assert.deepEqual(loadConfig({ JVB_ADVERTISE_IPS: '198.51.100.1,198.51.100.2' }).media.advertiseIps, [
        '198.51.100.1',
        '198.51.100.2',
      ]);
    });

    test('MEDIA_ADVERTISE_IPS wins over JVB_ADVERTISE_IPS', () => {
      const config = loadConfig({ MEDIA_ADVERTISE_IPS: '203.0.113.7', JVB_ADVERTISE_IPS: '198.51.100.1' });
      assert.deepEqual(config.media.advertiseIps, ['203.0.113.7']);
    });

    test('a bad address fails naming the key', () => {
      for (const value of ['not-an-ip', '203.0.113.7,example.org', '256.1.1.1', '10.0.0.1/24']) {
        const message = configError({ MEDIA_ADVERTISE_IPS: value }, 'MEDIA_ADVERTISE_IPS');
        assert.equal(message, 'config MEDIA_ADVERTISE_IPS: expected a comma-separated list of IP addresses');
      }
    });

    test('a bad address given as JVB_ADVERTISE_IPS fails naming JVB_ADVERTISE_IPS', () => {
      configError({ JVB_ADVERTISE_IPS: '203.0.113.7,bad' }, 'JVB_ADVERTISE_IPS');
    });
  });

  describe('MEDIA_BIND_ADDRESS', () => {
    test('empty means all interfaces', () => {
      assert.equal(loadConfig({ MEDIA_BIND_ADDRESS: '' }).media.bindAddress, undefined);
    });

    test('must be an IPv4 address', () => {
      configError({ MEDIA_BIND_ADDRESS: 'localhost' }, 'MEDIA_BIND_ADDRESS');
      configError({ MEDIA_BIND_ADDRESS: '::1' }, 'MEDIA_BIND_ADDRESS');
    });
  });

  describe('MEDIA_PORT_MIN / MEDIA_PORT_MAX', () => {
    test('both 0 means any port', () => {
      assert.equal(loadConfig({ MEDIA_PORT_MIN: '0', MEDIA_PORT_MAX: '0' }).media.portRange, undefined);
    });

    test('a range, including a single port', () => {
      assert.deepEqual(loadConfig({ MEDIA_PORT_MIN: '10000', MEDIA_PORT_MAX: '20000' }).media.portRange, [10000, 20000]);
      assert.deepEqual(loadConfig({ MEDIA_PORT_MIN: '10000', MEDIA_PORT_MAX: '10000' }).media.portRange, [10000, 10000]);
    });

    test('only one of the two set fails', () => {
      const message = configError({ MEDIA_PORT_MIN: '10000' }, 'MEDIA_PORT_MIN');
      assert.equal(
        message,
        'config MEDIA_PORT_MIN: MEDIA_PORT_MIN/MEDIA_PORT_MAX must both be 0 or form a range, got 10000-0',
      );
      configError({ MEDIA_PORT_MAX: '10000' }, 'MEDIA_PORT_MIN');
    });

    test('min above max fails', () => {
      assert.match(configError({ MEDIA_PORT_MIN: '20000', MEDIA_PORT_MAX: '10000' }, 'MEDIA_PORT_MIN'), /got 20000-10000$/);
    });

    test('each must be a port number', () => {
      configError({ MEDIA_PORT_MIN: '70000', MEDIA_PORT_MAX: '70001' }, 'MEDIA_PORT_MIN');
      configError({ MEDIA_PORT_MIN: '10000', MEDIA_PORT_MAX: 'x' }, 'MEDIA_PORT_MAX');
    });
  });

  describe('ICE_SERVERS_JSON', () => {
    test('a JSON array of ICE servers', () => {
      const servers = [{ urls: ['turn:turn.example.org:3478'], username: 'u', credential: 'p' }];
      assert.deepEqual(loadConfig({ ICE_SERVERS_JSON: JSON.stringify(servers) }).iceServers, servers);
    });

    test('invalid JSON fails naming the key', () => {
      assert.match(
        configError({ ICE_SERVERS_JSON: '[{' }, 'ICE_SERVERS_JSON'),
        /^config ICE_SERVERS_JSON: expected a JSON array of RTCIceServer: /,
      );
    });

    test('JSON that is not an array fails', () => {
      assert.equal(
        configError({ ICE_SERVERS_JSON: '{"urls":"stun:x"}' }, 'ICE_SERVERS_JSON'),
        'config ICE_SERVERS_JSON: expected a JSON array of RTCIceServer: not an array',
      );
    });

    // The report of issue 12: this loaded, and every page hung on "connecting" because it dropped the welcome.
    test('entries the page would refuse stop the server at start, each named', () => {
      assert.equal(
        configError({ ICE_SERVERS_JSON: '[1, {"url":"stun:x"}]' }, 'ICE_SERVERS_JSON'),
        "config ICE_SERVERS_JSON: not a list of RTCIceServer as browsers take it: entry 0 must be an object like {\"urls\": \"stun:stun.example.org:3478\"}, got 1; entry 1 has no 'urls': the key is 'urls' ('url' is an old name that browsers no longer read)",
      );
    });

    test('a URL that is not stun:/turn:, or a TURN server without credentials, is refused', () => {
      assert.match(
        configError({ ICE_SERVERS_JSON: '[{"urls":"http://stun.example.org"}]' }, 'ICE_SERVERS_JSON'),
        /entry 0\.urls: 'http:\/\/stun\.example\.org' is not a stun:, stuns:, turn: or turns: URL$/,
      );
      assert.match(
        configError({ ICE_SERVERS_JSON: '[{"urls":["stun:a.example.org","turns:b.example.org:443"]}]' }, 'ICE_SERVERS_JSON'),
        /entry 0: a turn: or turns: server needs a username and a credential$/,
      );
      assert.match(configError({ ICE_SERVERS_JSON: '[{"urls":[]}]' }, 'ICE_SERVERS_JSON'), /entry 0\.urls: /);
      assert.match(configError({ ICE_SERVERS_JSON: '[{"urls":"stun:x","username":7}]' }, 'ICE_SERVERS_JSON'), /entry 0\.username: /);
    });

    test('what the server accepts, the page accepts: the welcome parses with the same schema', () => {
      const servers = [{ urls: 'stun:stun.example.org:3478' }, { urls: ['turn:t.example.org?transport=tcp', 'turns:t.example.org:443'], username: 'u', credential: 'c' }];
      const config = loadConfig({ ICE_SERVERS_JSON: JSON.stringify(servers) });
      const welcome = { type: 'welcome', protocolVersion: 1, participantId: 'p', room: 'r', self: { id: 'p', displayName: 'A', role: 'moderator', audioMuted: false, videoMuted: false, audioLocked: false, videoLocked: false, handRaisedAt: null, joinedAt: 0 }, participants: [], iceServers: config.iceServers, serverVersion: 'x' };
      const parsed = parseServerMessage(JSON.stringify(welcome));
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    });
  });

  describe('other settings', () => {
    test('LOG_LEVEL must be a known level', () => {
      assert.equal(loadConfig({ LOG_LEVEL: 'silent' }).logLevel, 'silent');
      configError({ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL');
    });

    test('MAX_PARTICIPANTS_PER_ROOM is 1-1000', () => {
      assert.equal(loadConfig({ MAX_PARTICIPANTS_PER_ROOM: '1' }).maxParticipantsPerRoom, 1);
      assert.equal(loadConfig({ MAX_PARTICIPANTS_PER_ROOM: '1000' }).maxParticipantsPerRoom, 1000);
      for (const value of ['0', '1001', '2.5', 'many']) configError({ MAX_PARTICIPANTS_PER_ROOM: value }, 'MAX_PARTICIPANTS_PER_ROOM');
    });

    test('HELLO_TIMEOUT_S and PING_INTERVAL_S are converted to milliseconds and bounded', () => {
      const config = loadConfig({ HELLO_TIMEOUT_S: '120', PING_INTERVAL_S: '1' });
      assert.equal(config.helloTimeoutMs, 120_000);
      assert.equal(config.pingIntervalMs, 1_000);
      configError({ HELLO_TIMEOUT_S: '0' }, 'HELLO_TIMEOUT_S');
      configError({ PING_INTERVAL_S: '61' }, 'PING_INTERVAL_S');
      assert.equal(loadConfig({ RESUME_GRACE_S: '0' }).resumeGraceMs, 0, '0 turns resume off');
      configError({ RESUME_GRACE_S: '301' }, 'RESUME_GRACE_S');
      configError({ RESUME_GRACE_S: 'soon' }, 'RESUME_GRACE_S');
    });

    test('DRAIN_TIMEOUT_S is seconds, 0 (no drain) to a day', () => {
      assert.equal(loadConfig({ DRAIN_TIMEOUT_S: '0' }).drainTimeoutMs, 0);
      assert.equal(loadConfig({ DRAIN_TIMEOUT_S: '1.5' }).drainTimeoutMs, 1_500);
      for (const value of ['-1', '86401', 'soon']) configError({ DRAIN_TIMEOUT_S: value }, 'DRAIN_TIMEOUT_S');
    });
  });

  describe('CONFAB_CONFIG_FILE', () => {
    test('reads settings from a JSON file, with JSON types', () => {
      const path = configFile({ HTTP_PORT: 9100, MEDIA_ADVERTISE_IPS: ['203.0.113.7', '2001:db8::2'], LOG_LEVEL: 'warn' });
      const config = loadConfig({ CONFAB_CONFIG_FILE: path });
      assert.equal(config.httpPort, 9100);
      assert.deepEqual(config.media.advertiseIps, ['203.0.113.7', '2001:db8::2']);
      assert.equal(config.logLevel, 'warn');
    });

    test('the environment overrides the file', () => {
      const path = configFile({ HTTP_PORT: 9100, LOG_LEVEL: 'warn' });
      const config = loadConfig({ CONFAB_CONFIG_FILE: path, HTTP_PORT: '9200' });
      assert.equal(config.httpPort, 9200);
      assert.equal(config.logLevel, 'warn');
    });

    test('a bad value in the file is not reported when the environment overrides it', () => {
      const path = configFile({ HTTP_PORT: 'not a port' });
      assert.equal(loadConfig({ CONFAB_CONFIG_FILE: path, HTTP_PORT: '9200' }).httpPort, 9200);
      configError({ CONFAB_CONFIG_FILE: path }, 'HTTP_PORT');
    });

    test('an unknown key fails naming it and the file', () => {
      const path = configFile({ HTTP_PORT: 9100, HTTP_PROT: 9100 });
      const message = configError({ CONFAB_CONFIG_FILE: path }, 'HTTP_PROT');
      assert.ok(message.startsWith(`config HTTP_PROT: unknown setting in ${path}; known: HTTP_PORT, HTTP_HOST,`), message);
    });

    test('several unknown keys are all named', () => {
      const path = configFile({ FOO: 1, BAR: 2 });
      configError({ CONFAB_CONFIG_FILE: path }, 'FOO, BAR');
    });

    test('a missing file fails naming CONFAB_CONFIG_FILE and the path', () => {
      const path = join(dir, 'missing.json');
      assert.match(configError({ CONFAB_CONFIG_FILE: path }, 'CONFAB_CONFIG_FILE'), new RegExp(`cannot read '${path}'`));
    });

    test('a file that is not a JSON object fails naming CONFAB_CONFIG_FILE', () => {
      for (const content of ['{ HTTP_PORT: 1 }', '[]', '42', 'null']) {
        const path = configFile(content);
        assert.ok(
          configError({ CONFAB_CONFIG_FILE: path }, 'CONFAB_CONFIG_FILE').includes(`'${path}' is not a JSON object of settings`),
          content,
        );
      }
    });

    test('an empty CONFAB_CONFIG_FILE means no file', () => {
      assert.equal(loadConfig({ CONFAB_CONFIG_FILE: '' }).httpPort, 8000);
    });
  });

  test('the result is deeply frozen', () => {
    const config = loadConfig({
      MEDIA_ADVERTISE_IPS: '203.0.113.7',
      MEDIA_PORT_MIN: '10000',
      MEDIA_PORT_MAX: '10100',
      ICE_SERVERS_JSON: '[{"urls":["stun:a"]}]',
    });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.media));
    assert.ok(Object.isFrozen(config.media.advertiseIps));
    assert.ok(Object.isFrozen(config.media.portRange));
    assert.ok(Object.isFrozen(config.iceServers));
    assert.ok(Object.isFrozen(config.iceServers[0]));
    assert.ok(Object.isFrozen(config.iceServers[0]!.urls));
    assert.throws(() => {
      (config as { httpPort: number }).httpPort = 1;
    }, TypeError);
    assert.throws(() => (config.media.advertiseIps as string[]).push('10.0.0.1'), TypeError);
  });

  test('does not read process.env when given an environment', () => {
    const saved = process.env.HTTP_PORT;
    process.env.HTTP_PORT = '1234';
    try {
      assert.equal(loadConfig({}).httpPort, 8000);
    } finally {
      if (saved === undefined) delete process.env.HTTP_PORT;
      else process.env.HTTP_PORT = saved;
    }
  });
});

describe('token authentication settings', () => {
  const SECRET = 'a-secret-of-more-than-32-bytes-0123456789';
  const jwt = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ENABLE_AUTH: '1', AUTH_TYPE: 'jwt', JWT_APP_ID: 'my_app', JWT_APP_SECRET: SECRET, ...extra });

  test("docker-jitsi-meet's names, with Jitsi's defaults", () => {
    const config = loadConfig(jwt());
    assert.equal(config.auth.enabled, true);
    assert.equal(config.auth.appId, 'my_app');
    assert.equal(config.auth.appSecret?.reveal(), SECRET);
    assert.equal(config.auth.appSecretSource, 'JWT_APP_SECRET');
    assert.deepEqual(config.auth.acceptedIssuers, ['my_app'], 'issuers default to the app id');
    assert.deepEqual(config.auth.acceptedAudiences, ['jitsi']);
    assert.equal(config.auth.asapKeyServer, undefined);
    assert.equal(config.auth.allowEmpty, false);
    assert.equal(config.auth.domainVerification, false);
    assert.equal(config.auth.xmppDomain, 'meet.jitsi');
    assert.equal(config.autoOwner, true);
    assert.equal(config.lobbyByDefault, false);
    assert.deepEqual(config.warnings, []);
  });

  test('reads every auth setting', () => {
    const config = loadConfig(
      jwt({
        JWT_ACCEPTED_ISSUERS: 'my_app, other_app',
        JWT_ACCEPTED_AUDIENCES: 'jitsi,*',
        JWT_ASAP_KEYSERVER: 'https://keys.example.com/asap/',
        JWT_ALLOW_EMPTY: 'true',
        JWT_ENABLE_DOMAIN_VERIFICATION: '1',
        XMPP_DOMAIN: 'Streaming.Example.com',
        ENABLE_AUTO_OWNER: '0',
        ENABLE_LOBBY: 'on',
      }),
    );
    assert.deepEqual(config.auth.acceptedIssuers, ['my_app', 'other_app']);
    assert.deepEqual(config.auth.acceptedAudiences, ['jitsi', '*']);
    assert.equal(config.auth.asapKeyServer, 'https://keys.example.com/asap', 'without the trailing slash');
    assert.equal(config.auth.allowEmpty, true);
    assert.equal(config.auth.domainVerification, true);
    assert.equal(config.auth.xmppDomain, 'streaming.example.com');
    assert.equal(config.autoOwner, false);
    assert.equal(config.lobbyByDefault, true);
    assert.deepEqual(config.warnings, ['JWT_ALLOW_EMPTY=1: people without a token join as guests (a token that is present is still verified)']);
  });

  test('a key server alone is enough (RS256 tokens only)', () => {
    const config = loadConfig({ ENABLE_AUTH: '1', JWT_APP_ID: 'my_app', JWT_ASAP_KEYSERVER: 'http://127.0.0.1:9/keys' });
    assert.equal(config.auth.appSecret, undefined);
    assert.equal(config.auth.asapKeyServer, 'http://127.0.0.1:9/keys');
  });

  test('empty values, as in an unedited docker-jitsi-meet .env, mean unset', () => {
    const config = loadConfig({ ENABLE_AUTH: '', JWT_APP_ID: '', JWT_APP_SECRET: '', JWT_ASAP_KEYSERVER: '', JWT_ACCEPTED_AUDIENCES: '' });
    assert.deepEqual(config.auth, AUTH_OFF);
    assert.deepEqual(config.warnings, []);
  });

  test('missing pieces fail naming the key', () => {
    assert.match(configError({ ENABLE_AUTH: '1', JWT_APP_SECRET: SECRET }, 'JWT_APP_ID'), /required with ENABLE_AUTH=1/);
    assert.match(configError({ ENABLE_AUTH: '1', JWT_APP_ID: 'my_app' }, 'JWT_APP_SECRET'), /JWT_APP_SECRET_FILE .*JWT_ASAP_KEYSERVER/);
    assert.equal(configError(jwt({ AUTH_TYPE: 'internal' }), 'AUTH_TYPE'), "config AUTH_TYPE: Confab supports AUTH_TYPE=jwt only, got 'internal'");
    configError(jwt({ JWT_ASAP_KEYSERVER: 'keys.example.com' }), 'JWT_ASAP_KEYSERVER');
    configError(jwt({ ENABLE_AUTO_OWNER: 'maybe' }), 'ENABLE_AUTO_OWNER');
    configError({ ENABLE_LOBBY: 'sometimes' }, 'ENABLE_LOBBY');
    const file = join(dir, 'secret-both');
    writeFileSync(file, SECRET);
    assert.equal(configError(jwt({ JWT_APP_SECRET_FILE: file }), 'JWT_APP_SECRET_FILE'), 'config JWT_APP_SECRET_FILE: set JWT_APP_SECRET or JWT_APP_SECRET_FILE, not both');
  });

  test('AUTH_TYPE is not checked while auth is off', () => {
    assert.equal(loadConfig({ AUTH_TYPE: 'internal' }).auth.enabled, false);
  });

  test('a secret file with a trailing newline is trimmed, with a warning that does not show the secret', () => {
    const file = join(dir, 'secret-newline');
    writeFileSync(file, `${SECRET}\n`);
    const config = loadConfig({ ENABLE_AUTH: '1', JWT_APP_ID: 'my_app', JWT_APP_SECRET_FILE: file });
    assert.equal(config.auth.appSecret?.reveal(), SECRET);
    assert.equal(config.auth.appSecretSource, 'JWT_APP_SECRET_FILE');
    assert.deepEqual(config.warnings, [
      'JWT_APP_SECRET_FILE: the secret had a trailing newline; it was trimmed, so tokens must be signed with the secret without it',
    ]);
  });

  test('surrounding spaces in JWT_APP_SECRET are trimmed and counted', () => {
    const config = loadConfig(jwt({ JWT_APP_SECRET: `  ${SECRET} \r\n` }));
    assert.equal(config.auth.appSecret?.reveal(), SECRET);
    assert.deepEqual(config.warnings, [
      'JWT_APP_SECRET: the secret had 2 leading and 3 trailing whitespace characters (including a newline); it was trimmed, so tokens must be signed with the secret without it',
    ]);
  });

  test('a secret shorter than 32 bytes warns', () => {
    const config = loadConfig(jwt({ JWT_APP_SECRET: 'short-secret' }));
    assert.deepEqual(config.warnings, [
      'JWT_APP_SECRET: the secret is 12 bytes; use at least 32 random bytes (e.g. `openssl rand -hex 32`), short secrets can be guessed from any token',
    ]);
    assert.ok(!config.warnings.join().includes('short-secret'));
  });

  test('an unreadable or empty secret file fails naming JWT_APP_SECRET_FILE', () => {
    assert.match(configError(jwt({ JWT_APP_SECRET: '', JWT_APP_SECRET_FILE: join(dir, 'nope') }), 'JWT_APP_SECRET_FILE'), /cannot read the secret file .*ENOENT/);
    const empty = join(dir, 'secret-empty');
    writeFileSync(empty, '\n');
    assert.match(configError(jwt({ JWT_APP_SECRET: '', JWT_APP_SECRET_FILE: empty }), 'JWT_APP_SECRET_FILE'), /is empty/);
  });

  test('JWT settings while ENABLE_AUTH is off warn that rooms are open', () => {
    const config = loadConfig({ JWT_APP_ID: 'my_app', JWT_APP_SECRET: SECRET });
    assert.equal(config.auth.enabled, false);
    assert.match(config.warnings[0] ?? '', /ENABLE_AUTH is off: rooms are open/);
  });

  test('the secret never shows in JSON, strings or inspection', async () => {
    const { inspect } = await import('node:util');
    const config = loadConfig(jwt());
    for (const text of [JSON.stringify(config), String(config.auth.appSecret), inspect(config, { depth: 5 })]) {
      assert.ok(!text.includes(SECRET), text);
    }
    assert.match(JSON.stringify(config.auth), /"appSecret":"\[redacted\]"/);
  });
});

describe('attendance webhooks and the API token', () => {
  const SECRET = 'webhook-secret-long-enough-0123456789abcdef';

  test('WEBHOOK_URL (a comma list) with its secret and defaults', () => {
    const config = loadConfig({ WEBHOOK_URL: 'https://lms.example.org/hooks/confab, http://10.0.0.5:8080/attendance', WEBHOOK_SECRET: `${SECRET}\n` });
    const w = config.webhooks!;
    assert.deepEqual(w.urls, ['https://lms.example.org/hooks/confab', 'http://10.0.0.5:8080/attendance']);
    assert.equal(w.secret.reveal(), SECRET, 'trimmed');
    assert.equal(JSON.stringify(w.secret), '"[redacted]"');
    assert.deepEqual(
      { ...w, urls: undefined, secret: undefined },
      { urls: undefined, secret: undefined, outboxPath: './data/webhooks.sqlite', timeoutMs: 10_000, concurrency: 4, retryMinMs: 1_000, retryMaxMs: 300_000, retryForMs: 86_400_000 },
    );
    assert.deepEqual(config.warnings, []);
  });

  test('every WEBHOOK_ key is read', () => {
    const w = loadConfig({
      WEBHOOK_URL: 'http://127.0.0.1:9/x',
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_OUTBOX_PATH: '/var/lib/confab/outbox.sqlite',
      WEBHOOK_TIMEOUT_S: '2.5',
      WEBHOOK_CONCURRENCY: '8',
      WEBHOOK_RETRY_MIN_S: '0.2',
      WEBHOOK_RETRY_MAX_S: '60',
      WEBHOOK_RETRY_FOR_S: '3600',
    }).webhooks!;
    assert.deepEqual([w.outboxPath, w.timeoutMs, w.concurrency, w.retryMinMs, w.retryMaxMs, w.retryForMs], ['/var/lib/confab/outbox.sqlite', 2_500, 8, 200, 60_000, 3_600_000]);
  });

  test('no WEBHOOK_URL: webhooks off', () => {
    assert.equal(loadConfig({ WEBHOOK_SECRET: SECRET }).webhooks, undefined);
    assert.equal(loadConfig({ WEBHOOK_URL: '' }).webhooks, undefined);
  });

  test('bad values stop the start naming the key', () => {
    assert.match(configError({ WEBHOOK_URL: 'https://lms.example.org/h' }, 'WEBHOOK_SECRET'), /required with WEBHOOK_URL/);
    assert.match(configError({ WEBHOOK_URL: 'ftp://x.example.org/h', WEBHOOK_SECRET: SECRET }, 'WEBHOOK_URL'), /http\(s\) URLs/);
    assert.match(configError({ WEBHOOK_URL: 'not a url', WEBHOOK_SECRET: SECRET }, 'WEBHOOK_URL'), /http\(s\) URLs/);
    configError({ WEBHOOK_CONCURRENCY: '0' }, 'WEBHOOK_CONCURRENCY');
    configError({ WEBHOOK_TIMEOUT_S: 'soon' }, 'WEBHOOK_TIMEOUT_S');
    configError({ WEBHOOK_OUTBOX_PATH: ' ' }, 'WEBHOOK_OUTBOX_PATH');
    assert.match(configError({ WEBHOOK_RETRY_MIN_S: '10', WEBHOOK_RETRY_MAX_S: '5' }, 'WEBHOOK_RETRY_MIN_S'), /must not exceed WEBHOOK_RETRY_MAX_S/);
  });

  test('short secrets warn without printing them', () => {
    const config = loadConfig({ WEBHOOK_URL: 'http://127.0.0.1:9/x', WEBHOOK_SECRET: 'hunter2', API_TOKEN: 'tok' });
    assert.deepEqual(config.warnings.map((w) => w.split(':')[0]), ['WEBHOOK_SECRET', 'API_TOKEN']);
    assert.ok(!config.warnings.join(' ').includes('hunter2'));
    assert.equal(config.apiToken?.reveal(), 'tok');
    assert.equal(String(config.apiToken), '[redacted]');
  });

  describe('cluster mode', () => {
    test('no REDIS_URL: one process, nothing to run', () => {
      assert.equal(loadConfig({}).cluster, undefined);
      assert.equal(loadConfig({ REDIS_URL: '' }).cluster, undefined);
    });

    test('REDIS_URL turns it on, with the password kept out of every print', () => {
      const config = loadConfig({ REDIS_URL: 'redis://:s3cret@redis:6379/0', CLUSTER_PORT: '9001', CLUSTER_ADVERTISE_HOST: '10.1.2.3', CLUSTER_LEASE_S: '3' });
      const cluster = config.cluster!;
      assert.equal(cluster.redisUrl.reveal(), 'redis://:s3cret@redis:6379/0');
      assert.deepEqual({ ...cluster, redisUrl: String(cluster.redisUrl) }, { redisUrl: '[redacted]', port: 9001, advertiseHost: '10.1.2.3', leaseMs: 3000 });
      assert.ok(!JSON.stringify(config).includes('s3cret'));
      assert.deepEqual(loadConfig({ REDIS_URL: 'rediss://redis.example.org:6380' }).cluster, {
        redisUrl: loadConfig({ REDIS_URL: 'rediss://redis.example.org:6380' }).cluster!.redisUrl,
        port: 8001,
        advertiseHost: undefined,
        leaseMs: 5000,
      });
    });

    test('bad values stop the start naming the key', () => {
      configError({ REDIS_URL: 'http://redis:6379' }, 'REDIS_URL');
      configError({ REDIS_URL: 'redis:6379' }, 'REDIS_URL');
      configError({ REDIS_URL: 'redis://redis', CLUSTER_LEASE_S: '0.5' }, 'CLUSTER_LEASE_S');
      configError({ REDIS_URL: 'redis://redis', CLUSTER_PORT: 'x' }, 'CLUSTER_PORT');
    });
  });
});
