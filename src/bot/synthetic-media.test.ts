import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { SyntheticMedia, type VideoLayerSpec } from './synthetic-media.js';
import type { SyntheticRtp } from './synthetic-vp8-stream.js';
import { readVp8KeyframeSize } from './vp8.js';

/** Three layers whose sinks record what they were given; the clock is the mocked timers' own. */
function simulcastMedia(t: TestContext, ready = () => true) {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const got: Record<string, SyntheticRtp[]> = { q: [], h: [], f: [] };
  const layers: VideoLayerSpec[] = [
    { rid: 'q', shape: { width: 160, height: 120, kbps: 60, fps: 25 }, sink: (p) => ready() && got.q!.push(p) > 0 },
    { rid: 'h', shape: { width: 320, height: 240, kbps: 140, fps: 25 }, sink: (p) => ready() && got.h!.push(p) > 0 },
    { rid: 'f', shape: { width: 640, height: 480, kbps: 300, fps: 25 }, sink: (p) => ready() && got.f!.push(p) > 0 },
  ];
  let now = 0;
  const media = new SyntheticMedia(undefined, layers, 25, () => now);
  const advance = (ms: number): void => {
    for (let passed = 0; passed < ms; passed += 10) {
      now += 10;
      t.mock.timers.tick(10);
    }
  };
  return { media, got, advance };
}

const keyframeSizes = (packets: readonly SyntheticRtp[]) => packets.map((p) => readVp8KeyframeSize(p.payload)).filter((s) => s !== undefined);

test('every layer sends from the start, each opening with a keyframe of its own size', (t) => {
  const { media, got, advance } = simulcastMedia(t);
  media.start();
  advance(1000);
  media.stop();
  assert.deepEqual(keyframeSizes(got.q!.slice(0, 1)), [{ width: 160, height: 120 }]);
  assert.deepEqual(keyframeSizes(got.h!.slice(0, 1)), [{ width: 320, height: 240 }]);
  assert.deepEqual(keyframeSizes(got.f!.slice(0, 1)), [{ width: 640, height: 480 }]);
  const layers = media.layers();
  for (const rid of ['q', 'h', 'f']) assert.ok(layers[rid]!.frames >= 24 && layers[rid]!.frames <= 26, `${rid}: ${layers[rid]!.frames} frames in 1 s at 25 fps`);
  assert.ok(layers.f!.bytes > 2 * layers.q!.bytes, 'the top layer carries more');
  assert.equal(media.sent.video.packets, got.q!.length + got.h!.length + got.f!.length);
});

test('dynacast: an inactive layer stops, and comes back with a keyframe and unbroken sequence numbers', (t) => {
  const { media, got, advance } = simulcastMedia(t);
  media.start();
  advance(500);
  media.setActiveLayers(['q', 'h']);
  const fBefore = got.f!.length;
  const qBefore = got.q!.length;
  advance(1000);
  assert.equal(got.f!.length, fBefore, 'f sent nothing while inactive');
  assert.ok(got.q!.length > qBefore, 'q went on');
  assert.deepEqual({ active: media.layers().f!.active, pauses: media.layers().f!.pauses }, { active: false, pauses: 1 });
  media.setActiveLayers(['q', 'h', 'f']);
  advance(100);
  media.stop();
  const resumed = got.f![fBefore]!;
  assert.deepEqual(readVp8KeyframeSize(resumed.payload), { width: 640, height: 480 }, 'the first packet after the pause starts a keyframe');
  assert.equal(resumed.sequenceNumber, (got.f![fBefore - 1]!.sequenceNumber + 1) & 0xffff, 'no gap in sequence numbers');
  assert.equal(media.layers().f!.active, true);
});

test('a keyframe request names one layer; none names all', (t) => {
  const { media, got, advance } = simulcastMedia(t);
  media.start();
  advance(400); // past the opening keyframes, well before the 2 s refresh
  const mark = { q: got.q!.length, h: got.h!.length, f: got.f!.length };
  media.requestKeyframe('h');
  advance(40);
  assert.equal(keyframeSizes(got.h!.slice(mark.h)).length, 1);
  assert.equal(keyframeSizes(got.q!.slice(mark.q)).length, 0);
  assert.equal(keyframeSizes(got.f!.slice(mark.f)).length, 0);
  media.requestKeyframe();
  advance(40);
  media.stop();
  for (const rid of ['q', 'h', 'f'] as const) assert.equal(keyframeSizes(got[rid]!.slice(mark[rid])).length, rid === 'h' ? 2 : 1, rid);
});

test('a keyframe the transport could not take is still owed once it is up', (t) => {
  let up = false;
  const { media, got, advance } = simulcastMedia(t, () => up);
  media.start();
  advance(200);
  assert.equal(media.layers().q!.frames, 0);
  up = true;
  advance(40);
  media.stop();
  assert.deepEqual(keyframeSizes(got.q!.slice(0, 1)), [{ width: 160, height: 120 }]);
});

test('a layer with a lower frame rate (the thumbnail, THUMBNAIL_MAX_FRAMERATE) sends only its share of the camera frames', () => {
  let now = 0;
  const frames: Record<string, number> = { q: 0, f: 0 };
  const media = new SyntheticMedia(
    undefined,
    [
      { rid: 'q', shape: { width: 160, height: 120, kbps: 60, fps: 10 }, sink: (p) => (p.marker ? frames.q!++ : 0) >= 0 },
      { rid: 'f', shape: { width: 640, height: 480, kbps: 300, fps: 15 }, sink: (p) => (p.marker ? frames.f!++ : 0) >= 0 },
    ],
    15,
    () => now,
  );
  media.start();
  for (; now <= 3000; now += 10) (media as unknown as { tick(): void }).tick();
  media.stop();
  assert.ok(frames.f! >= 44 && frames.f! <= 46, `f: ${frames.f} frames in 3 s at 15 fps`);
  assert.ok(frames.q! >= 29 && frames.q! <= 31, `q: ${frames.q} frames in 3 s at 10 fps`);
});
