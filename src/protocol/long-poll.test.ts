import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLOSE_ABNORMAL, CLOSE_GAVE_UP, CLOSE_GOING_AWAY, CLOSE_NORMAL, isGoodbye } from './close-codes.js';
import { errorCodeForClose } from './errors.js';
import { openAnswer, pollAnswer, postBody, postMessages, type PollAnswer } from './long-poll.js';

test('a POST body carries messages one per line, in order, and blank lines are ignored', () => {
  const messages = [JSON.stringify({ type: 'hello', note: 'a\nb' }), JSON.stringify({ type: 'ping' })];
  assert.equal(postBody(messages).split('\n').length, 2, 'JSON escapes newlines inside strings');
  assert.deepEqual(postMessages(postBody(messages)), messages);
  assert.deepEqual(postMessages(`${messages[0]}\n\n  \n${messages[1]}\n`), messages);
});

test('the answers parse as the envelope, and what the server sends is one', () => {
  assert.equal(openAnswer.safeParse({ sid: 'abc' }).success, true);
  assert.equal(openAnswer.safeParse({}).success, false);
  const sent: PollAnswer = { seq: 3, messages: [{ type: 'lobby-waiting', moderatorPresent: false }], closed: { code: 'room_full', closeCode: 4429 } };
  assert.deepEqual(pollAnswer.parse(JSON.parse(JSON.stringify(sent))), sent);
  assert.equal(pollAnswer.safeParse({ seq: 1 }).success, false, 'messages are required');
  assert.equal(pollAnswer.safeParse({ seq: -1, messages: [] }).success, false);
});

test('close codes: goodbyes, and ours outside the error catalogue', () => {
  assert.equal(isGoodbye(CLOSE_NORMAL), true);
  assert.equal(isGoodbye(CLOSE_GOING_AWAY), true);
  for (const lost of [CLOSE_ABNORMAL, CLOSE_GAVE_UP, 4464]) assert.equal(isGoodbye(lost), false, String(lost));
  assert.equal(errorCodeForClose(CLOSE_GAVE_UP), undefined, 'giving up is not an error code');
});
