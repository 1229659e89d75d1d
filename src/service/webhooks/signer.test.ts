import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Secret } from '../../config/secret.js';
import { retryDelayMs } from './backoff.js';
import { signature, webhookHeaders } from './signer.js';

describe('webhook signing', () => {
  test('HMAC-SHA256 of the raw body, as sha256=<hex>', () => {
    const body = '{"id":"e1","type":"room_started","room":"maths-101","name":"Zoë"}';
    const expected = createHmac('sha256', 'top-secret').update(Buffer.from(body, 'utf8')).digest('hex');
    assert.equal(signature(new Secret('top-secret'), body), `sha256=${expected}`);
  });

  test('headers carry the signature, event id, type, event time and attempt', () => {
    const h = webhookHeaders(new Secret('s'), { id: 'e1', type: 'participant_left', body: '{}', occurredAt: 1_767_225_600_999, attempt: 3 }, 'Confab/1.0');
    assert.equal(h['x-confab-event-id'], 'e1');
    assert.equal(h['x-confab-event'], 'participant_left');
    assert.equal(h['x-confab-timestamp'], '1767225600');
    assert.equal(h['x-confab-delivery-attempt'], '3');
    assert.equal(h['content-type'], 'application/json; charset=utf-8');
    assert.match(h['x-confab-signature']!, /^sha256=[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(h).includes('"s"'));
  });
});

describe('retry backoff', () => {
  const settings = { minMs: 1_000, maxMs: 60_000 };
  test('doubles per failure from the minimum, up to the maximum', () => {
    const mid = () => 0.5; // no jitter
    assert.deepEqual([1, 2, 3, 4, 7, 8, 100].map((a) => retryDelayMs(settings, a, mid)), [1_000, 2_000, 4_000, 8_000, 60_000, 60_000, 60_000]);
  });
  test('jitter stays within ±20%', () => {
    assert.equal(retryDelayMs(settings, 2, () => 0), 1_600);
    assert.equal(retryDelayMs(settings, 2, () => 1), 2_400);
  });
});
