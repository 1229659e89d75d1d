import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { leastLoaded, RECENT_PLACEMENT_MS, workerScore, type WorkerLoadView } from './media-placement.js';

const w = (index: number, elu: number | undefined, placedAt: number[] = [], routers = 0): WorkerLoadView => ({ index, elu, placedAt, routers });

describe('media placement', () => {
  const now = 1_000_000;

  test('a new room goes to the worker with the lower event-loop utilisation', () => {
    assert.equal(leastLoaded([w(0, 0.6), w(1, 0.2)], now).index, 1);
    assert.equal(leastLoaded([w(0, 0.1), w(1, 0.7)], now).index, 0);
  });

  test('rooms placed in the last seconds count before their load shows: classes starting on the hour spread out', () => {
    const workers = [w(0, 0), w(1, 0)];
    const order: number[] = [];
    for (let i = 0; i < 4; i++) {
      const chosen = leastLoaded(workers, now);
      order.push(chosen.index);
      (chosen.placedAt as number[]).push(now);
    }
    assert.deepEqual(order, [0, 1, 0, 1]);
  });

  test('a placement older than RECENT_PLACEMENT_MS no longer counts', () => {
    assert.equal(workerScore(w(0, 0.1, [now - RECENT_PLACEMENT_MS - 1]), now), 0.1);
    assert.ok(workerScore(w(0, 0.1, [now - 1000]), now) > 0.1);
  });

  test('a busy worker loses to an idle one even with a recent room there', () => {
    assert.equal(leastLoaded([w(0, 0.9), w(1, 0.05, [now - 500])], now).index, 1);
  });

  test('ties go to the worker with fewer rooms, then the lower index; a worker not yet reporting counts as idle', () => {
    assert.equal(leastLoaded([w(0, 0.3, [], 3), w(1, 0.3, [], 1)], now).index, 1);
    assert.equal(leastLoaded([w(0, 0, [], 0), w(1, 0, [], 0)], now).index, 0);
    assert.equal(leastLoaded([w(0, 0.2), w(1, undefined)], now).index, 1);
  });

  test('no worker at all is an error, not a crash later', () => {
    assert.throws(() => leastLoaded([], now), /no media worker/);
  });
});
