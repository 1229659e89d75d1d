import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfabError, type ErrorCode } from '../protocol/errors.js';
import type { ServerMessage } from '../protocol/messages.js';
import type { ReplayLimits } from '../protocol/replay-buffer.js';
import { createLogger } from '../util/log.js';
import type { ParticipantLink, RoomMessage } from './room-gateway.js';
import type { SignalingChannel } from './signaling-channel.js';
import { SignalingSession, type SessionConnection } from './signaling-session.js';

class FakeTransport implements SignalingChannel {
  readonly sent: ServerMessage[] = [];
  closed: { code?: ErrorCode } | undefined;
  constructor(readonly description: string) {}
  send(message: ServerMessage): void {
    this.sent.push(message);
  }
  close(code?: ErrorCode): void {
    this.closed = { code };
  }
}

class FakeConnection implements SessionConnection {
  readonly transport: FakeTransport;
  supersededTimes = 0;
  readonly failures: unknown[] = [];
  constructor(description: string) {
    this.transport = new FakeTransport(description);
  }
  get sent(): ServerMessage[] {
    return this.transport.sent;
  }
  superseded(): void {
    this.supersededTimes++;
  }
  fail(error: unknown): void {
    this.failures.push(error);
  }
}

class FakeLink implements ParticipantLink {
  readonly handled: RoomMessage[] = [];
  readonly interruptions: boolean[] = [];
  left: string | undefined;
  constructor(
    readonly participantId: string,
    private readonly behave: (message: RoomMessage) => Promise<void> = async () => undefined,
  ) {}
  async handle(message: RoomMessage): Promise<void> {
    this.handled.push(message);
    await this.behave(message);
  }
  leave(reason: 'left' | 'disconnected'): void {
    this.left ??= reason;
  }
  setConnectionInterrupted(interrupted: boolean): void {
    this.interruptions.push(interrupted);
  }
}

