/**
 * Cluster mode with real `confab serve` processes (as pods run them) on one
 * Debian redis-server, driven by werift bots: the room's host killed
 * (SIGKILL), a host draining on SIGTERM while a latecomer arrives through
 * another replica, and Redis stopped and started again mid-class. Bots do
 * not reconnect by themselves; the test rejoins a bot whose connection
 * ended, through the next live replica, as a page would.
 * (The same with Chromium pages behind nginx: test/e2e/cluster.test.ts.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Bot, SignalingClient, signalingUrl } from '../../src/bot/index.js';
import { PROTOCOL_VERSION, type ServerMessage, type ServerMessageOf } from '../../src/protocol/messages.js';
import { startServer as startChild, type RunningServer } from '../e2e/support.js';
import { allReceiving, closeAll, joinBots, received } from '../support/bots.js';
import { clusterEnv, clusterView, startChildNodes } from '../support/cluster.js';
import { startRedis, type RunningRedis } from '../support/redis.js';
import { sleep, waitUntil } from '../support/server.js';
import { label, WebhookReceiver } from '../support/webhook-receiver.js';

let redis: RunningRedis;
const servers: RunningServer[] = [];
const bots: Bot[] = [];

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await closeAll(bots);
  for (const s of servers) if (s.process.exitCode === null) s.process.kill('SIGKILL');
  await redis?.dispose();
});

/** `count` nodes for one test; the previous test's are stopped first, so every room lands on these. */
async function cluster(count: number, extra: Record<string, string> = {}): Promise<RunningServer[]> {
  await closeAll(bots.splice(0));
  // (A node this file SIGKILLed has exited already: stop() would wait for an exit that has come and gone.)
  for (const s of servers.splice(0)) if (s.process.exitCode === null && s.process.signalCode === null) await s.stop();
  const nodes = await startChildNodes(redis.url, count, extra);
  servers.push(...nodes);
  return nodes;
}

/** What each node logged last: the story of a failure. */
function logsOf(nodes: readonly RunningServer[]): string {
  return nodes.map((n, i) => `--- node ${i} (port ${n.port}):\n${n.logs.slice(-25).join('\n')}`).join('\n');
}

/** The node whose /readyz says it hosts rooms (one room per test). */
async function hostOf(nodes: readonly RunningServer[]): Promise<RunningServer> {
  for (const node of nodes) {
    if (node.process.exitCode !== null || node.process.signalCode !== null) continue;
    const body = (await (await fetch(`${node.url}readyz`)).json()) as { rooms: number };
    if (body.rooms > 0) return node;
  }
  throw new Error('no node hosts a room');
}

