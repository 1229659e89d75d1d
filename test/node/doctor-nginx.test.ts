/**
 * `confab doctor` through Debian's nginx on loopback, as through an ingress
 * (no browser): nginx that routes only the page and its assets under
 * /jitsi/ but not /jitsi/signaling makes the doctor exit non-zero and name
 * the signaling route; nginx that drops WebSocket upgrades is told apart
 * from a missing route, and the token and media checks then run over
 * long-poll as browsers would; a correct prefix rule passes, media included.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { runDoctor } from '../support/doctor.js';
import { freePort, proxyLocation, startNginx, type RunningNginx } from '../support/nginx.js';
import { startServer, type TestServer } from '../support/server.js';

async function behindNginx(locations: string): Promise<{ server: TestServer; nginx: RunningNginx; url: string }> {
  const port = await freePort();
  const server = await startServer({ PUBLIC_URL: `http://127.0.0.1:${port}/jitsi/` });
  const nginx = await startNginx({ upstreamPort: server.port, locations }, port);
  return { server, nginx, url: `${nginx.url}jitsi/` };
}

describe('confab doctor through nginx', { timeout: 120_000 }, () => {
  const running: { server: TestServer; nginx: RunningNginx }[] = [];
  const setup = async (locations: string): Promise<string> => {
    const s = await behindNginx(locations);
    running.push(s);
    return s.url;
  };
  after(async () => {
    for (const { nginx, server } of running) {
      await nginx.stop();
      await server.stop();
    }
  });

  test('missing signaling location: exit 1, and the output names /jitsi/signaling and the rule to add', async () => {
    // The page and its assets are routed, signaling is not: the broken deployment of our story.
    const url = await setup(`
      location = /jitsi/ { proxy_pass UPSTREAM; }
      location /jitsi/assets/ { proxy_pass UPSTREAM; }`);
    const run = await runDoctor([url, '--loopback']);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.line('page'), /^ {2}PASS /);
    assert.match(run.line('assets'), /^ {2}PASS /);
    assert.match(
      run.line('websocket'),
      /^ {2}FAIL {2}websocket +GET \/jitsi\/signaling \(Upgrade: websocket\) -> 404 text\/html '<title>404 Not Found<\/title>' from nginx.*; fix: the proxy has no route for \/jitsi\/signaling \(the WebSocket signaling endpoint\): route the whole prefix \/jitsi\/ to Confab with one rule/,
    );
    assert.match(run.line('websocket'), /nginx `location \/jitsi\/ \{ proxy_pass http:\/\/<confab>:8000; proxy_http_version 1\.1; proxy_set_header Upgrade \$http_upgrade; proxy_set_header Connection "upgrade";/);
    assert.match(run.line('long-poll'), /^ {2}FAIL {2}long-poll +GET \/jitsi\/signaling\/lp\?sid=doctor-probe -> 404 .*; fix: the proxy has no route for \/jitsi\/signaling\/lp/);
    assert.match(run.line('token'), /^ {2}SKIP /);
    assert.match(run.line('media-udp'), /^ {2}SKIP /);
    assert.match(run.line('health'), /^ {2}FAIL {2}health +GET \/jitsi\/readyz -> 404/);
    assert.match(run.lines.at(-1)!, /^result: FAIL: websocket, long-poll, health /);
  });

  test('no Upgrade headers: the WebSocket line says upgrades are not passed; long-poll passes', async () => {
    const url = await setup(proxyLocation('/jitsi/', 'UPSTREAM', false));
    const run = await runDoctor([url, '--loopback', '--only', 'signaling']);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.line('websocket'), /FAIL {2}websocket .*-> 426 application\/json '\{"error":"upgrade_required".*; fix: the proxy does not pass WebSocket upgrades .*proxy_set_header Upgrade \$http_upgrade/);
    assert.match(run.line('long-poll'), /^ {2}PASS /);
  });

  test('no Upgrade headers: token and media run over long-poll as browsers would, and pass; exit 1 for the WebSocket', async () => {
    const url = await setup(proxyLocation('/jitsi/', 'UPSTREAM', false));
    const run = await runDoctor([url, '--loopback', '--json']);
    assert.equal(run.code, 1, run.stdout);
    type Check = { name: string; status: string; evidence: string; data?: Record<string, unknown> };
    const report = JSON.parse(run.stdout) as { result: string; exitCode: number; checks: Check[] };
    const check = (name: string): Check => report.checks.find((c) => c.name === name) ?? assert.fail(`no '${name}' check in ${run.stdout}`);
    assert.equal(report.exitCode, 1);
    assert.deepEqual(report.checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => c.name), ['websocket']);
    assert.match(check('websocket').evidence, /-> 426 /);
    assert.equal(check('long-poll').status, 'pass');
    for (const name of ['token', 'media-udp', 'media-tcp']) {
      assert.equal(check(name).status, 'pass', JSON.stringify(check(name)));
      assert.match(check(name).evidence, /; signaling: long-poll \(WebSocket blocked\)$/);
      assert.equal(check(name).data?.signaling, 'long-poll');
    }
    // The bots really saw and heard each other, with signaling over long-poll only.
    for (const name of ['media-udp', 'media-tcp']) {
      const counts = check(name).data?.counts as Record<'aFromB' | 'bFromA', { audio: number; frames: number }>;
      for (const got of [counts.aFromB, counts.bFromA]) assert.ok(got.audio >= 25 && got.frames >= 5, JSON.stringify(counts));
    }
    assert.equal(check('health').status, 'pass');
  });

  test('one prefix rule with upgrades: everything passes, media included, through nginx', async () => {
    const url = await setup(proxyLocation('/jitsi/', 'UPSTREAM', true));
    const run = await runDoctor([url, '--loopback']);
    assert.equal(run.code, 0, run.stdout);
    for (const name of ['page', 'assets', 'websocket', 'long-poll', 'token', 'media-udp', 'media-tcp', 'health']) assert.match(run.line(name), /^ {2}PASS /);
    // Both work: the bots keep to the WebSocket.
    for (const name of ['token', 'media-udp']) assert.doesNotMatch(run.line(name), /long-poll/);
  });
});
