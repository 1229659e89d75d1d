/**
 * The SIGTERM drain, end to end, on the real `confab serve` process (as a
 * pod runs it) with werift bots on loopback: a rolling upgrade must not cut
 * a class short, must not take new joiners, and must end with exit 0.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, test } from 'node:test';
import type { Bot } from '../../src/bot/index.js';
import { SignalingClient, signalingUrl } from '../../src/bot/index.js';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { allReceiving, closeAll, joinBots, received } from '../support/bots.js';
import { sleep, waitUntil } from '../support/server.js';
import { startServer, type RunningServer } from '../e2e/support.js';

const servers: RunningServer[] = [];
const bots: Bot[] = [];
after(async () => {
  await closeAll(bots);
  for (const s of servers) if (s.process.exitCode === null) s.process.kill('SIGKILL');
});

async function serverWithClass(room: string, drainTimeoutS: number, names = ['ada', 'bob']): Promise<{ server: RunningServer; class: Bot[] }> {
  const server = await startServer({ DRAIN_TIMEOUT_S: String(drainTimeoutS) });
  servers.push(server);
  const joined = await joinBots(server.url, room, names);
  bots.push(...joined);
  if (joined.length > 1) await waitUntil(() => allReceiving(joined, 25), 10_000, 'media among the class before SIGTERM');
  return { server, class: joined };
}

async function readyz(server: RunningServer): Promise<{ status: number; body: { ready: boolean; participants: number } }> {
  const res = await fetch(`${server.url}readyz`);
  return { status: res.status, body: (await res.json()) as { ready: boolean; participants: number } };
}

/** Every packet count (each bot, from each other bot, audio and video). */
function counts(group: readonly Bot[]): number[] {
  return group.flatMap((bot) => group.filter((o) => o !== bot).flatMap((o) => [received(bot, o, 'audio'), received(bot, o, 'video')]));
}

/** A raw hello: resolves with the error frame's code and the WebSocket close code. */
async function tryJoin(server: RunningServer, room: string): Promise<{ code: string | undefined; closeCode: number }> {
  const client = await SignalingClient.connect(signalingUrl(server.url));
  let code: string | undefined;
  client.on('message', (m) => {
    if (m.type === 'error') code = m.code;
  });
  const closed = new Promise<{ code: number }>((resolve) => client.on('closed', resolve));
  client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room, displayName: 'latecomer', audioMuted: false, videoMuted: false });
  const { code: closeCode } = await closed;
  return { code, closeCode };
}

const exitOf = (server: RunningServer): Promise<number | null> =>
  server.process.exitCode !== null ? Promise.resolve(server.process.exitCode) : once(server.process, 'exit').then(([code]) => code as number | null);

test('SIGTERM: unready at once, new joins refused, the class keeps its media until it leaves, then exit 0', { timeout: 60_000 }, async () => {
  const { server, class: [ada, bob] } = await serverWithClass('drain-class', 60);
  assert.ok(ada && bob);
  assert.equal((await readyz(server)).status, 200);

  const signalledAt = Date.now();
  server.process.kill('SIGTERM');
  await waitUntil(() => server.logs.some((l) => l.includes('draining: refusing new participants')), 2_000, 'the drain to start');
  const unready = await readyz(server);
  assert.equal(unready.status, 503, '/readyz turns 503 as soon as the drain starts');
  assert.deepEqual([unready.body.ready, unready.body.participants], [false, 2]);
  assert.ok(Date.now() - signalledAt < 2_000, `unready ${Date.now() - signalledAt} ms after SIGTERM`);

  // Media keeps flowing, every way, for seconds after SIGTERM.
  const atSignal = counts([ada, bob]);
  await sleep(2_000);
  const later = counts([ada, bob]);
  for (const [i, n] of later.entries()) assert.ok(n - atSignal[i]! > 25, `media flow ${i} grew by ${n - atSignal[i]!} packets in 2 s of draining`);

  // Newcomers are refused with the retryable code, to this class and to a new one alike.
  for (const room of ['drain-class', 'another-class']) {
    const refusal = await tryJoin(server, room);
    assert.deepEqual(refusal, { code: 'server_not_ready', closeCode: 4503 }, `a join to ${room} while draining`);
  }

  await ada.leave();
  await waitUntil(() => bob.participants.size === 0, 3_000, 'bob to see ada leave');
  const fromBob = received(ada, bob, 'audio');
  await sleep(500);
  assert.equal(server.process.exitCode, null, 'still serving the last participant');
  assert.equal((await readyz(server)).body.participants, 1);
  assert.equal(received(ada, bob, 'audio'), fromBob, 'ada left: nothing more reaches her');

  const leftAt = Date.now();
  await bob.leave();
  assert.equal(await exitOf(server), 0, 'exit 0 once the room is empty');
  assert.ok(Date.now() - leftAt < 3_000, `exited ${Date.now() - leftAt} ms after the last leave`);
  assert.ok(server.logs.some((l) => l.includes('drain finished: every participant left')), 'the drain logs how it ended');
});

test('the drain timeout passes first: clients are told server_shutting_down, then exit 0', { timeout: 60_000 }, async () => {
  const { server, class: group } = await serverWithClass('overtime', 3);
  const told = group.map(
    (bot) =>
      new Promise<{ error: string | undefined; closeCode: number }>((resolve) => {
        let error: string | undefined;
        bot.on('serverError', (m) => (error = m.code));
        bot.on('closed', ({ code }) => resolve({ error, closeCode: code }));
      }),
  );
  const signalledAt = Date.now();
  server.process.kill('SIGTERM');
  await sleep(1_500);
  assert.equal(server.process.exitCode, null, 'still draining before the timeout');
  for (const result of await Promise.all(told)) assert.deepEqual(result, { error: 'server_shutting_down', closeCode: 4504 });
  const waited = Date.now() - signalledAt;
  assert.ok(waited >= 2_900 && waited < 6_000, `told to reconnect ${waited} ms after SIGTERM (DRAIN_TIMEOUT_S=3)`);
  assert.equal(await exitOf(server), 0);
  assert.ok(server.logs.some((l) => l.includes('drain timed out')));
});

test('a second signal cuts the drain short; an empty server exits at once', { timeout: 60_000 }, async () => {
  const { server } = await serverWithClass('cut-short', 600, ['solo']);
  server.process.kill('SIGTERM');
  await waitUntil(() => server.logs.some((l) => l.includes('draining: refusing')), 2_000, 'the drain to start');
  server.process.kill('SIGINT');
  assert.equal(await exitOf(server), 0);
  assert.ok(server.logs.some((l) => l.includes('drain cut short by a second signal')));

  const empty = await startServer({ DRAIN_TIMEOUT_S: '600' });
  servers.push(empty);
  const signalledAt = Date.now();
  empty.process.kill('SIGTERM');
  assert.equal(await exitOf(empty), 0);
  assert.ok(Date.now() - signalledAt < 2_000, 'no participant: no waiting');
});
