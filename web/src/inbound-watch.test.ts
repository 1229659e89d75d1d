import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InboundWatch, STALLED_AFTER_MS, type InboundSample } from './inbound-watch.js';

/** Two remote participants, audio + video each; `counts` are packetsReceived per mid. */
function samples(counts: Record<string, number>, muted: Partial<Record<string, boolean>> = {}): InboundSample[] {
  const who: Record<string, [string, 'audio' | 'video']> = { '0': ['ada', 'audio'], '1': ['ada', 'video'], '2': ['bob', 'audio'], '3': ['bob', 'video'] };
  return Object.entries(counts).map(([mid, packets]) => ({ mid, participantId: who[mid]![0], kind: who[mid]![1], packets, senderMuted: muted[mid] ?? false }));
}

describe('InboundWatch (the page sees what it receives)', () => {
  test('media arriving from everyone: nothing stalled', () => {
    const watch = new InboundWatch();
    for (let t = 0; t <= 20_000; t += 1000) {
      const v = watch.update(samples({ '0': t, '1': t, '2': t, '3': t }), t);
      assert.equal(v.stalled.size, 0);
      assert.equal(v.pathDead, false);
    }
  });

  test("one sender's media stops: that participant is stalled, the path is not dead", () => {
    const watch = new InboundWatch();
    for (let t = 0; t <= 3000; t += 1000) watch.update(samples({ '0': t, '1': t, '2': t, '3': t }), t);
    let v = watch.update(samples({ '0': 3000, '1': 3000, '2': 4000, '3': 4000 }), 4000);
    for (let t = 5000; t <= 3000 + STALLED_AFTER_MS + 1000; t += 1000) v = watch.update(samples({ '0': 3000, '1': 3000, '2': t, '3': t }), t);
    assert.deepEqual([...v.stalled], ['ada']);
    assert.equal(v.pathDead, false);
  });

  test('nothing arrives from anybody: the path is dead, and says since when', () => {
    const watch = new InboundWatch();
    for (let t = 0; t <= 2000; t += 1000) watch.update(samples({ '0': t, '1': t, '2': t, '3': t }), t);
    let v = watch.update(samples({ '0': 2000, '1': 2000, '2': 2000, '3': 2000 }), 3000);
    for (let t = 4000; t <= 9000; t += 1000) v = watch.update(samples({ '0': 2000, '1': 2000, '2': 2000, '3': 2000 }), t);
    assert.equal(v.pathDead, true);
    assert.deepEqual([...v.stalled].sort(), ['ada', 'bob']);
    assert.ok(v.pathDeadForMs >= 1000 && v.pathDeadForMs <= 3000, `${v.pathDeadForMs}`);
  });

  test('a muted sender is never stalled, and gets a fresh start when it unmutes', () => {
    const watch = new InboundWatch();
    let v = watch.update(samples({ '1': 100 }, { '1': true }), 0);
    v = watch.update(samples({ '1': 100 }, { '1': true }), 60_000);
    assert.equal(v.stalled.size, 0);
    v = watch.update(samples({ '1': 100 }), 61_000);
    assert.equal(v.stalled.size, 0, 'just unmuted: not yet');
    v = watch.update(samples({ '1': 100 }), 61_000 + STALLED_AFTER_MS + 1);
    assert.deepEqual([...v.stalled], ['ada'], 'unmuted and still silent: stalled');
  });

  test('a new track gets time for its first packet; tracks that went away are forgotten', () => {
    const watch = new InboundWatch();
    let v = watch.update(samples({ '1': 0 }), 0);
    v = watch.update(samples({ '1': 0 }), 6000);
    assert.equal(v.stalled.size, 0, 'still setting up');
    v = watch.update(samples({ '1': 0 }), 9000);
    assert.deepEqual([...v.stalled], ['ada']);
    v = watch.update([], 10_000);
    assert.equal(v.stalled.size, 0);
    assert.equal(v.pathDead, false, 'nothing to judge is not a dead path');
  });
});
