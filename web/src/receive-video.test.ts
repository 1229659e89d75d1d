import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ASK_BURST, ASK_DEBOUNCE_MS, ReceiveVideoAsks, receiveVideoAsk, roundHeight, type AskClock, type ReceiveVideo } from './receive-video.js';

describe('receiveVideoAsk', () => {
  const tiles = (...hs: [string, number][]) => hs.map(([participantId, height]) => ({ participantId, height }));

  test('a grid of equal tiles: one maxHeight for everyone, no constraints', () => {
    assert.deepEqual(receiveVideoAsk({ lastN: undefined, pinned: undefined, tiles: tiles(['a', 231], ['b', 231]), large: undefined }), {
      type: 'receive-video',
      onStage: [],
      maxHeight: 240,
    });
  });

  test('someone pinned large: their own taller constraint and a place on stage; the strip sets maxHeight', () => {
    const ask = receiveVideoAsk({ lastN: 5, pinned: 'a', tiles: tiles(['a', 130], ['b', 130]), large: { participantId: 'a', height: 452.5 } });
    assert.deepEqual(ask, { type: 'receive-video', lastN: 5, onStage: ['a'], maxHeight: 140, constraints: { a: { maxHeight: 460 } } });
  });

  test('tiles on another grid page get 0: no video from them', () => {
    const ask = receiveVideoAsk({ lastN: undefined, pinned: undefined, tiles: tiles(['a', 180], ['b', 0], ['c', 0]), large: undefined });
    assert.equal(ask.maxHeight, 180);
    assert.deepEqual(ask.constraints, { b: { maxHeight: 0 }, c: { maxHeight: 0 } });
  });

  test('a hidden filmstrip and nothing large: 0 for everyone', () => {
    assert.equal(receiveVideoAsk({ lastN: undefined, pinned: undefined, tiles: tiles(['a', 0]), large: undefined }).maxHeight, 0);
  });

  test('more than 200 constraints keep the tallest (the camera shown large)', () => {
    const many = tiles(['big', 100], ...Array.from({ length: 300 }, (_, i): [string, number] => [`p${i}`, 0]), ['t', 100]);
    const ask = receiveVideoAsk({ lastN: undefined, pinned: undefined, tiles: many, large: { participantId: 'big', height: 700 } });
    assert.equal(Object.keys(ask.constraints ?? {}).length, 200);
    assert.deepEqual(ask.constraints?.big, { maxHeight: 700 });
  });

  test('heights round up to 20 device pixels, within the protocol', () => {
    assert.deepEqual([roundHeight(0), roundHeight(-3), roundHeight(1), roundHeight(180), roundHeight(181), roundHeight(1e6)], [0, 0, 20, 180, 200, 4320]);
  });
});

describe('ReceiveVideoAsks', () => {
  function fakeClock(): AskClock & { t: number; run(ms: number): void } {
    let timers: { at: number; fn: () => void; id: number }[] = [];
    let next = 0;
    const clock = {
      t: 0,
      now: () => clock.t,
      setTimeout: (fn: () => void, ms: number) => {
        timers.push({ at: clock.t + ms, fn, id: ++next });
        return next;
      },
      clearTimeout: (id: unknown) => {
        timers = timers.filter((x) => x.id !== id);
      },
      run(ms: number) {
        const end = clock.t + ms;
        for (;;) {
          const due = timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
          if (!due) break;
          timers = timers.filter((x) => x !== due);
          clock.t = due.at;
          due.fn();
        }
        clock.t = end;
      },
    };
    return clock;
  }
  const ask = (maxHeight: number): ReceiveVideo => ({ type: 'receive-video', onStage: [], maxHeight });

  test('debounced, and sent only when it changes', () => {
    const clock = fakeClock();
    let height = 180;
    const sent: number[] = [];
    const asks = new ReceiveVideoAsks(() => ask(height), (m) => sent.push(m.maxHeight ?? -1), clock);
    for (let i = 0; i < 10; i++) {
      asks.schedule();
      clock.run(50);
    }
    assert.deepEqual(sent, [], 'nothing while the layout keeps changing');
    clock.run(ASK_DEBOUNCE_MS);
    assert.deepEqual(sent, [180]);
    asks.schedule();
    clock.run(1000);
    assert.deepEqual(sent, [180], 'the same ask is not sent again');
    height = 360;
    asks.schedule();
    clock.run(1000);
    assert.deepEqual(sent, [180, 360]);
    asks.reset();
    asks.schedule();
    clock.run(1000);
    assert.deepEqual(sent, [180, 360, 360], 'a new session hears it again');
  });

  test('paced below the server rate limit: a burst, then one a second, and the last ask always arrives', () => {
    const clock = fakeClock();
    let height = 0;
    const sent: { at: number; h: number }[] = [];
    const asks = new ReceiveVideoAsks(() => ask(height), (m) => sent.push({ at: clock.t, h: m.maxHeight ?? -1 }), clock);
    for (let i = 1; i <= 20; i++) {
      height = i * 20;
      asks.flush();
      clock.run(10);
    }
    assert.equal(sent.length, ASK_BURST);
    clock.run(5000);
    assert.equal(sent.at(-1)?.h, 400, 'the latest ask went out once the pace allowed');
    for (let i = ASK_BURST + 1; i < sent.length; i++) assert.ok(sent[i]!.at - sent[i - 1]!.at >= 1000, 'one a second after the burst');
    assert.ok(sent.filter((s) => s.at < 5000).length <= ASK_BURST + 5, 'never faster than the burst and 1/s');
  });
});