const log = createLogger('silent');
const left = (id: string): ServerMessage => ({ type: 'participant-left', participantId: id, reason: 'left' });
const hand = { type: 'set-hand-raised', raised: true } as const;
/** Lets queued handling run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function joinedSession(connection: FakeConnection, limits?: ReplayLimits, link = new FakeLink('me')): { session: SignalingSession; link: FakeLink } {
  const session = new SignalingSession(connection, 'secret', 'room', log, limits);
  session.joined(link);
  return { session, link };
}

test('records while its connection is gone and replays, after `resumed`, what the client had not received', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const first = new FakeConnection('ws a');
  const { session, link } = joinedSession(first);
  session.send(left('p1'));
  session.send(left('p2'));
  session.suspend(10_000, () => undefined);
  assert.equal(session.description, 'suspended');
  assert.deepEqual(link.interruptions, [true], 'the room shows the participant as interrupted');
  session.send(left('p3'));
  for (let i = 0; i < 4; i++) session.receive(hand, first);
  const second = new FakeConnection('ws b');
  assert.ok(session.resume(second, 1));
  assert.deepEqual(second.sent, [{ type: 'resumed', participantId: 'me', received: 4 }, left('p2'), left('p3')]);
  assert.equal(first.sent.length, 2, 'nothing went to the dead connection after it dropped');
  session.send(left('p4'));
  assert.deepEqual(second.sent.at(-1), left('p4'));
  assert.deepEqual(link.interruptions, [true, false], 'and back');
  assert.equal(first.supersededTimes, 1, 'the old connection is told to close quietly');
  assert.ok(session.isCarriedBy(second));
});

test('pongs belong to one connection: not numbered, not replayed', () => {
  const first = new FakeConnection('ws a');
  const { session } = joinedSession(first);
  session.send({ type: 'pong', nonce: 1 });
  session.send(left('p1'));
  assert.equal(session.sentCount, 1);
  const second = new FakeConnection('ws b');
  assert.ok(session.resume(second, 0));
  assert.deepEqual(second.sent.slice(1), [left('p1')]);
});

test('refuses a resume it cannot honour, and any after it ended', () => {
  const { session } = joinedSession(new FakeConnection('ws a'), { messages: 2, bytes: 1e6 });
  for (const id of ['p1', 'p2', 'p3']) session.send(left(id));
  assert.equal(session.resume(new FakeConnection('ws b'), 0), false, 'p1 is no longer kept');
  assert.equal(session.resume(new FakeConnection('ws b'), 9), false, 'more than was sent');
  let ended = 0;
  session.onEnded(() => ended++);
  session.close('removed_by_moderator');
  session.close();
  assert.equal(ended, 1, 'close is idempotent');
  assert.equal(session.resume(new FakeConnection('ws c'), 3), false);
  let late = 0;
  session.onEnded(() => late++);
  assert.equal(late, 1, 'a listener added after the end runs at once');
});

test('close reaches the current transport with its code', () => {
  const connection = new FakeConnection('ws a');
  const { session } = joinedSession(connection);
  session.close('conference_ended');
  assert.deepEqual(connection.transport.closed, { code: 'conference_ended' });
  session.send(left('p1'));
  assert.equal(connection.sent.length, 0, 'nothing is sent after close');
});

test('a pong tells the client how many of its messages arrived; its ping lets us drop what it has', async () => {
  const connection = new FakeConnection('ws a');
  const { session } = joinedSession(connection);
  for (let i = 0; i < 7; i++) session.receive(hand, connection);
  session.send({ type: 'pong', nonce: 3 });
  assert.deepEqual(connection.sent, [{ type: 'pong', nonce: 3, received: 7 }]);
  for (const id of ['p1', 'p2', 'p3']) session.send(left(id));
  assert.equal(session.keptCount, 3);
  session.receive({ type: 'ping', nonce: 4, received: 2 }, connection);
  await settle();
  assert.equal(session.keptCount, 1);
  assert.deepEqual(connection.sent.at(-1), { type: 'pong', nonce: 4, received: 7 }, 'pings are not counted');
  assert.equal(session.resume(new FakeConnection('ws b'), 1), false, 'the client said it had message 2');
  const next = new FakeConnection('ws c');
  assert.ok(session.resume(next, 2));
  assert.deepEqual(next.sent.slice(1), [left('p3')]);
});

test("only the connection carrying the session speaks for what the client received", async () => {
  const first = new FakeConnection('ws a');
  const { session } = joinedSession(first);
  for (const id of ['p1', 'p2']) session.send(left(id));
  const second = new FakeConnection('ws b');
  assert.ok(session.resume(second, 0));
  session.receive({ type: 'ping', received: 2 }, first);
  await settle();
  assert.equal(session.keptCount, 2, "a half-open old connection's ping trims nothing");
  session.receive({ type: 'ping', received: 2 }, second);
  await settle();
  assert.equal(session.keptCount, 0);
});

test('client messages are handled one at a time, in order, whichever connection brought them', async () => {
  let release!: () => void;
  const slow = new Promise<void>((resolve) => (release = resolve));
  const link = new FakeLink('me', (m) => (m.type === 'subscribe-answer' ? slow : Promise.resolve()));
  const first = new FakeConnection('ws a');
  const { session } = joinedSession(first, undefined, link);
  session.receive({ type: 'subscribe-answer', sdp: 'v=0' }, first);
  session.receive({ type: 'set-muted', kind: 'audio', muted: true }, first);
  const second = new FakeConnection('ws b');
  assert.ok(session.resume(second, 0));
  session.receive({ type: 'set-hand-raised', raised: true }, second);
  await settle();
  assert.deepEqual(link.handled.map((m) => m.type), ['subscribe-answer'], 'the slow step holds the rest');
  release();
  await settle();
  assert.deepEqual(link.handled.map((m) => m.type), ['subscribe-answer', 'set-muted', 'set-hand-raised']);
  assert.equal(session.received, 3);
});

test('a refused request is reported on the session and the connection stays; anything else fails the connection that brought it', async () => {
  const link = new FakeLink('me', async (m) => {
    if (m.type === 'moderate') throw new ConfabError('forbidden', 'only moderators');
    if (m.type === 'chat-send') throw new Error('bug');
  });
  const connection = new FakeConnection('ws a');
  const { session } = joinedSession(connection, undefined, link);
  session.receive({ type: 'moderate', request: { action: 'end-conference' } }, connection);
  await settle();
  assert.deepEqual(connection.sent, [{ type: 'error', code: 'forbidden', message: 'only moderators', fatal: false }]);
  assert.equal(session.sentCount, 1, 'numbered like any message, so a resume replays it');
  assert.deepEqual(connection.failures, []);
  session.receive({ type: 'chat-send', text: 'hi' }, connection);
  await settle();
  assert.equal(connection.failures.length, 1);
});

test('a hold that runs out leaves the room as disconnected and cannot be resumed', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { session, link } = joinedSession(new FakeConnection('ws a'));
  let expired = 0;
  session.suspend(10_000, () => expired++);
  t.mock.timers.tick(9_999);
  assert.equal(session.ended, false);
  t.mock.timers.tick(1);
  assert.equal(expired, 1);
  assert.equal(link.left, 'disconnected');
  assert.equal(session.ended, true);
  assert.equal(session.resume(new FakeConnection('ws b'), 0), false);
});
