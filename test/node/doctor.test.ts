/**
 * `confab doctor` against real servers on loopback, run as a child process
 * the way an operator runs it: a healthy server passes everything with the
 * bots' media over UDP and over ICE-TCP (on the server's one UDP and one TCP
 * port); with token auth, a bad token shows its exact refusal code; with
 * coturn configured, media through the TURN relay passes too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inspectMedia, mediaPorts, waitUntilAsync } from '../support/media-workers.js';
import { startCoturn, type RunningTurn } from '../support/coturn.js';
import { runDoctor } from '../support/doctor.js';
import { nowS, signJwt } from '../support/jwt.js';
import { startServer, type TestServer } from '../support/server.js';

const CHECKS = ['dns', 'tcp', 'tls', 'page', 'assets', 'websocket', 'long-poll', 'token', 'media-udp', 'media-tcp', 'health', 'media-stalls'];

describe('confab doctor against a healthy server', { timeout: 120_000 }, () => {
  let server: TestServer;
  /** The media workers' timers before any bot came. */
  let timersBefore = 0;
  before(async () => {
    server = await startServer();
    timersBefore = (await inspectMedia(server)).resources.Timeout ?? 0;
  });
  after(() => server?.stop());

  test('every check passes; media goes over UDP and over TCP to the one media ports; exit 0', async () => {
    const run = await runDoctor([server.url, '--loopback']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    for (const name of CHECKS) assert.match(run.line(name), /^ {2}PASS /, run.line(name));
    assert.match(run.line('media-relay'), /^ {2}SKIP .*no TURN server/);
    assert.match(run.lines.at(-1)!, /^result: PASS \(12 passed, 0 failed, 0 warned, 1 skipped\)$/);
    assert.match(run.line('media-stalls'), /0 detected \(0 receiving, 0 sending\), 0 repaired, 0 not repaired in the last hour/);
    const ports = server.server.media.workers.map((_, i) => mediaPorts(server, i));
    const udp = ports.map((p) => p.udp).join('|');
    const tcp = ports.map((p) => p.tcp).join('|');
    assert.match(run.line('media-udp'), new RegExp(`media path udp 127\\.0\\.0\\.1:\\d+ \\(host\\) -> 127\\.0\\.0\\.1:(${udp}) \\(host\\)`));
    assert.match(run.line('media-tcp'), new RegExp(`media path tcp 127\\.0\\.0\\.1 \\(tcp active\\) -> 127\\.0\\.0\\.1:(${tcp}) \\(host\\)`));
    assert.match(run.line('websocket'), /-> 101 Switching Protocols/);
    assert.match(run.line('long-poll'), /-> 404 application\/json '\{"error":"not_found"/);
    // The bots left: nobody is in a room after the doctor.
    assert.equal(server.server.gateway.participantCount(), 0);
  });

  test('--json is one parseable document with the same verdicts and the candidate pairs', async () => {
    const run = await runDoctor([server.url, '--loopback', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      result: string;
      exitCode: number;
      checks: { name: string; status: string; data?: { pairs?: { a: { publish: { local: { protocol: string }; remote: { port: number } } } } } }[];
    };
    assert.equal(report.result, 'pass');
    assert.equal(report.exitCode, 0);
    assert.deepEqual(report.checks.map((c) => c.name), [...CHECKS.slice(0, 10), 'media-relay', 'health', 'media-stalls']);
    const ports = server.server.media.workers.map((_, i) => mediaPorts(server, i));
    const udp = report.checks.find((c) => c.name === 'media-udp')!.data!.pairs!.a.publish;
    assert.equal(udp.local.protocol, 'udp');
    assert.ok(ports.some((p) => p.udp === udp.remote.port), `${udp.remote.port} is a worker's UDP port`);
    const tcp = report.checks.find((c) => c.name === 'media-tcp')!.data!.pairs!.a.publish;
    assert.equal(tcp.local.protocol, 'tcp');
    assert.ok(ports.some((p) => p.tcp === tcp.remote.port), `${tcp.remote.port} is a worker's TCP port`);
  });

  // werift's close() skipped senders of stopped transceivers: each kept its RTCP report timer running,
  // every second, for the life of the media worker.
  test('the bots leave nothing running in the server: no peer connection, no sender keeps its RTCP loop', async () => {
    await waitUntilAsync(
      async () => {
        const m = await inspectMedia(server);
        return m.peerConnectionsOpen === 0 && (m.resources.Timeout ?? 0) <= timersBefore;
      },
      5000,
      async () => `the media workers to be back where they started (timers ${JSON.stringify((await inspectMedia(server)).resources)} vs ${timersBefore})`,
    );
  });

  test('a usage error exits 2', async () => {
    const run = await runDoctor(['not a url']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /is not a URL/);
  });
});

describe('confab doctor with token authentication', { timeout: 120_000 }, () => {
  const SECRET = 'doctor-test-secret-long-enough-0123456789';
  const APP = 'class_platform';
  const dir = mkdtempSync(join(tmpdir(), 'confab-doctor-'));
  let server: TestServer;
  before(async () => {
    server = await startServer({ ENABLE_AUTH: '1', AUTH_TYPE: 'jwt', JWT_APP_ID: APP, JWT_APP_SECRET: SECRET });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ iss: APP, aud: 'jitsi', sub: 'meet.jitsi', room: '*', exp: nowS() + 600, ...extra });

  test('a token signed with another secret: FAIL with token_signature_invalid and its close code; exit 1', async () => {
    const run = await runDoctor([server.url, '--loopback', '--token', signJwt(claims(), { secret: 'some-other-secret-0123456789abcdef' })]);
    assert.equal(run.code, 1);
    assert.match(run.line('token'), /^ {2}FAIL {2}token .*refused in \d+ ms: token_signature_invalid \(close 4462\): .*; fix: the token was signed with another secret/);
    assert.match(run.line('media-udp'), /^ {2}SKIP .*needs a participant to be admitted/);
    assert.match(run.lines.at(-1)!, /^result: FAIL: token/);
  });

  test('an expired token: token_expired with the server\'s exact reason', async () => {
    const run = await runDoctor([server.url, '--loopback', '--only', 'token', '--token', signJwt(claims({ exp: nowS() - 42 }), { secret: SECRET })]);
    assert.equal(run.code, 1);
    assert.match(run.line('token'), /FAIL {2}token .*token_expired \(close 4464\): token expired 4\d s ago/);
  });

  test('no token: WARN token_missing, media skipped; a valid token or --secret-file: admitted and media passes', async () => {
    const none = await runDoctor([server.url, '--loopback', '--only', 'token']);
    assert.equal(none.code, 1);
    assert.match(none.line('token'), /^ {2}WARN {2}token .*token_missing \(close 4460\).*; fix: the server requires a token/);

    const valid = await runDoctor([server.url, '--loopback', '--only', 'media', '--token', signJwt(claims({ context: { user: { moderator: true } } }), { secret: SECRET })]);
    assert.equal(valid.code, 0, valid.stdout);
    assert.match(valid.line('token'), /PASS {2}token .*hello with the given token .*-> welcome/);
    assert.match(valid.line('media-udp'), /^ {2}PASS /);

    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, `${SECRET}\n`);
    const minted = await runDoctor([server.url, '--loopback', '--only', 'token', '--secret-file', secretFile, '--room', 'maths-101'], { JWT_APP_ID: APP });
    assert.equal(minted.code, 0, minted.stdout + minted.stderr);
    assert.match(minted.line('token'), /PASS {2}token .*a token minted with --secret-file for room 'maths-101' -> welcome/);
  });
});

describe('confab doctor with a TURN server', { timeout: 120_000 }, () => {
  let turn: RunningTurn;
  let server: TestServer;
  before(async () => {
    turn = await startCoturn();
    server = await startServer({ TURN_HOST: '127.0.0.1', TURN_PORT: String(turn.port), TURN_TRANSPORT: 'udp', TURN_CREDENTIALS: turn.secret });
  });
  after(async () => {
    await server?.stop();
    await turn?.stop();
  });

  test('media relayed through coturn passes, and the line says the relay carried it', async () => {
    const run = await runDoctor([server.url, '--loopback', '--only', 'media']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.line('media-relay'), /^ {2}PASS {2}media-relay .*over relay .*media path udp 127\.0\.0\.1:\d+ \(relay\) -> 127\.0\.0\.1:\d+ \(host\)/);
    assert.match(run.line('media-udp'), /^ {2}PASS /);
  });
});
