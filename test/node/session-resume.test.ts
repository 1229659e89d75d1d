/**
 * Session resume over real WebSocket and long-poll connections: a
 * participant whose connection drops without a goodbye is held for
 * RESUME_GRACE_S, shown to the others as interrupted, and a new connection
 * with the secret from its welcome continues the same session: same id, no
 * leave or join seen by anyone, missed messages replayed in order. Every
 * way a resume can fail ends in a fresh join, never in a stuck or doubled
 * participant. (Media continuity through a resume: test/e2e/resume.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SignalingClient, signalingUrl } from '../../src/bot/index.js';
import { PROTOCOL_VERSION, type ClientMessageInput, type ServerMessage, type ServerMessageOf } from '../../src/protocol/messages.js';
import { sleep, startServer, waitUntil, type TestServer } from '../support/server.js';

let server: TestServer;

before(async () => {
  server = await startServer({ PING_INTERVAL_S: '1', RESUME_GRACE_S: '3' });
});
after(async () => {
  await server.stop();
});

/** A raw signaling client that records and counts every server message, as the web client does. */
class Probe {
  readonly messages: ServerMessage[] = [];
  welcome!: ServerMessageOf<'welcome'>;

  private constructor(readonly client: SignalingClient) {
    client.on('message', (m) => this.messages.push(m));
  }

  static async join(room: string, name: string, extra: Record<string, unknown> = {}): Promise<Probe> {
    const probe = new Probe(await SignalingClient.connect(signalingUrl(server.url)));
    const welcome = probe.client.waitFor('welcome');
    probe.client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room, displayName: name, ...extra });
    probe.welcome = await welcome;
    return probe;
  }

  /** Server messages received, as counted for a resume (`resumed` and pongs are not numbered). */
  get received(): number {
    return this.messages.filter((m) => m.type !== 'resumed' && m.type !== 'pong').length;
  }

  of<T extends ServerMessage['type']>(type: T): ServerMessageOf<T>[] {
    return this.messages.filter((m): m is ServerMessageOf<T> => m.type === type);
  }

  /** Presence updates about `id`'s connection, in order. */
  interruptions(id: string): boolean[] {
    return this.of('participant-updated').filter((m) => m.participant.id === id).map((m) => m.participant.connectionInterrupted);
  }
}

const resumeHello = (room: string, probe: Probe, received = probe.received, secret = probe.welcome.resumeSecret) => ({
  type: 'hello' as const,
  protocolVersion: PROTOCOL_VERSION,
  room,
  displayName: probe.welcome.self.displayName,
  resume: { participantId: probe.welcome.participantId, secret: secret!, received },
});

async function connect(): Promise<{ client: SignalingClient; messages: ServerMessage[] }> {
  const client = await SignalingClient.connect(signalingUrl(server.url));
  const messages: ServerMessage[] = [];
  client.on('message', (m) => messages.push(m));
  return { client, messages };
}

/** A new connection says `hello` and gets `type` back: `resumed`, or `welcome` when it was joined afresh. */
async function helloGets<T extends 'resumed' | 'welcome'>(hello: ClientMessageInput, type: T) {
  const c = await connect();
  const reply = c.client.waitFor(type);
  c.client.send(hello);
  return { ...c, reply: await reply };
}

