import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ErrorCode } from '../protocol/errors.js';
import type { ServerMessage } from '../protocol/messages.js';
import { ResumableChannel } from './resumable-channel.js';
import type { SignalingChannel } from './signaling-channel.js';

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

const left = (id: string): ServerMessage => ({ type: 'participant-left', participantId: id, reason: 'left' });

test('records while detached and replays, after `resumed`, what the client had not received', () => {
  const first = new FakeTransport('ws a');
  const channel = new ResumableChannel(first);
  channel.send(left('p1'));
  channel.send(left('p2'));
  channel.detach();
  assert.equal(channel.description, 'suspended');
  channel.send(left('p3'));
  channel.received = 4;
  const second = new FakeTransport('ws b');
  assert.ok(channel.resume(second, 'me', 1));
  assert.deepEqual(second.sent, [{ type: 'resumed', participantId: 'me', received: 4 }, left('p2'), left('p3')]);
  assert.equal(first.sent.length, 2, 'nothing went to the dead transport after detach');
  channel.send(left('p4'));
  assert.deepEqual(second.sent.at(-1), left('p4'));
});

test('pongs belong to one connection: not numbered, not replayed', () => {
  const first = new FakeTransport('ws a');
  const channel = new ResumableChannel(first);
  channel.send({ type: 'pong', nonce: 1 });
  channel.send(left('p1'));
  assert.equal(channel.sentCount, 1);
  const second = new FakeTransport('ws b');
  assert.ok(channel.resume(second, 'me', 0));
  assert.deepEqual(second.sent.slice(1), [left('p1')]);
});

test('refuses a resume it cannot honour, and any after close', () => {
  const channel = new ResumableChannel(new FakeTransport('ws a'), { messages: 2, bytes: 1e6 });
  for (const id of ['p1', 'p2', 'p3']) channel.send(left(id));
  assert.equal(channel.resume(new FakeTransport('ws b'), 'me', 0), false, 'p1 is no longer kept');
  assert.equal(channel.resume(new FakeTransport('ws b'), 'me', 9), false, 'more than was sent');
  let closed = 0;
  channel.onClosed(() => closed++);
  channel.close('removed_by_moderator');
  channel.close();
  assert.equal(closed, 1, 'close is idempotent');
  assert.equal(channel.resume(new FakeTransport('ws c'), 'me', 3), false);
  let late = 0;
  channel.onClosed(() => late++);
  assert.equal(late, 1, 'a listener added after close runs at once');
});

test('close reaches the current transport with its code', () => {
  const transport = new FakeTransport('ws a');
  const channel = new ResumableChannel(transport);
  channel.close('conference_ended');
  assert.deepEqual(transport.closed, { code: 'conference_ended' });
  channel.send(left('p1'));
  assert.equal(transport.sent.length, 0, 'nothing is sent after close');
});

test('a pong tells the client how many of its messages arrived; its ping lets us drop what it has', () => {
  const transport = new FakeTransport('ws a');
  const channel = new ResumableChannel(transport);
  channel.received = 7;
  channel.send({ type: 'pong', nonce: 3 });
  assert.deepEqual(transport.sent, [{ type: 'pong', nonce: 3, received: 7 }]);
  for (const id of ['p1', 'p2', 'p3']) channel.send(left(id));
  assert.equal(channel.keptCount, 3);
  channel.acknowledge(2);
  assert.equal(channel.keptCount, 1);
  assert.equal(channel.resume(new FakeTransport('ws b'), 'me', 1), false, 'the client said it had message 2');
  const next = new FakeTransport('ws c');
  assert.ok(channel.resume(next, 'me', 2));
  assert.deepEqual(next.sent.slice(1), [left('p3')]);
});
