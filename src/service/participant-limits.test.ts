import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParticipantLimits, PARTICIPANT_RATE_LIMITS } from './participant-limits.js';

test('each kind has its own bucket; unlimited messages are never refused', () => {
  const limits = new ParticipantLimits();
  const burst = PARTICIPANT_RATE_LIMITS['display-name'].burst;
  for (let i = 0; i < burst; i++) assert.equal(limits.overLimit('set-display-name', 0), undefined);
  assert.equal(limits.overLimit('set-display-name', 0), 'display-name');
  assert.equal(limits.overLimit('set-hand-raised', 0), undefined, 'another kind is not affected');
  for (let i = 0; i < 10_000; i++) assert.equal(limits.overLimit('subscribe-answer', 0), undefined);
  assert.equal(limits.overLimit('set-display-name', PARTICIPANT_RATE_LIMITS['display-name'].refillMs), undefined, 'one more after the refill interval');
  assert.match(limits.refusal('set-display-name', 'display-name').message, /at most 5 at once, then one every 2 s/);
});

test('chat keeps its limit of about 10 messages per 5 s', () => {
  const limits = new ParticipantLimits();
  let allowed = 0;
  for (let t = 0; t < 5000; t += 10) if (!limits.overLimit('chat-send', t)) allowed++;
  assert.ok(allowed >= 10 && allowed <= 20, `${allowed} in 5 s`);
});