test('a dropped connection resumes: same participant, nobody sees it leave, missed messages replayed, the client told what to resend', { timeout: 30_000 }, async () => {
  const ada = await Probe.join('resume-a', 'Ada');
  const bob = await Probe.join('resume-a', 'Bob');
  assert.match(ada.welcome.resumeSecret ?? '', /^[\w-]{32}$/, 'the welcome carries a resume secret');
  await waitUntil(() => ada.of('participant-joined').length === 1, 5000, 'Ada to see Bob');
  // One message from Ada that the server handles before the drop.
  ada.client.send({ type: 'set-hand-raised', raised: true });
  await waitUntil(() => bob.of('participant-updated').some((m) => m.participant.handRaisedAt !== null), 5000, 'the raised hand');
  const receivedBeforeDrop = ada.received;

  // The network drops Ada: no close frame (the server sees 1006).
  ada.client.socket.terminate();
  await waitUntil(() => bob.interruptions(ada.welcome.participantId).includes(true), 5000, 'Bob to see Ada as interrupted');
  assert.equal(server.server.resume.suspendedCount(), 1);
  // While Ada is away, Bob writes to the room: the message waits for her.
  bob.client.send({ type: 'chat-send', text: 'while you were away' });
  await sleep(300);

  const back = await helloGets(resumeHello('resume-a', ada, receivedBeforeDrop), 'resumed');
  const r = back.reply;
  assert.equal(r.participantId, ada.welcome.participantId, 'the same participant');
  assert.equal(r.received, 1, 'the server counted the one message Ada sent after hello');
  await waitUntil(() => back.messages.some((m) => m.type === 'chat' && !m.history), 5000, 'the missed chat message, replayed');
  const chat = back.messages.find((m): m is ServerMessageOf<'chat'> => m.type === 'chat' && !m.history);
  assert.equal(chat?.messages[0]?.text, 'while you were away');
  assert.equal(back.messages[0]?.type, 'resumed', 'resumed comes first, then the replay');
  assert.ok(!back.messages.some((m) => m.type === 'welcome'), 'no new welcome: not a new join');

  // Bob saw Ada interrupted, then back; never a leave or a second join.
  await waitUntil(() => bob.interruptions(ada.welcome.participantId).at(-1) === false, 5000, 'Bob to see Ada back');
  assert.deepEqual(bob.of('participant-left'), []);
  assert.deepEqual(bob.of('participant-joined'), []);
  assert.equal(server.server.gateway.registry.get('resume-a')?.participants.size, 2);
  assert.equal(server.server.resume.suspendedCount(), 0);

  // The resumed connection is the live one: Ada's messages reach Bob, Bob's reach her.
  back.client.send({ type: 'chat-send', text: 'I am back' });
  await waitUntil(() => bob.of('chat').some((m) => m.messages.some((c) => c.text === 'I am back')), 5000, 'Ada → Bob after the resume');
  const metrics = (await (await fetch(`${server.url}metrics`)).text()).split('\n');
  assert.ok(metrics.includes('confab_session_resumes_total{outcome="resumed"} 1'), 'counted as resumed');
  await back.client.close();
  await bob.client.close();
});

test('a new connection takes over a half-open one (the server had not noticed the drop yet)', { timeout: 20_000 }, async () => {
  const ada = await Probe.join('resume-b', 'Ada');
  const bob = await Probe.join('resume-b', 'Bob');
  await waitUntil(() => ada.of('participant-joined').length === 1, 5000, 'Ada to see Bob');
  const back = await helloGets(resumeHello('resume-b', ada), 'resumed');
  assert.equal(back.reply.received, 0);
  // The old socket is closed by the server with a normal close: no error, no leave.
  await waitUntil(() => ada.client.closed !== undefined, 5000, 'the old connection to be closed');
  assert.equal(ada.client.closed?.code, 1000);
  await sleep(500);
  assert.deepEqual(bob.of('participant-left'), []);
  assert.deepEqual(bob.interruptions(ada.welcome.participantId), [], 'never shown as interrupted');
  assert.equal(server.server.gateway.registry.get('resume-b')?.participants.size, 2);
  await back.client.close();
  await bob.client.close();
});

test('after the grace period the participant leaves, and a late resume joins afresh', { timeout: 20_000 }, async () => {
  const ada = await Probe.join('resume-c', 'Ada');
  const bob = await Probe.join('resume-c', 'Bob');
  const droppedAt = Date.now();
  ada.client.socket.terminate();
  await waitUntil(() => bob.of('participant-left').length === 1, 8000, 'Ada to leave after the grace period');
  const heldMs = Date.now() - droppedAt;
  assert.ok(heldMs >= 2500, `held for the 3 s grace, left after ${heldMs} ms`);
  assert.equal(bob.of('participant-left')[0]?.reason, 'disconnected');
  assert.deepEqual(bob.interruptions(ada.welcome.participantId), [true]);

  const late = await helloGets(resumeHello('resume-c', ada), 'welcome');
  const w = late.reply;
  assert.notEqual(w.participantId, ada.welcome.participantId, 'a new participant');
  assert.equal(w.self.displayName, 'Ada', 'joined from the rest of the hello');
  assert.ok(!late.messages.some((m) => m.type === 'resumed'));
  const metrics = await (await fetch(`${server.url}metrics`)).text();
  assert.match(metrics, /confab_session_resumes_total\{outcome="expired"\} [1-9]/);
  assert.match(metrics, /confab_session_resumes_total\{outcome="refused"\} [1-9]/);
  await late.client.close();
  await bob.client.close();
});

