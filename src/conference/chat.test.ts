import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_CHAT_TEXT } from '../protocol/messages.js';
import { ChatLog, DEFAULT_CHAT_LIMITS } from './chat.js';

const ada = { id: 'ada', displayName: 'Ada' };
const bob = { id: 'bob', displayName: 'Bob' };
const generous = DEFAULT_CHAT_LIMITS;

describe('ChatLog', () => {
  test('room messages are kept in order with sender, name and time', () => {
    const chat = new ChatLog(generous);
    const first = chat.post(ada, 'hello', undefined, 1000);
    chat.post(bob, 'hi Ada', undefined, 2000);
    assert.match(first.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      chat.history().map((m) => [m.from, m.fromName, m.text, m.at, m.to]),
      [
        ['ada', 'Ada', 'hello', 1000, undefined],
        ['bob', 'Bob', 'hi Ada', 2000, undefined],
      ],
    );
  });

  test('private messages carry their recipient and are not kept', () => {
    const chat = new ChatLog(generous);
    const m = chat.post(ada, 'psst', 'bob', 1000);
    assert.equal(m.to, 'bob');
    assert.deepEqual(chat.history(), []);
  });

  test('history keeps the newest messages up to the count limit', () => {
    const chat = new ChatLog({ ...generous, historyCount: 3 });
    for (let i = 0; i < 10; i++) chat.post(ada, `m${i}`, undefined, i);
    assert.deepEqual(chat.history().map((m) => m.text), ['m7', 'm8', 'm9']);
  });

  test('history stays under its byte limit, counting UTF-8 bytes', () => {
    const chat = new ChatLog({ ...generous, historyBytes: 10_000 });
    const big = 'é'.repeat(MAX_CHAT_TEXT); // 2 bytes each
    for (let i = 0; i < 20; i++) chat.post(ada, big, undefined, i);
    const bytes = chat.history().reduce((n, m) => n + Buffer.byteLength(JSON.stringify(m)), 0);
    assert.ok(bytes <= 10_000, `${bytes} bytes kept`);
    assert.equal(chat.history().length, 4);
    assert.equal(chat.history().at(-1)?.at, 19, 'the newest survive');
  });

  test('the default limits keep the whole backlog inside one signaling message', () => {
    const chat = new ChatLog(generous);
    const worst = '€'.repeat(MAX_CHAT_TEXT); // 3 bytes each
    for (let i = 0; i < 500; i++) chat.post({ id: 'x'.repeat(128), displayName: 'y'.repeat(80) }, worst, undefined, i);
    const frame = JSON.stringify({ type: 'chat', messages: chat.history(), history: true });
    assert.ok(Buffer.byteLength(frame) < 256 * 1024, `${Buffer.byteLength(frame)} bytes`);
  });
});
