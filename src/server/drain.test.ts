import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { createLogger } from '../util/log.js';
import { waitUntilEmpty, type DrainOutcome, type Occupancy } from './drain.js';

const log = createLogger('silent');

/** A fake clock for the drain's polling and deadline: the tests take no real time. */
function fakeClock(t: TestContext): void {
  t.mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'], now: 0 });
}

/**
 * Moves the fake clock on by `ms`, one poll (250 ms) at a time: a single long tick would run every
 * due callback with the clock already at its end.
 */
function advance(t: TestContext, ms: number): void {
  for (let left = ms; left > 0; left -= 250) t.mock.timers.tick(Math.min(250, left));
}

/** An occupancy that changes over time: `steps` of [ms from start, participants]. */
function scripted(steps: [number, number][]): () => Occupancy {
  const start = Date.now();
  return () => {
    let participants = steps[0]![1];
    for (const [at, n] of steps) if (Date.now() - start >= at) participants = n;
    return { rooms: participants > 0 ? 1 : 0, participants };
  };
}

/** Starts a drain and tells, after each tick of the fake clock, whether and how it ended. */
function watch(drain: Promise<DrainOutcome>): { outcome: () => Promise<DrainOutcome | undefined> } {
  let outcome: DrainOutcome | undefined;
  void drain.then((o) => (outcome = o));
  // The outcome arrives through a promise: let its callbacks run (setImmediate is not faked).
  return { outcome: () => new Promise((resolve) => setImmediate(() => resolve(outcome))) };
}

describe('waitUntilEmpty', () => {
  test('resolves at once when nobody is there', async (t) => {
    fakeClock(t);
    const drain = watch(waitUntilEmpty(scripted([[0, 0]]), { timeoutMs: 60_000 }, log));
    assert.equal(await drain.outcome(), 'empty');
  });

  test('waits while participants leave one by one, then resolves empty', async (t) => {
    fakeClock(t);
    const drain = watch(waitUntilEmpty(scripted([[0, 2], [300, 1], [600, 0]]), { timeoutMs: 60_000 }, log));
    t.mock.timers.tick(500);
    assert.equal(await drain.outcome(), undefined, 'one participant is still there at 500 ms');
    // Polled every 250 ms: the check after the last one left (600 ms) is at 750 ms.
    t.mock.timers.tick(250);
    assert.equal(await drain.outcome(), 'empty');
  });

  test('gives up at the timeout with participants still there', async (t) => {
    fakeClock(t);
    const drain = watch(waitUntilEmpty(scripted([[0, 3]]), { timeoutMs: 500 }, log));
    t.mock.timers.tick(250);
    assert.equal(await drain.outcome(), undefined);
    t.mock.timers.tick(250);
    assert.equal(await drain.outcome(), 'timeout');
  });

  test('a timeout of 0 does not wait', async (t) => {
    fakeClock(t);
    const drain = watch(waitUntilEmpty(scripted([[0, 3]]), { timeoutMs: 0 }, log));
    assert.equal(await drain.outcome(), 'timeout');
  });

  test('an abort cuts it short, also one that came before', async (t) => {
    fakeClock(t);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const drain = watch(waitUntilEmpty(scripted([[0, 1]]), { timeoutMs: 60_000, signal: controller.signal }, log));
    t.mock.timers.tick(199);
    assert.equal(await drain.outcome(), undefined);
    t.mock.timers.tick(1);
    assert.equal(await drain.outcome(), 'cut-short');
    const again = watch(waitUntilEmpty(scripted([[0, 1]]), { timeoutMs: 60_000, signal: controller.signal }, log));
    assert.equal(await again.outcome(), 'cut-short');
  });

  test('logs the progress: the start, each change, the end', async (t) => {
    fakeClock(t);
    const lines: string[] = [];
    const sink = { write: (line: string) => void lines.push(line) } as unknown as NodeJS.WritableStream;
    const drain = watch(waitUntilEmpty(scripted([[0, 2], [300, 1], [600, 0]]), { timeoutMs: 60_000 }, createLogger('info', sink)));
    advance(t, 750);
    assert.equal(await drain.outcome(), 'empty');
    const messages = lines.map((l) => (JSON.parse(l) as { msg: string; participants: number }).msg);
    assert.deepEqual(messages, [
      'draining: refusing new participants, waiting for the current ones to leave',
      'draining: participants still here',
      'drain finished: every participant left',
    ]);
  });

  test('says every minute that it is still draining, even when nothing changes', async (t) => {
    fakeClock(t);
    const lines: string[] = [];
    const sink = { write: (line: string) => void lines.push(line) } as unknown as NodeJS.WritableStream;
    const drain = watch(waitUntilEmpty(scripted([[0, 1]]), { timeoutMs: 150_000 }, createLogger('info', sink)));
    advance(t, 150_000);
    assert.equal(await drain.outcome(), 'timeout');
    const progress = lines.filter((l) => (JSON.parse(l) as { msg: string }).msg === 'draining: participants still here');
    assert.equal(progress.length, 2, 'at 60 s and 120 s');
  });
});
