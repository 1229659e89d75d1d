import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_CHAT_TEXT, parseClientMessage, parseServerMessage } from './messages.js';

const json = (value: unknown) => JSON.stringify(value);
const parsed = (raw: string) => {
  const r = parseClientMessage(raw);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.message;
};

describe('class messages', () => {
  test('moderation requests parse, hard defaulting to false', () => {
    assert.deepEqual(parsed(json({ type: 'moderate', request: { action: 'mute', participantId: 'p2', kind: 'audio' } })), {
      type: 'moderate',
      request: { action: 'mute', participantId: 'p2', kind: 'audio', hard: false },
    });
    for (const request of [
      { action: 'mute-everyone', kind: 'video', hard: true },
      { action: 'allow-unmute', participantId: 'p2', kind: 'audio' },
      { action: 'allow-unmute-everyone', kind: 'video' },
      { action: 'remove', participantId: 'p2', block: true },
      { action: 'grant-moderator', participantId: 'p2' },
      { action: 'lower-hand', participantId: 'p2' },
      { action: 'lock-room', locked: true },
      { action: 'set-lobby', enabled: false },
      { action: 'admit', participantId: 'k1' },
      { action: 'deny', participantId: 'k1' },
      { action: 'end-conference' },
      { action: 'set-subject', subject: 'Fractions, part 2' },
    ]) {
      assert.deepEqual(parsed(json({ type: 'moderate', request })), { type: 'moderate', request });
    }
    // Jitsi's kick is not a ban: a remove without `block` does not block.
    assert.deepEqual(parsed(json({ type: 'moderate', request: { action: 'remove', participantId: 'p2' } })), {
      type: 'moderate',
      request: { action: 'remove', participantId: 'p2', block: false },
    });
  });

  test('unknown or incomplete moderation requests are refused, naming the path', () => {
    const bad = (request: unknown) => {
      const r = parseClientMessage(json({ type: 'moderate', request }));
      return r.ok ? 'accepted' : r.error;
    };
    assert.match(bad({ action: 'ban', participantId: 'p2' }), /^invalid 'moderate' message at request\.action: /);
    assert.match(bad({ action: 'remove' }), /^invalid 'moderate' message at request\.participantId: /);
    assert.match(bad({ action: 'mute', participantId: 'p2', kind: 'screen' }), /^invalid 'moderate' message at request\.kind: /);
  });

  test('chat text is trimmed, must not be empty and is bounded', () => {
    assert.deepEqual(parsed(json({ type: 'chat-send', text: '  hi  ' })), { type: 'chat-send', text: 'hi' });
    assert.deepEqual(parsed(json({ type: 'chat-send', text: 'psst', to: 'p2' })), { type: 'chat-send', text: 'psst', to: 'p2' });
    for (const text of ['', '   ', 'x'.repeat(MAX_CHAT_TEXT + 1)]) {
      const r = parseClientMessage(json({ type: 'chat-send', text }));
      assert.ok(!r.ok && r.error.startsWith("invalid 'chat-send' message at text: "), text.slice(0, 10));
    }
    assert.ok(parsed(json({ type: 'chat-send', text: 'x'.repeat(MAX_CHAT_TEXT) })));
  });

  test('raise hand', () => {
    assert.deepEqual(parsed(json({ type: 'set-hand-raised', raised: true })), { type: 'set-hand-raised', raised: true });
  });

  test('server messages: room state, chat, lobby, lobby-waiting, ended', () => {
    const messages = [
      { type: 'room-state', state: { locked: true, lobbyEnabled: false, hardMuted: { audio: true, video: false }, subject: 'Fractions' } },
      { type: 'chat', messages: [{ id: 'm1', from: 'p1', fromName: 'Ada', text: 'hi', at: 1 }, { id: 'm2', from: 'p1', fromName: 'Ada', to: 'p2', text: 'psst', at: 2 }], history: false },
      { type: 'lobby', waiting: [{ id: 'k1', displayName: 'Bob', knockedAt: 5 }] },
      { type: 'lobby-waiting', moderatorPresent: false },
      { type: 'participant-left', participantId: 'p2', reason: 'ended' },
    ];
    for (const m of messages) {
      const r = parseServerMessage(json(m));
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.deepEqual(r.message, m);
    }
    // A server from before issue 12 sent no moderatorPresent: read as a moderator being there, as its page assumed.
    const old = parseServerMessage(json({ type: 'lobby-waiting' }));
    assert.deepEqual(old.ok && old.message, { type: 'lobby-waiting', moderatorPresent: true });
  });
});
