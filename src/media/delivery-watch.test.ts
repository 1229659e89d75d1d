import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeliveryWatch, STALL_AFTER_MS } from './delivery-watch.js';

const AUDIO = 1111;
const VIDEO = 2222;

/** Sends on the given streams every 20 ms from `from` to `to`; reports every `reportEvery` ms unless told not to. */
function run(
  watch: DeliveryWatch,
  from: number,
  to: number,
  opts: { streams: [number, 'audio' | 'video'][]; reportEvery?: number; progress?: boolean; seq?: Map<number, number> },
): void {
  const seq = opts.seq ?? new Map<number, number>();
  for (let t = from; t < to; t += 20) {
    for (const [ssrc, kind] of opts.streams) {
      watch.sent(ssrc, kind, t);
      if (opts.progress !== false) seq.set(ssrc, (seq.get(ssrc) ?? 0) + 1);
    }
    if (opts.reportEvery && (t - from) % opts.reportEvery === 0) {
      for (const [ssrc] of opts.streams) watch.reported(ssrc, seq.get(ssrc) ?? 0, t);
    }
  }
}

describe('DeliveryWatch', () => {
  test('a subscriber that acknowledges what it gets is never stalled', () => {
    const watch = new DeliveryWatch(0);
    run(watch, 0, 60_000, { streams: [[AUDIO, 'audio'], [VIDEO, 'video']], reportEvery: 1000 });
    assert.equal(watch.check(60_000), undefined);
  });

  test('reports that stop progressing while we send: stalled once video has been silent past its threshold', () => {
    const watch = new DeliveryWatch(0);
    const seq = new Map<number, number>();
    run(watch, 0, 10_000, { streams: [[AUDIO, 'audio'], [VIDEO, 'video']], reportEvery: 1000, seq });
    // From 10 s on the browser gets nothing: its reports repeat the same numbers.
    run(watch, 10_000, 10_000 + STALL_AFTER_MS.video, { streams: [[AUDIO, 'audio'], [VIDEO, 'video']], reportEvery: 1000, progress: false, seq });
    assert.equal(watch.check(10_000 + STALL_AFTER_MS.video - 100), undefined, 'not before the threshold');
    run(watch, 10_000 + STALL_AFTER_MS.video, 16_500, { streams: [[AUDIO, 'audio'], [VIDEO, 'video']], reportEvery: 1000, progress: false, seq });
    const stall = watch.check(16_500);
    assert.ok(stall, 'stalled');
    assert.equal(stall.streams, 2);
    assert.equal(stall.reportsArriving, true, 'reports kept coming without progress');
    assert.ok(stall.silentForMs > STALL_AFTER_MS.video && stall.silentForMs < 7000, `silent for ${stall.silentForMs} ms`);
    assert.ok(stall.unacknowledgedPackets > 500);
  });

  test('no reports at all after a first one: stalled, and says reports stopped', () => {
    const watch = new DeliveryWatch(0);
    const seq = new Map<number, number>();
    run(watch, 0, 3000, { streams: [[VIDEO, 'video']], reportEvery: 1000, seq });
    run(watch, 3000, 9000, { streams: [[VIDEO, 'video']] });
    const stall = watch.check(9000);
    assert.ok(stall);
    assert.equal(stall.reportsArriving, false);
  });

  test('audio only waits longer: browsers report on audio streams every ~5 s', () => {
    const watch = new DeliveryWatch(0);
    run(watch, 0, STALL_AFTER_MS.video + 2000, { streams: [[AUDIO, 'audio']] });
    assert.equal(watch.check(STALL_AFTER_MS.video + 2000), undefined);
    run(watch, STALL_AFTER_MS.video + 2000, STALL_AFTER_MS.audio + 500, { streams: [[AUDIO, 'audio']] });
    assert.ok(watch.check(STALL_AFTER_MS.audio + 500));
  });

  test('progress on any stream keeps the path alive (one stream the browser does not decode is not a dead path)', () => {
    const watch = new DeliveryWatch(0);
    const seq = new Map<number, number>();
    for (let t = 0; t < 20_000; t += 20) {
      watch.sent(AUDIO, 'audio', t);
      watch.sent(VIDEO, 'video', t);
      seq.set(AUDIO, (seq.get(AUDIO) ?? 0) + 1);
      if (t % 1000 === 0) {
        watch.reported(AUDIO, seq.get(AUDIO)!, t);
        watch.reported(VIDEO, 7, t);
      }
    }
    assert.equal(watch.check(20_000), undefined);
  });

  test('nothing sent (everyone muted): never stalled, however long without reports', () => {
    const watch = new DeliveryWatch(0);
    run(watch, 0, 2000, { streams: [[VIDEO, 'video']], reportEvery: 1000 });
    assert.equal(watch.check(60_000), undefined);
  });

  test('a stream that starts after a long quiet time gets its full threshold', () => {
    const watch = new DeliveryWatch(0);
    run(watch, 30_000, 30_000 + STALL_AFTER_MS.video - 40, { streams: [[VIDEO, 'video']] });
    assert.equal(watch.check(30_000 + STALL_AFTER_MS.video - 40), undefined);
  });

  test('reset (after a repair) starts the clock again; forget drops a stream', () => {
    const watch = new DeliveryWatch(0);
    run(watch, 0, 8000, { streams: [[VIDEO, 'video']] });
    assert.ok(watch.check(8000));
    watch.reset(8000);
    assert.equal(watch.check(8000), undefined);
    run(watch, 8000, 12_000, { streams: [[VIDEO, 'video']] });
    assert.equal(watch.check(12_000), undefined);
    watch.forget(VIDEO);
    assert.equal(watch.check(30_000), undefined);
  });
});
