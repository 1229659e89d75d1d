import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyedBuckets, TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  test('allows a burst, then one action per refill interval', () => {
    const bucket = new TokenBucket({ burst: 3, refillMs: 1000 }, 0);
    assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
    assert.equal(bucket.take(999), false, 'not a whole token back yet');
    assert.equal(bucket.take(1000), true);
    assert.equal(bucket.take(1000), false);
  });

  test('refills up to the burst, never beyond', () => {
    const bucket = new TokenBucket({ burst: 2, refillMs: 10 }, 0);
    bucket.take(0);
    bucket.take(0);
    const allowed = [1, 2, 3, 4].map(() => bucket.take(1_000_000)).filter(Boolean).length;
    assert.equal(allowed, 2, 'a long pause gives back the burst, not more');
  });

  test('a flood gets through at the refill rate only', () => {
    const bucket = new TokenBucket({ burst: 5, refillMs: 2000 }, 0);
    // 1,000 attempts a second for 10 s: the burst, then one every 2 s.
    let allowed = 0;
    for (let t = 0; t < 10_000; t++) if (bucket.take(t)) allowed++;
    assert.equal(allowed, 5 + 4);
  });
});

describe('KeyedBuckets', () => {
  test('keys are limited separately', () => {
    const buckets = new KeyedBuckets({ burst: 1, refillMs: 1000 }, 100);
    assert.equal(buckets.take('a', 0), true);
    assert.equal(buckets.take('a', 0), false);
    assert.equal(buckets.take('b', 0), true);
  });

  test('at most maxKeys keys are kept, however many an attacker makes', () => {
    const buckets = new KeyedBuckets({ burst: 1, refillMs: 60_000 }, 100);
    for (let i = 0; i < 10_000; i++) buckets.take(`key-${i}`, i);
    assert.equal(buckets.size, 100);
    // A key in use stays (most recently used), so its limit holds.
    buckets.take('busy', 0);
    for (let i = 0; i < 50; i++) buckets.take(`other-${i}`, 0);
    assert.equal(buckets.take('busy', 0), false);
  });
});
