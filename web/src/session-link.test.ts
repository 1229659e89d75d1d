import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROTOCOL_VERSION, type ClientMessageInput, type ServerMessage } from '../../src/protocol/messages.js';
import { SessionLink } from './session-link.js';

const hello = { type: 'hello' as const, protocolVersion: PROTOCOL_VERSION, room: 'r', displayName: 'Ada', audioMuted: false, videoMuted: false };
const info = { id: 'p1', displayName: 'Ada', role: 'participant' as const, audioMuted: false, videoMuted: false, audioLocked: false, videoLocked: false, handRaisedAt: null, joinedAt: 0, connectionInterrupted: false, blockable: false };
const welcome = (resumeSecret?: string): ServerMessage => ({
  type: 'welcome', protocolVersion: PROTOCOL_VERSION, participantId: 'p1', room: 'r', self: info, participants: [], iceServers: [], serverVersion: 't', resumeSecret,
});
const pong: ServerMessage = { type: 'pong' };
const someoneLeft: ServerMessage = { type: 'participant-left', participantId: 'p2', reason: 'left' };

function sink(): { sent: ClientMessageInput[]; send(m: ClientMessageInput): void } {
  const sent: ClientMessageInput[] = [];
  return { sent, send: (m) => sent.push(m) };
}

test('joins afresh first, then resumes with the count of server messages received', () => {
  const link = new SessionLink();
  const first = sink();
  link.open(first, hello);
  assert.deepEqual(first.sent, [hello], 'no resume without a welcome');
  link.receive(welcome('s'.repeat(32)));
  link.receive(someoneLeft);
  assert.ok(link.resumable);
  const second = sink();
  link.open(second, hello);
  assert.deepEqual(second.sent, [{ ...hello, resume: { participantId: 'p1', secret: 's'.repeat(32), received: 2 } }]);
});

test('holds messages while the resume is unanswered, then sends what the server did not get', () => {
  const link = new SessionLink();
  const first = sink();
  link.open(first, hello);
  link.receive(welcome('s'.repeat(32)));
  link.send({ type: 'set-hand-raised', raised: true }); // #1, reached the server
  link.send({ type: 'chat-send', text: 'lost in the drop' }); // #2, did not
  const second = sink();
  link.open(second, hello);
  link.send({ type: 'set-muted', kind: 'audio', muted: true }); // #3, made while reconnecting
  assert.equal(second.sent.length, 1, 'only the hello until the server answers');
  assert.equal(link.receive({ type: 'resumed', participantId: 'p1', received: 1 }), 'resumed');
  assert.deepEqual(second.sent.slice(1), [
    { type: 'chat-send', text: 'lost in the drop' },
    { type: 'set-muted', kind: 'audio', muted: true },
  ]);
  // The resumed message is not numbered: the next resume counts only welcome.
  const third = sink();
  link.open(third, hello);
  assert.equal((third.sent[0] as { resume?: { received: number } }).resume?.received, 1);
});

test('a welcome instead of resumed starts the numbering over', () => {
  const link = new SessionLink();
  link.open(sink(), hello);
  link.receive(welcome('s'.repeat(32)));
  link.receive(pong);
  link.send({ type: 'set-hand-raised', raised: true });
  const second = sink();
  link.open(second, hello);
  link.send({ type: 'chat-send', text: 'dropped: it belonged to the old session' });
  assert.equal(link.receive(welcome('t'.repeat(32))), 'message');
  link.send({ type: 'set-hand-raised', raised: false });
  assert.deepEqual(second.sent.slice(1), [{ type: 'set-hand-raised', raised: false }]);
  const third = sink();
  link.open(third, hello);
  assert.deepEqual((third.sent[0] as { resume?: unknown }).resume, { participantId: 'p1', secret: 't'.repeat(32), received: 1 });
});

test('cannot resume when the server needs messages no longer kept', () => {
  const link = new SessionLink();
  link.open(sink(), hello);
  link.receive(welcome('s'.repeat(32)));
  for (let i = 0; i < 300; i++) link.send({ type: 'set-hand-raised', raised: i % 2 === 0 });
  link.open(sink(), hello);
  assert.equal(link.receive({ type: 'resumed', participantId: 'p1', received: 0 }), 'cannot-resume');
});

test('a server without resume (no secret) and forget() mean a fresh hello', () => {
  const link = new SessionLink();
  link.open(sink(), hello);
  link.receive(welcome(undefined));
  assert.ok(!link.resumable);
  link.receive(welcome('s'.repeat(32)));
  link.forget();
  const next = sink();
  link.open(next, hello);
  assert.deepEqual(next.sent, [hello]);
});

test('pings and pongs are left out of both counts', () => {
  const link = new SessionLink();
  const first = sink();
  link.open(first, hello);
  link.receive(welcome('s'.repeat(32)));
  link.send({ type: 'ping' });
  link.receive(pong);
  link.send({ type: 'set-hand-raised', raised: true });
  assert.equal(first.sent.length, 3, 'the ping went out');
  const second = sink();
  link.open(second, hello);
  assert.equal((second.sent[0] as { resume?: { received: number } }).resume?.received, 1, 'only the welcome counted');
  link.receive({ type: 'resumed', participantId: 'p1', received: 0 });
  assert.deepEqual(second.sent.slice(1), [{ type: 'set-hand-raised', raised: true }], 'the ping is not sent again');
});

test('pings carry our count; a pong with the server\'s count lets us drop what it has', () => {
  const link = new SessionLink();
  link.open(sink(), hello);
  link.receive(welcome('s'.repeat(32)));
  assert.equal(link.received, 1);
  for (const raised of [true, false, true]) link.send({ type: 'set-hand-raised', raised });
  link.receive({ type: 'pong', received: 2 });
  const next = sink();
  link.open(next, hello);
  assert.equal(link.receive({ type: 'resumed', participantId: 'p1', received: 1 }), 'cannot-resume', 'message 2 was acknowledged, so no longer kept');
  const again = new SessionLink();
  again.open(sink(), hello);
  again.receive(welcome('s'.repeat(32)));
  for (const raised of [true, false, true]) again.send({ type: 'set-hand-raised', raised });
  again.receive({ type: 'pong', received: 2 });
  const third = sink();
  again.open(third, hello);
  assert.equal(again.receive({ type: 'resumed', participantId: 'p1', received: 2 }), 'resumed');
  assert.deepEqual(third.sent.slice(1), [{ type: 'set-hand-raised', raised: true }]);
});