/** Joins through the live nodes in turn until one takes it (a page retries `server_not_ready` the same way). */
async function joinSomewhere(nodes: readonly RunningServer[], room: string, name: string, deadline: number): Promise<Bot> {
  for (let i = 0; ; i++) {
    const live = nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
    const node = live[i % live.length]!;
    try {
      const [bot] = await joinBots(node.url, room, [name]);
      return bot!;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

const exitOf = (server: RunningServer): Promise<number | null> =>
  server.process.exitCode !== null ? Promise.resolve(server.process.exitCode) : once(server.process, 'exit').then(([code]) => code as number | null);

test('SIGKILL of the room host: every participant is back in one class on a live node, with media, within 15 s', { timeout: 90_000 }, async () => {
  const nodes = await cluster(3);
  const names = ['ada', 'bob', 'cyd'];
  const group = await Promise.all(names.map(async (name, i) => (await joinBots(nodes[i]!.url, 'killed-host', [name]))[0]!));
  bots.push(...group);
  await waitUntil(() => allReceiving(group, 25), 15_000, 'the class to run before the kill');
  const host = await hostOf(nodes);
  const killedAt = Date.now();
  host.process.kill('SIGKILL');
  // Every bot loses its connection: at once on the dead node; from its edge once the link cannot be resumed.
  await waitUntil(() => group.every((b) => b.closed), 10_000, 'every participant to be told');
  const deadline = killedAt + 15_000;
  const rejoined = await Promise.all(names.map((name) => joinSomewhere(nodes, 'killed-host', name, deadline))).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${logsOf(nodes)}`);
  });
  bots.push(...rejoined);
  await waitUntil(() => allReceiving(rejoined, 10), Math.max(1, deadline - Date.now()), () => `media among all three again\n${logsOf(nodes)}`);
  const recoveredMs = Date.now() - killedAt;
  process.stderr.write(`cluster: SIGKILL of the host → the class back with media after ${(recoveredMs / 1000).toFixed(1)} s (CLUSTER_LEASE_S=2)\n`);
  assert.ok(recoveredMs < 15_000, `recovered after ${recoveredMs} ms`);
  const live = nodes.filter((n) => n !== host);
  const newHost = await hostOf(live);
  assert.equal(((await (await fetch(`${newHost.url}readyz`)).json()) as { participants: number }).participants, 3, 'one class of three on one node');
  await closeAll(rejoined);
});

test('SIGTERM (drain) of the room host: it keeps the class, and a latecomer through another replica joins that same class', { timeout: 90_000 }, async () => {
  const nodes = await cluster(3, { DRAIN_TIMEOUT_S: '120' });
  const group = [...(await joinBots(nodes[0]!.url, 'draining', ['ada'])), ...(await joinBots(nodes[1]!.url, 'draining', ['bob']))];
  bots.push(...group);
  await waitUntil(() => allReceiving(group, 25), 15_000, 'the class to run');
  const host = await hostOf(nodes);
  host.process.kill('SIGTERM');
  await waitUntil(() => host.logs.some((l) => l.includes('draining: refusing new participants')), 5000, 'the drain to start');
  assert.equal((await fetch(`${host.url}readyz`)).status, 503);

  const others = nodes.filter((n) => n !== host);
  const [late] = await joinBots(others[0]!.url, 'draining', ['latecomer']);
  bots.push(late!);
  assert.equal(late!.participants.size, 2, 'the latecomer sees the class, not an empty room');
  await waitUntil(() => allReceiving([...group, late!], 10), 15_000, 'the latecomer and the class receive each other');
  assert.equal(((await (await fetch(`${host.url}readyz`)).json()) as { participants: number }).participants, 3, 'the draining node hosts all three');

  // A new class goes to a node that is not draining, whichever replica it is joined through.
  const [fresh] = await joinBots(others[1]!.url, 'after-the-drain', ['new']);
  bots.push(fresh!);
  const views = await Promise.all(others.map(async (n) => ((await (await fetch(`${n.url}readyz`)).json()) as { rooms: number }).rooms));
  assert.equal(views.reduce((a, b) => a + b, 0), 1, 'the new room is on a live node');
  assert.equal((await clusterView(others[0]!.url)).nodes.find((n) => n.state === 'draining')?.rooms, 1, 'the cluster view shows the draining node with its class');

  await closeAll([fresh!]);
  for (const b of [...group, late!]) await b.leave();
  assert.equal(await exitOf(host), 0, 'the drained node exits once its class has left');
});

test('Redis stopped mid-class: the class goes on, new joins are refused as server_not_ready; Redis back: joins work again, no restart', { timeout: 90_000 }, async () => {
  const nodes = await cluster(2);
  const group = [...(await joinBots(nodes[0]!.url, 'redis-blip', ['ada'])), ...(await joinBots(nodes[1]!.url, 'redis-blip', ['bob']))];
  bots.push(...group);
  await waitUntil(() => allReceiving(group, 25), 15_000, 'the class to run');
  const [ada, bob] = group as [Bot, Bot];

  await redis.stop();
  await sleep(1_000);
  const before = [received(ada, bob, 'video'), received(bob, ada, 'video')];
  await sleep(3_000);
  assert.ok(received(ada, bob, 'video') - before[0]! > 25 && received(bob, ada, 'video') - before[1]! > 25, 'media keeps flowing both ways (one of them relayed) while Redis is down');
  for (const node of nodes) assert.equal((await clusterView(node.url)).redis, 'unreachable');
  const refusal = await tryJoin(nodes[1]!.url, 'new-while-down');
  assert.deepEqual(refusal, { code: 'server_not_ready', closeCode: 4503 });

  const seen = nodes.map((n) => n.logs.length);
  await redis.start();
  await waitUntil(() => nodes.every((n, i) => n.logs.slice(seen[i]).some((l) => l.includes('redis reachable again'))), 15_000, 'both nodes to be back on Redis');
  const [fresh] = await joinBots(nodes[1]!.url, 'new-after', ['new']).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${logsOf(nodes)}`);
  });
  bots.push(fresh!);
  // The class's lease, lost with Redis's memory, was claimed again: a latecomer lands in the same class.
  const [late] = await joinBots(nodes[0]!.url, 'redis-blip', ['late']);
  bots.push(late!);
  assert.equal(late!.participants.size, 2, 'the latecomer is in the running class');
  await waitUntil(() => allReceiving([ada, bob, late!], 10), 15_000, 'the latecomer and the class receive each other');
});

