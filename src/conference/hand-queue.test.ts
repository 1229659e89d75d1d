import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HandQueue } from './hand-queue.js';

describe('HandQueue', () => {
  test('orders hands by the time they went up', () => {
    const q = new HandQueue();
    q.raise('cy', 1000);
    q.raise('ada', 2000);
    q.raise('bob', 3000);
    assert.deepEqual(q.order(), ['cy', 'ada', 'bob']);
    assert.deepEqual([q.stamp('cy'), q.stamp('ada'), q.stamp('bob')], [1000, 2000, 3000]);
  });

  test('hands raised in the same millisecond keep the order they were raised in, with distinct stamps', () => {
    const q = new HandQueue();
    const stamps = ['ada', 'bob', 'cy', 'dee'].map((id) => q.raise(id, 5000));
    assert.deepEqual(stamps, [5000, 5001, 5002, 5003]);
    assert.deepEqual(q.order(), ['ada', 'bob', 'cy', 'dee']);
  });

  test('a clock that steps back never reorders the queue', () => {
    const q = new HandQueue();
    q.raise('ada', 10_000);
    q.raise('bob', 9_000);
    assert.ok((q.stamp('bob') ?? 0) > (q.stamp('ada') ?? 0));
    assert.deepEqual(q.order(), ['ada', 'bob']);
  });

  test('raising again keeps the place; lowering and raising again goes to the back', () => {
    const q = new HandQueue();
    q.raise('ada', 1);
    q.raise('bob', 2);
    assert.equal(q.raise('ada', 3), 1);
    assert.deepEqual(q.order(), ['ada', 'bob']);
    assert.equal(q.lower('ada'), true);
    assert.equal(q.lower('ada'), false);
    assert.equal(q.stamp('ada'), null);
    q.raise('ada', 4);
    assert.deepEqual(q.order(), ['bob', 'ada']);
    assert.equal(q.size, 2);
  });
});
