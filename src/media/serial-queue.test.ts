import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SerialQueue } from './serial-queue.js';

describe('SerialQueue', () => {
  test('runs tasks one at a time, in the order given, whatever their duration', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string, ms: number) => async () => {
      running++;
      assert.equal(running, 1, `${name} overlapped another task`);
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([queue.run(task('a', 20)), queue.run(task('b', 0)), queue.run(task('c', 5))]);
    assert.deepEqual(results, ['a', 'b', 'c']);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  test('does not start a task before run() returns', async () => {
    const queue = new SerialQueue();
    let started = false;
    const done = queue.run(async () => {
      started = true;
    });
    assert.equal(started, false);
    await done;
    assert.equal(started, true);
  });

  test('a failing task rejects its own promise only; the next tasks still run', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const failing = queue.run(async () => {
      log.push('a');
      throw new Error('offer failed');
    });
    const next = queue.run(async () => {
      log.push('b');
      return 42;
    });
    await assert.rejects(failing, { message: 'offer failed' });
    assert.equal(await next, 42);
    assert.deepEqual(log, ['a', 'b']);
  });

  test('a task that throws synchronously is isolated too', async () => {
    const queue = new SerialQueue();
    const failing = queue.run(() => {
      throw new Error('sync');
    });
    await assert.rejects(failing, { message: 'sync' });
    assert.equal(await queue.run(async () => 'after'), 'after');
  });

  test("a task after a failure is not handed the previous task's error", async () => {
    const queue = new SerialQueue();
    void queue.run(async () => Promise.reject(new Error('boom'))).catch(() => undefined);
    const args = await queue.run(async (...rest: unknown[]) => rest);
    assert.deepEqual(args, [undefined]);
  });

  test('several failures in a row do not stop the queue', async () => {
    const queue = new SerialQueue();
    const outcomes = await Promise.allSettled([
      queue.run(async () => Promise.reject(new Error('1'))),
      queue.run(async () => Promise.reject(new Error('2'))),
      queue.run(async () => 'ok'),
    ]);
    assert.deepEqual(
      outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)),
      ['1', '2', 'ok'],
    );
  });

  test('a task queued from inside a running task runs after it', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let inner: Promise<void> | undefined;
    await queue.run(async () => {
      inner = queue.run(async () => {
        log.push('inner');
      });
      await sleep(5);
      log.push('outer');
    });
    await inner;
    assert.deepEqual(log, ['outer', 'inner']);
  });

  test('queues are independent', async () => {
    const a = new SerialQueue();
    const b = new SerialQueue();
    const log: string[] = [];
    const slow = a.run(async () => {
      await sleep(20);
      log.push('a');
    });
    await b.run(async () => {
      log.push('b');
    });
    await slow;
    assert.deepEqual(log, ['b', 'a']);
  });
});
