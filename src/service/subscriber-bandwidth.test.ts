import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CAP_SHARE, FIRST_HOLD_MS, fitToBandwidth, MAX_HOLD_MS, SubscriberBandwidth, type AllocatedStream } from './subscriber-bandwidth.js';

describe('SubscriberBandwidth', () => {
  test('an estimate that falls below what arrived caps the video at a share of it, for a hold', () => {
    const b = new SubscriberBandwidth();
    assert.equal(b.onEstimate(2_000_000, 1_500_000, 0), false, 'room to spare: no cap');
    assert.equal(b.onEstimate(1_400_000, 1_500_000, 0), false, 'within the margin (estimators wobble)');
    assert.equal(b.onEstimate(600_000, 1_500_000, 1000), true);
    assert.equal(b.cap, 600_000 * CAP_SHARE);
    assert.equal(b.tick(1000 + FIRST_HOLD_MS - 1), false);
    assert.equal(b.tick(1000 + FIRST_HOLD_MS), true, 'the wanted layers are tried again');
    assert.equal(b.cap, undefined);
  });

  test('an estimate lagging behind a step up to a bigger layer is not congestion: only a fall is', () => {
    const b = new SubscriberBandwidth();
    // A pinned teacher: 100 kbit/s of thumbnail, then 900 kbit/s; the estimate climbs ~8 %/s behind it.
    assert.equal(b.onEstimate(150_000, 100_000, 0), false);
    for (let t = 1; t < 20; t++) assert.equal(b.onEstimate(150_000 * 1.1 ** t, 900_000, t * 1000), false, `second ${t}`);
    assert.equal(b.cap, undefined);
    // Queues grow: the estimator cuts to ~0.85 of what arrives.
    assert.equal(b.onEstimate(0.85 * 900_000, 900_000, 21_000), true);
  });

  test('while capped, only a worse estimate tightens the cap', () => {
    const b = new SubscriberBandwidth();
    b.onEstimate(2_000_000, 1_500_000, 0);
    b.onEstimate(600_000, 1_500_000, 0);
    assert.equal(b.onEstimate(550_000, 400_000, 100), false, 'what we send now fits: nothing to do');
    assert.equal(b.onEstimate(200_000, 500_000, 200), true);
    assert.equal(b.cap, 200_000 * CAP_SHARE);
  });

  test('congestion right after a retry doubles the hold, up to a limit; a long calm resets it', () => {
    const b = new SubscriberBandwidth();
    let now = 0;
    const holds: number[] = [];
    for (let round = 0; round < 6; round++) {
      b.onEstimate(2_000_000, 1_500_000, now);
      b.onEstimate(300_000, 1_500_000, now);
      const from = now;
      while (!b.tick(now)) now += 100;
      holds.push(now - from);
    }
    assert.deepEqual(holds, [FIRST_HOLD_MS, FIRST_HOLD_MS * 2, FIRST_HOLD_MS * 4, FIRST_HOLD_MS * 8, MAX_HOLD_MS, MAX_HOLD_MS]);
    now += MAX_HOLD_MS * 3;
    b.onEstimate(2_000_000, 1_500_000, now);
    b.onEstimate(300_000, 1_500_000, now);
    const from = now;
    while (!b.tick(now)) now += 100;
    assert.equal(now - from, FIRST_HOLD_MS);
  });

  test('nonsense estimates are ignored', () => {
    const b = new SubscriberBandwidth();
    assert.equal(b.onEstimate(Number.NaN, 1_000_000, 0), false);
    b.onEstimate(1_000_000, 0, 0);
    assert.equal(b.onEstimate(100, 0, 0), false, 'nothing received: nothing to conclude');
  });
});

describe('fitToBandwidth', () => {
  const simulcast = (layer: number): AllocatedStream => ({ bitrates: [100_000, 300_000, 900_000], layer });
  test('lowers the lowest-priority streams first, a step at a time, down to their lowest layer', () => {
    const streams = [simulcast(2), simulcast(1), simulcast(1)];
    const total = fitToBandwidth(streams, 1_300_000);
    assert.deepEqual(
      streams.map((s) => s.layer),
      [2, 1, 0],
    );
    assert.equal(total, 1_300_000);
    fitToBandwidth(streams, 1_100_000);
    assert.deepEqual(
      streams.map((s) => s.layer),
      [2, 0, 0],
    );
  });
  test('the stage gives way last, and nothing goes below its lowest layer', () => {
    const streams = [simulcast(2), simulcast(0)];
    assert.equal(fitToBandwidth(streams, 50_000), 200_000);
    assert.deepEqual(
      streams.map((s) => s.layer),
      [0, 0],
    );
  });
  test('a layer never seen is stepped over', () => {
    const streams: AllocatedStream[] = [{ bitrates: [100_000, undefined, 900_000], layer: 2 }];
    fitToBandwidth(streams, 500_000);
    assert.equal(streams[0]!.layer, 0);
  });
  test('what fits is left alone', () => {
    const streams = [simulcast(2), simulcast(2)];
    fitToBandwidth(streams, 5_000_000);
    assert.deepEqual(
      streams.map((s) => s.layer),
      [2, 2],
    );
  });
});
