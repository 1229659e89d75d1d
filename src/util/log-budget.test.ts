import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from './log.js';
import { LogBudget } from './log-budget.js';

function capture(level = 'info'): { lines: Record<string, unknown>[]; log: ReturnType<typeof createLogger> } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger(level, sink) };
}

test('a flood of log lines is cut to the budget, and the next line says how many were dropped', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 0 });
  const { lines, log } = capture();
  const budget = new LogBudget({ burst: 5, refillMs: 1000 });
  const child = budget.wrap(log).child({ participant: 'p1' });
  for (let i = 0; i < 1000; i++) child.warn({ code: 'x', i }, 'client reported a problem');
  assert.equal(lines.length, 5);
  assert.equal(budget.dropped, 995);
  t.mock.timers.tick(1000);
  child.info('next');
  assert.equal(lines.length, 6);
  assert.equal(lines[5]!.logLinesSuppressed, 995);
  assert.equal(lines[5]!.participant, 'p1', 'children keep their bindings');
});

test('levels that are off cost nothing; fatal always goes through', () => {
  const { lines, log } = capture('info');
  const budget = new LogBudget({ burst: 1, refillMs: 60_000 });
  const wrapped = budget.wrap(log);
  for (let i = 0; i < 100; i++) wrapped.debug('not written');
  wrapped.info('first');
  wrapped.error(new Error('boom'), 'dropped');
  wrapped.fatal('always');
  assert.deepEqual(lines.map((l) => l.msg), ['first', 'always']);
});
