/**
 * The bot's long-poll signaling (src/bot/longpoll-client.ts) against a real
 * server: bots that signal only over HTTP long-polling join a room, see and
 * hear each other, and leaving ends their sessions at once; a refusal
 * arrives as the error frame and the catalogue's close code, as over
 * WebSocket; and with 'auto' behind nginx that drops WebSocket upgrades the
 * bots fall back to long-poll by themselves, as browsers do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LongPollSignalingClient, longPollUrl, type Bot } from '../../src/bot/index.js';
import { ERRORS } from '../../src/protocol/errors.js';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { allReceiving, closeAll, joinBots } from '../support/bots.js';
import { freePort, proxyLocation, startNginx, type RunningNginx } from '../support/nginx.js';
import { startServer, waitUntil, type TestServer } from '../support/server.js';

const frames = (bot: Bot, from: Bot): number => bot.stats().remotes[from.participantId]?.video.frames ?? 0;

async function longPollConnections(server: TestServer): Promise<number> {
  const { body } = await server.server.metrics.render();
  return Number(/^confab_signaling_connections\{transport="long-poll"\} (\d+)$/m.exec(body)?.[1] ?? NaN);
}

describe('bots over long-poll signaling', { timeout: 90_000 }, () => {
  let server: TestServer;
  const bots: Bot[] = [];
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await closeAll(bots);
    await server.stop();
  });

  test('two long-poll bots join, receive each other’s audio and video, and leave at once', async () => {
    const pair = await joinBots(server.url, 'lp-room', ['ada', 'bob'], { signaling: 'long-poll' });
    bots.push(...pair);
    const [ada, bob] = pair as [Bot, Bot];
    const invalid: string[] = [];
    for (const bot of pair) {
      assert.ok(bot.signaling instanceof LongPollSignalingClient);
      assert.equal(bot.signaling.transport, 'long-poll');
      bot.signaling.on('invalid', (e) => invalid.push(e));
    }
    assert.equal(await longPollConnections(server), 2);
    await waitUntil(() => ada.participants.has(bob.participantId) && bob.participants.has(ada.participantId), 5_000, 'presence');
    await waitUntil(
      () => allReceiving(pair, 50) && frames(ada, bob) >= 5 && frames(bob, ada) >= 5,
      20_000,
      () => JSON.stringify(pair.map((b) => b.stats().remotes)),
    );
    assert.deepEqual(invalid, []);
    // leave(): the leave goes out in a POST, the server ends the session, the poll reports it.
    await Promise.all(pair.map((b) => b.leave()));
    for (const bot of pair) assert.equal(bot.signaling.closed?.code, 1000);
    assert.equal(server.server.gateway.participantCount(), 0);
  });

  test('close() says goodbye over long-poll: the participant leaves without waiting for the sweep', async () => {
    const client = await LongPollSignalingClient.connect(longPollUrl(server.url));
    const welcome = client.waitFor('welcome');
    client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room: 'lp-close', displayName: 'carol', audioMuted: true, videoMuted: true });
    await welcome;
    assert.ok(client.sid);
    assert.equal(server.server.gateway.participantCount(), 1);
    await client.close();
    assert.equal(server.server.gateway.participantCount(), 0);
    assert.equal(client.closed?.code, 1000);
  });
});

test('a refused hello over long-poll: the error frame, then the catalogue close code', { timeout: 30_000 }, async () => {
  const server = await startServer({ ENABLE_AUTH: '1', AUTH_TYPE: 'jwt', JWT_APP_ID: 'lp_app', JWT_APP_SECRET: 'a-long-enough-secret-for-the-long-poll-test' });
  try {
    const client = await LongPollSignalingClient.connect(longPollUrl(server.url));
    const errors: string[] = [];
    client.on('message', (m) => m.type === 'error' && errors.push(m.code));
    const welcome = client.waitFor('welcome');
    client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room: 'lp-auth', displayName: 'no token', audioMuted: true, videoMuted: true });
    const closeCode = ERRORS.token_missing.closeCode;
    await assert.rejects(welcome, new RegExp(`signaling closed \\(${closeCode} token_missing\\) while waiting for 'welcome'`));
    assert.deepEqual(errors, ['token_missing']);
    assert.deepEqual(client.closed, { code: closeCode, reason: 'token_missing' });
  } finally {
    await server.stop();
  }
});

describe("signaling 'auto' behind nginx without Upgrade headers", { timeout: 90_000 }, () => {
  let server: TestServer;
  let nginx: RunningNginx;
  let url: string;
  const bots: Bot[] = [];
  before(async () => {
    const port = await freePort();
    server = await startServer({ PUBLIC_URL: `http://127.0.0.1:${port}/jitsi/` });
    nginx = await startNginx({ upstreamPort: server.port, locations: proxyLocation('/jitsi/', 'UPSTREAM', false) }, port);
    url = `${nginx.url}jitsi/`;
  });
  after(async () => {
    await closeAll(bots);
    await nginx?.stop();
    await server?.stop();
  });

  test('the WebSocket gets 426, so the bots fall back to long-poll and exchange media', async () => {
    const pair = await joinBots(url, 'auto-room', ['ada', 'bob'], { signaling: 'auto' });
    bots.push(...pair);
    for (const bot of pair) assert.equal(bot.signaling.transport, 'long-poll');
    await waitUntil(() => allReceiving(pair, 30), 20_000, () => JSON.stringify(pair.map((b) => b.stats().remotes)));
    await Promise.all(pair.map((b) => b.leave()));
    assert.equal(server.server.gateway.participantCount(), 0);
  });

  test("'auto' straight to the server keeps the WebSocket", async () => {
    const [bot] = await joinBots(`http://127.0.0.1:${server.port}/jitsi/`, 'auto-direct', ['dan'], { signaling: 'auto', publish: undefined });
    bots.push(bot!);
    assert.equal(bot!.signaling.transport, 'websocket');
    await bot!.leave();
  });
});