test('a wrong secret, another room or an impossible count never resumes anyone', { timeout: 30_000 }, async () => {
  const ada = await Probe.join('resume-d', 'Ada');
  const bob = await Probe.join('resume-d', 'Bob');
  ada.client.socket.terminate();
  await waitUntil(() => bob.interruptions(ada.welcome.participantId).includes(true), 5000, 'Ada held');

  // Wrong secret: a fresh participant; Ada is untouched (still held).
  const guess = await helloGets(resumeHello('resume-d', ada, ada.received, 'x'.repeat(32)), 'welcome');
  assert.notEqual(guess.reply.participantId, ada.welcome.participantId);
  // The right secret for another room: a fresh participant there.
  const elsewhere = await helloGets(resumeHello('resume-d-other', ada), 'welcome');
  assert.notEqual(elsewhere.reply.participantId, ada.welcome.participantId);
  assert.equal(server.server.resume.suspendedCount(), 1, 'Ada is still held');
  assert.ok(!bob.of('participant-left').some((m) => m.participantId === ada.welcome.participantId));

  // The right secret but a count beyond what the server sent: the session cannot continue
  // safely, so Ada leaves now and this connection joins as someone new.
  const confused = await helloGets(resumeHello('resume-d', ada, ada.received + 1000), 'welcome');
  assert.notEqual(confused.reply.participantId, ada.welcome.participantId);
  await waitUntil(() => bob.of('participant-left').some((m) => m.participantId === ada.welcome.participantId), 2000, 'Ada to leave at once');
  assert.equal(server.server.resume.suspendedCount(), 0);
  for (const c of [guess, elsewhere, confused]) await c.client.close();
  await bob.client.close();
});

test('a goodbye (close 1000) or a leave message ends the session at once: nothing is held', { timeout: 20_000 }, async () => {
  const ada = await Probe.join('resume-e', 'Ada');
  const cat = await Probe.join('resume-e', 'Cat');
  const bob = await Probe.join('resume-e', 'Bob');
  await ada.client.close(1000);
  cat.client.send({ type: 'leave' });
  await waitUntil(() => bob.of('participant-left').length === 2, 1500, 'both to leave without a grace period');
  assert.deepEqual(bob.interruptions(ada.welcome.participantId), []);
  assert.equal(server.server.resume.suspendedCount(), 0);
  // Their secrets are dead.
  const late = await helloGets(resumeHello('resume-e', ada), 'welcome');
  assert.notEqual(late.reply.participantId, ada.welcome.participantId);
  await late.client.close();
  await bob.client.close();
});

test('a long-poll session that stops polling is held, and resumes over a WebSocket', { timeout: 20_000 }, async () => {
  const bob = await Probe.join('resume-f', 'Bob');
  const lp = `${server.url}signaling/lp`;
  const hello = { type: 'hello' as const, protocolVersion: PROTOCOL_VERSION, room: 'resume-f', displayName: 'Ada' };
  const { sid } = (await (await fetch(lp, { method: 'POST', body: JSON.stringify(hello) })).json()) as { sid: string };
  const poll = (await (await fetch(`${lp}?sid=${sid}&ack=0`)).json()) as { seq: number; messages: ServerMessage[] };
  const welcome = poll.messages.find((m): m is ServerMessageOf<'welcome'> => m.type === 'welcome');
  assert.ok(welcome?.resumeSecret, 'welcome over long-poll carries the secret');
  // The client stops polling (its network went away): after two ping intervals it is held, not gone.
  await waitUntil(() => bob.interruptions(welcome.participantId).includes(true), 6000, 'Ada held after her polls stopped');
  assert.deepEqual(bob.of('participant-left'), []);

  const back = await helloGets({ ...hello, resume: { participantId: welcome.participantId, secret: welcome.resumeSecret, received: poll.messages.length } }, 'resumed');
  assert.equal(back.reply.participantId, welcome.participantId);
  await waitUntil(() => bob.interruptions(welcome.participantId).at(-1) === false, 5000, 'Ada back');
  assert.deepEqual(bob.of('participant-left'), []);
  await back.client.close();
  await bob.client.close();
});

