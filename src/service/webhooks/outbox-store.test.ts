import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxStore, type OutboxEntry } from './outbox-store.js';

const dir = mkdtempSync(join(tmpdir(), 'confab-outbox-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const entry = (orderKey: string, type = 'participant_joined'): OutboxEntry => {
  n += 1;
  return { id: `evt-${n}`, type, orderKey, body: JSON.stringify({ n }), occurredAt: 1_000 * n };
};
const A = 'http://a.example/hook';
const B = 'http://b.example/hook';

describe('OutboxStore', () => {
  test('creates its folder and file; rows survive closing and reopening', () => {
    const path = join(dir, 'nested', 'deeper', 'outbox.sqlite');
    const store = new OutboxStore(path);
    assert.ok(existsSync(path));
    store.enqueue(entry('maths'), [A, B], 10);
    assert.equal(store.pending, 2);
    store.close();
    assert.equal(store.open, false);
    const again = new OutboxStore(path);
    assert.equal(again.pending, 2);
    assert.deepEqual(again.heads().map((h) => h.target).sort(), [A, B]);
    again.close();
  });

  test('one head per (URL, room): the oldest pending event', () => {
    const store = new OutboxStore(':memory:');
    const [m1, m2, p1] = [entry('maths'), entry('maths'), entry('physics')];
    store.enqueue(m1, [A], 0);
    store.enqueue(m2, [A], 0);
    store.enqueue(p1, [A, B], 0);
    assert.deepEqual(store.heads().map((h) => `${h.target} ${h.id}`).sort(), [`${A} ${m1.id}`, `${A} ${p1.id}`, `${B} ${p1.id}`]);
    const head = store.heads().find((h) => h.id === m1.id)!;
    assert.equal(head.body, m1.body);
    assert.equal(head.occurredAt, m1.occurredAt);
    // A failed attempt keeps the head (N+1 never overtakes N); delivery moves on to the next.
    store.retryLater(head.seq, 1, 500, 'HTTP 503');
    const retried = store.heads().find((h) => h.orderKey === 'maths')!;
    assert.deepEqual([retried.id, retried.attempts, retried.nextAttemptAt], [m1.id, 1, 500]);
    store.delivered(head.seq);
    assert.equal(store.heads().find((h) => h.orderKey === 'maths')!.id, m2.id);
    store.close();
  });

  test('giving up keeps the row as failed and unblocks the room', () => {
    const store = new OutboxStore(':memory:');
    const [e1, e2] = [entry('r'), entry('r')];
    store.enqueue(e1, [A], 0);
    store.enqueue(e2, [A], 0);
    store.giveUp(store.heads()[0]!.seq, 7, 'HTTP 500');
    assert.deepEqual(store.heads().map((h) => h.id), [e2.id]);
    assert.equal(store.pending, 1);
    store.close();
  });

  test('backlog: pending, given up, and when the oldest pending was queued', () => {
    const store = new OutboxStore(':memory:');
    assert.deepEqual(store.backlog(), { pending: 0, failed: 0, oldestPendingAt: undefined });
    store.enqueue(entry('r'), [A], 100);
    store.enqueue(entry('r'), [A, B], 250);
    store.giveUp(store.heads().find((h) => h.target === A)!.seq, 3, 'HTTP 500');
    assert.deepEqual(store.backlog(), { pending: 2, failed: 1, oldestPendingAt: 250 });
    store.close();
  });

  test('the same event id for the same URL is stored once', () => {
    const store = new OutboxStore(':memory:');
    const e = entry('r');
    store.enqueue(e, [A], 0);
    store.enqueue(e, [A], 0);
    assert.equal(store.pending, 1);
    store.close();
  });

  test('deliveries for URLs no longer configured are given up on', () => {
    const store = new OutboxStore(':memory:');
    store.enqueue(entry('r'), [A, B], 0);
    store.enqueue(entry('r'), [A, B], 0);
    assert.equal(store.abandonTargetsExcept([A]), 2);
    assert.deepEqual(store.heads().map((h) => h.target), [A]);
    assert.equal(store.pending, 2);
    assert.equal(store.abandonTargetsExcept([A]), 0);
    store.close();
  });

  test('makeAllDue brings waiting retries forward (used at start)', () => {
    const store = new OutboxStore(':memory:');
    store.enqueue(entry('r'), [A], 0);
    store.retryLater(store.heads()[0]!.seq, 3, 1_000_000, 'timeout');
    store.makeAllDue(2_000);
    assert.equal(store.heads()[0]!.nextAttemptAt, 2_000);
    store.close();
  });
});