/** A raw hello: the error frame's code and the close code. */
async function tryJoin(url: string, room: string): Promise<{ code: string | undefined; closeCode: number }> {
  const client = await SignalingClient.connect(signalingUrl(url));
  let code: string | undefined;
  client.on('message', (m) => {
    if (m.type === 'error') code = m.code;
  });

  const closed = new Promise<{ code: number }>((resolve) => client.on('closed', resolve));
  client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room, displayName: 'x', audioMuted: false, videoMuted: false });
  const { code: closeCode } = await closed;
  return { code, closeCode };
}

/** A raw signaling client (a page's protocol, no media), as session-resume.test.ts uses. */
class Probe {
  readonly messages: ServerMessage[] = [];
  welcome!: ServerMessageOf<'welcome'>;

  private constructor(readonly client: SignalingClient) {
    client.on('message', (m) => this.messages.push(m));
  }

  /** Says hello through `url` (with `resume` to come back); resolves on the welcome or resumed, rejects on a close. */
  static async hello(url: string, room: string, name: string, resume?: { participantId: string; secret: string; received: number }): Promise<Probe> {
    const probe = new Probe(await SignalingClient.connect(signalingUrl(url)));
    const answer = Promise.race([probe.client.waitFor('welcome'), probe.client.waitFor('resumed')]);
    probe.client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room, displayName: name, audioMuted: true, videoMuted: true, ...(resume ? { resume } : {}) });
    const first = await answer;
    if (first.type === 'welcome') probe.welcome = first;
    return probe;
  }

  get received(): number {
    return this.messages.filter((m) => m.type !== 'resumed' && m.type !== 'pong').length;
  }

  last<T extends ServerMessage['type']>(type: T): ServerMessageOf<T> | undefined {
    return this.messages.filter((m): m is ServerMessageOf<T> => m.type === type).at(-1);
  }
}