test('a moderator removes a held participant: it leaves as removed, the hold ends, and its secret is dead', { timeout: 20_000 }, async () => {
  const teacher = await Probe.join('resume-g', 'Teacher');
  assert.equal(teacher.welcome.self.role, 'moderator', 'the first one in moderates (auto-owner)');
  const ada = await Probe.join('resume-g', 'Ada');
  ada.client.socket.terminate();
  await waitUntil(() => teacher.interruptions(ada.welcome.participantId).includes(true), 5000, 'Ada held');
  teacher.client.send({ type: 'moderate', request: { action: 'remove', participantId: ada.welcome.participantId } });
  await waitUntil(() => teacher.of('participant-left').length === 1, 3000, 'Ada removed');
  assert.equal(teacher.of('participant-left')[0]?.reason, 'removed');
  assert.equal(server.server.resume.suspendedCount(), 0);
  const before = await (await fetch(`${server.url}metrics`)).text();
  const expired = (text: string): string | undefined => /confab_session_resumes_total\{outcome="expired"\} (\d+)/.exec(text)?.[1];
  await sleep(3500); // past the grace: nothing more happens
  assert.equal(expired(await (await fetch(`${server.url}metrics`)).text()), expired(before), 'not counted as expired as well');
  assert.equal(teacher.of('participant-left').length, 1, 'no second leave');
  const late = await helloGets(resumeHello('resume-g', ada), 'welcome');
  assert.notEqual(late.reply.participantId, ada.welcome.participantId, 'the removed session cannot be resumed');
  await late.client.close();
  await teacher.client.close();
});

test('pings acknowledge what the client has: the server stops keeping it, and its pong says what it got', { timeout: 20_000 }, async () => {
  const ada = await Probe.join('resume-h', 'Ada');
  const bob = await Probe.join('resume-h', 'Bob');
  await waitUntil(() => ada.of('participant-joined').length === 1, 5000, 'Ada to see Bob');
  ada.client.send({ type: 'set-hand-raised', raised: true });
  const acknowledged = ada.received;
  const pong = ada.client.waitFor('pong');
  ada.client.send({ type: 'ping', nonce: 1, received: acknowledged });
  assert.deepEqual(await pong, { type: 'pong', nonce: 1, received: 1 }, 'the pong counts the one message before the ping');
  ada.client.socket.terminate();
  await waitUntil(() => bob.interruptions(ada.welcome.participantId).includes(true), 5000, 'Ada held');
  // Claiming less than the ping acknowledged: those messages are gone, so no resume (a fresh join).
  const stale = await helloGets(resumeHello('resume-h', ada, acknowledged - 1), 'welcome');
  assert.notEqual(stale.reply.participantId, ada.welcome.participantId);
  await stale.client.close();
  await bob.client.close();
});

// Last: it drains (and so closes) the shared server.
test('while the server drains, new joins are refused but a dropped participant still resumes', { timeout: 20_000 }, async () => {
  const ada = await Probe.join('resume-z', 'Ada');
  const bob = await Probe.join('resume-z', 'Bob');
  ada.client.socket.terminate();
  await waitUntil(() => bob.interruptions(ada.welcome.participantId).includes(true), 5000, 'Ada held');
  const drained = server.server.drain({ timeoutMs: 15_000 });
  const newcomer = await connect();
  newcomer.client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room: 'resume-z', displayName: 'Late' });
  await waitUntil(() => newcomer.client.closed !== undefined, 3000, 'the newcomer refused');
  assert.ok(newcomer.messages.some((m) => m.type === 'error' && m.code === 'server_not_ready'));
  const back = await helloGets(resumeHello('resume-z', ada), 'resumed');
  assert.equal(back.reply.participantId, ada.welcome.participantId, 'a resume is not a new join');
  await back.client.close();
  await bob.client.close();
  assert.equal(await drained, 'empty');
});
