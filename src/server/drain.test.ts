import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '../util/log.js';
import { waitUntilEmpty, type Occupancy } from './drain.js';

const log = createLogger('silent');

/** An occupancy that changes over time: `steps` of [ms from start, participants]. */
function scripted(steps: [number, number][]): () => Occupancy {
  const start = Date.now();
  return () => {
    let participants = steps[0]![1];
    for (const [at, n] of steps) if (Date.now() - start >= at) participants = n;
    return { rooms: participants > 0 ? 1 : 0, participants };
  };
}

describe('waitUntilEmpty', () => {
  test('resolves at once when nobody is there', async () => {
    const started = Date.now();
    assert.equal(await waitUntilEmpty(scripted([[0, 0]]), { timeoutMs: 60_000 }, log), 'empty');
    assert.ok(Date.now() - started < 100);
  });

  test('waits while participants leave one by one, then resolves empty', async () => {
    const started = Date.now();
    const outcome = await waitUntilEmpty(scripted([[0, 2], [300, 1], [600, 0]]), { timeoutMs: 60_000 }, log);
    assert.equal(outcome, 'empty');
    assert.ok(Date.now() - started >= 600 && Date.now() - started < 1_200, `${Date.now() - started} ms`);
  });

  test('gives up at the timeout with participants still there', async () => {
    const started = Date.now();
    assert.equal(await waitUntilEmpty(scripted([[0, 3]]), { timeoutMs: 500 }, log), 'timeout');
    assert.ok(Date.now() - started >= 500 && Date.now() - started < 1_000);
  });

  test('a timeout of 0 does not wait', async () => {
    const started = Date.now();
    assert.equal(await waitUntilEmpty(scripted([[0, 3]]), { timeoutMs: 0 }, log), 'timeout');
    assert.ok(Date.now() - started < 100);
  });

  test('an abort cuts it short, also one that came before', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    assert.equal(await waitUntilEmpty(scripted([[0, 1]]), { timeoutMs: 60_000, signal: controller.signal }, log), 'cut-short');
    assert.ok(Date.now() - started < 600);
    assert.equal(await waitUntilEmpty(scripted([[0, 1]]), { timeoutMs: 60_000, signal: controller.signal }, log), 'cut-short');
  });

  test('logs the progress: the start, each change, the end', async () => {
    const lines: string[] = [];
    const sink = { write: (line: string) => void lines.push(line) } as unknown as NodeJS.WritableStream;
    await waitUntilEmpty(scripted([[0, 2], [300, 1], [600, 0]]), { timeoutMs: 60_000 }, createLogger('info', sink));
    const messages = lines.map((l) => (JSON.parse(l) as { msg: string; participants: number }).msg);
    assert.deepEqual(messages, [
      'draining: refusing new participants, waiting for the current ones to leave',
      'draining: participants still here',
      'drain finished: every participant left',
    ]);
  });
});