/** Comes back after the host died, as the page does: resume credentials, any live replica, retried while refused. */
async function comeBack(nodes: readonly RunningServer[], probe: Probe, name: string, deadline: number, room = 'kept-class'): Promise<Probe> {
  const resume = { participantId: probe.welcome.participantId, secret: probe.welcome.resumeSecret!, received: probe.received };
  for (let i = 0; ; i++) {
    const live = nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
    try {
      return await Probe.hello(live[i % live.length]!.url, room, name, resume);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${String(error)}\n${logsOf(nodes)}`);
      await sleep(250);
    }
  }
}

test('the host killed: the class continues on the next one as it was (chat, hands, lock, lecture mode, roles), and each page keeps its place', { timeout: 90_000 }, async () => {
  const nodes = await cluster(3);
  const teacher = await Probe.hello(nodes[0]!.url, 'kept-class', 'Teacher');
  const student = await Probe.hello(nodes[1]!.url, 'kept-class', 'Student');
  assert.equal(teacher.welcome.self.role, 'moderator', 'the first one in moderates (auto-owner)');
  teacher.client.send({ type: 'chat-send', text: 'Open your books at page 12' });
  student.client.send({ type: 'set-hand-raised', raised: true });
  teacher.client.send({ type: 'moderate', request: { action: 'mute-everyone', kind: 'video', hard: true } });
  teacher.client.send({ type: 'moderate', request: { action: 'lock-room', locked: true } });
  await waitUntil(() => student.last('room-state')?.state.locked === true && student.messages.some((m) => m.type === 'chat'), 5000, 'the class to be set up');
  await sleep(1000); // the state is written a quarter second after the last change
  const host = await hostOf(nodes);
  host.process.kill('SIGKILL');
  const deadline = Date.now() + 15_000;
  // As a page: it comes back once its connection ends (at once on the dead node; from an edge once the relay gives up).
  await waitUntil(() => teacher.client.closed !== undefined && student.client.closed !== undefined, 10_000, 'both connections to end');
  const [t, s] = await Promise.all([comeBack(nodes, teacher, 'Teacher', deadline), comeBack(nodes, student, 'Student', deadline)]);
  for (const [before, after] of [
    [teacher, t],
    [student, s],
  ] as const) {
    assert.equal(after.welcome?.participantId, before.welcome.participantId, 'the same participant, joined afresh on the new host');
    await waitUntil(() => after.last('chat') !== undefined && after.last('room-state') !== undefined, 5000, 'the room state and chat history after the welcome');
    assert.deepEqual(after.last('chat')?.messages.map((m) => m.text), ['Open your books at page 12'], 'the chat history came along');
    assert.deepEqual(after.last('room-state')?.state, { locked: true, lobbyEnabled: false, hardMuted: { audio: false, video: true }, subject: '' });
    assert.equal(after.messages.some((m) => m.type === 'error' && m.code === 'class_state_lost'), false, 'nothing lost, nothing to say');
  }
  assert.equal(t.welcome.self.role, 'moderator', 'the teacher still moderates');
  assert.equal(s.welcome.self.role, 'participant', 'the student did not become moderator by coming back first');
  assert.ok(s.welcome.self.handRaisedAt !== null, 'the hand is still up');
  assert.equal(s.welcome.self.videoLocked, true, 'lecture mode still holds the student');
  assert.notEqual(await hostOf(nodes), host);
  // A stranger is still kept out: the room is locked.
  await assert.rejects(Probe.hello(nodes.find((n) => n !== host)!.url, 'kept-class', 'Stranger'), /room_locked/);
});

test('SIGKILL of a replica that only relayed: its page resumes its session through another replica, nobody sees a leave', { timeout: 60_000 }, async () => {
  const nodes = await cluster(3);
  const first = await Probe.hello(nodes[0]!.url, 'relay-killed', 'First');
  const host = await hostOf(nodes);
  // An edge that carries only the relayed page (not the first one's connection).
  const edge = nodes.find((n) => n !== host && n !== nodes[0])!;
  const relayed = await Probe.hello(edge.url, 'relay-killed', 'Relayed');
  await waitUntil(() => first.messages.some((m) => m.type === 'participant-joined'), 5000, 'the first to see the relayed one');
  edge.process.kill('SIGKILL');
  const back = await comeBack(nodes, relayed, 'Relayed', Date.now() + 10_000, 'relay-killed');
  assert.equal(back.messages[0]?.type, 'resumed', 'a resume, not a new join');
  assert.equal(back.last('resumed')?.participantId, relayed.welcome.participantId);
  back.client.send({ type: 'chat-send', text: 'still here' });
  await waitUntil(() => first.messages.some((m) => m.type === 'chat' && m.messages.some((c) => c.text === 'still here')), 5000, 'the resumed session to carry on');
  assert.equal(first.messages.some((m) => m.type === 'participant-left'), false, 'nobody saw the relayed participant leave');
});

test('the host killed and its class state lost with it (Redis emptied): the class starts afresh and each returning page is told so', { timeout: 60_000 }, async () => {
  const nodes = await cluster(2);
  const teacher = await Probe.hello(nodes[0]!.url, 'lost-class', 'Teacher');
  teacher.client.send({ type: 'chat-send', text: 'this will be lost' });
  await sleep(1000);
  const host = await hostOf(nodes);
  host.process.kill('SIGKILL');
  execFileSync('redis-cli', ['-p', String(redis.port), 'FLUSHALL']);
  await waitUntil(() => teacher.client.closed !== undefined, 10_000, 'the connection to end');
  const back = await comeBack(nodes, teacher, 'Teacher', Date.now() + 15_000, 'lost-class');
  await waitUntil(() => back.messages.some((m) => m.type === 'error'), 5000, 'the notice');
  const notice = back.last('error')!;
  assert.deepEqual([notice.code, notice.fatal], ['class_state_lost', false], 'a notice, and the page stays');
  assert.match(notice.message, /could not be carried over/);
  assert.equal(back.last('chat'), undefined, 'no history: it was lost');
});

test('webhooks: each node delivers its own outbox; a killed host\'s undelivered events go out when a node starts again on its outbox file', { timeout: 90_000 }, async () => {
  const SECRET = 'cluster-webhooks-secret-0123456789abcdef';
  const dir = mkdtempSync(join(tmpdir(), 'confab-cluster-webhooks-'));
  const receiver = new WebhookReceiver(SECRET);
  await receiver.listen();
  try {
    await cluster(0);
    // Each node its own outbox file, as each pod its own volume; the platform's receiver is down at first.
    const webhookEnv = (i: number): Record<string, string> => ({
      ...clusterEnv(redis.url),
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_OUTBOX_PATH: join(dir, `node-${i}`, 'webhooks.sqlite'),
      WEBHOOK_RETRY_MIN_S: '0.05',
      WEBHOOK_RETRY_MAX_S: '0.3',
    });
    receiver.mode = 'unavailable';
    const nodes = await Promise.all([0, 1].map((i) => startChild(webhookEnv(i))));
    servers.push(...nodes);
    await waitUntil(() => nodes.every((n) => n.logs.some((l) => l.includes('cluster mode: this node shares rooms'))), 10_000, 'both nodes in the cluster');
    const ada = await Probe.hello(nodes[0]!.url, 'hooked', 'Ada');
    const bob = await Probe.hello(nodes[1]!.url, 'hooked', 'Bob');
    await waitUntil(() => ada.messages.some((m) => m.type === 'participant-joined'), 5000, 'both in the class');
    await waitUntil(() => receiver.requests > 3, 5000, 'failed deliveries from the host');
    const host = await hostOf(nodes);
    const survivor = nodes.find((n) => n !== host)!;
    host.process.kill('SIGKILL');
    await waitUntil(() => ada.client.closed !== undefined && bob.client.closed !== undefined, 10_000, 'both connections to end');
    const deadline = Date.now() + 15_000;
    await Promise.all([comeBack([survivor], ada, 'Ada', deadline, 'hooked'), comeBack([survivor], bob, 'Bob', deadline, 'hooked')]);
    receiver.mode = 'accept';
    // The survivor delivers what it recorded of the class it now hosts; nothing of the dead host's yet.
    await waitUntil(() => receiver.events().length >= 3, 10_000, () => `the survivor's events, got ${receiver.events().map(label).join(', ')}`);
    const sessions = (): string[] => [...new Set(receiver.events().map((e) => e.roomSessionId))];
    assert.equal(sessions().length, 1, 'only the live node delivers');
    // A node starts again on the dead host's outbox file (the pod back on its volume): its events go out.
    const restarted = await startChild(webhookEnv(nodes.indexOf(host)));
    servers.push(restarted);
    await waitUntil(() => sessions().length === 2 && receiver.events((e) => e.roomSessionId !== sessions()[0]).length === 3, 10_000, () => `the dead host's events, got ${receiver.events().map(label).join(', ')}`);
    const [moved, dead] = [sessions()[0]!, sessions()[1]!];
    const of = (session: string): string[] => receiver.events((e) => e.roomSessionId === session).map((e) => e.type);
    assert.deepEqual(of(dead), ['room_started', 'participant_joined', 'participant_joined'], "every event the killed host had recorded, none invented (it never saw anyone leave)");
    assert.deepEqual(of(moved), ['room_started', 'participant_joined', 'participant_joined'], 'the class again on its new host');
    assert.ok(receiver.accepted.every((r) => r.signatureValid));
  } finally {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
