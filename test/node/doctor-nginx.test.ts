/**
 * `confab doctor` through Debian's nginx on loopback, as through an ingress
 * (no browser): nginx that routes only the page and its assets under
 * /jitsi/ but not /jitsi/signaling makes the doctor exit non-zero and name
 * the signaling route; nginx that drops WebSocket upgrades is told apart
 * from a missing route; a correct prefix rule passes, media included.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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

  test('one prefix rule with upgrades: everything passes, media included, through nginx', async () => {
    const url = await setup(proxyLocation('/jitsi/', 'UPSTREAM', true));
    const run = await runDoctor([url, '--loopback']);
    assert.equal(run.code, 0, run.stdout);
    for (const name of ['page', 'assets', 'websocket', 'long-poll', 'token', 'media-udp', 'media-tcp', 'health']) assert.match(run.line(name), /^ {2}PASS /);
  });
});
