import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameBytes, KEYFRAME_INTERVAL_MS, MAX_PACKET_PAYLOAD, SyntheticVp8Stream } from './synthetic-vp8-stream.js';
import { readVp8Descriptor, readVp8KeyframeSize, VP8_DESCRIPTOR_BYTES } from './vp8.js';

const shape = { width: 320, height: 240, kbps: 140, fps: 25 };

test('each frame has one PictureID and one TL0PICIDX, both +1 per frame (wrapping), sequence numbers +1 per packet', () => {
  const stream = new SyntheticVp8Stream({ ...shape, kbps: 2000 });
  let lastSeq: number | undefined;
  let last: { pictureId: number; tl0PicIdx: number } | undefined;
  for (let frame = 0; frame < 300; frame++) {
    const packets = stream.frame(frame * 40, frame % 50 === 0);
    assert.ok(packets.length > 1, 'big frames span packets');
    const descriptors = packets.map((p) => readVp8Descriptor(p.payload)!);
    assert.deepEqual(descriptors.map((d) => d.start), packets.map((_, i) => i === 0), 'S only on the first packet');
    assert.deepEqual(packets.map((p) => p.marker), packets.map((_, i) => i === packets.length - 1), 'marker only on the last');
    assert.equal(new Set(descriptors.map((d) => d.pictureId)).size, 1);
    assert.equal(new Set(packets.map((p) => p.timestamp)).size, 1, 'one timestamp per frame');
    const { pictureId, tl0PicIdx } = descriptors[0]! as { pictureId: number; tl0PicIdx: number };
    if (last) {
      assert.equal(pictureId, (last.pictureId + 1) & 0x7fff);
      assert.equal(tl0PicIdx, (last.tl0PicIdx + 1) & 0xff);
    }
    last = { pictureId, tl0PicIdx };
    for (const p of packets) {
      if (lastSeq !== undefined) assert.equal(p.sequenceNumber, (lastSeq + 1) & 0xffff);
      lastSeq = p.sequenceNumber;
      assert.ok(p.payload.length <= MAX_PACKET_PAYLOAD + VP8_DESCRIPTOR_BYTES);
    }
  }
});

test('90 kHz timestamps follow the capture time from a random base', () => {
  const stream = new SyntheticVp8Stream(shape);
  const a = stream.frame(1000, true)[0]!.timestamp;
  const b = stream.frame(1040, false)[0]!.timestamp;
  assert.equal((b - a) >>> 0, 40 * 90);
});

test('keyframes carry the stream picture size; two streams keep separate counters', () => {
  const low = new SyntheticVp8Stream({ ...shape, width: 160, height: 120 });
  const high = new SyntheticVp8Stream({ ...shape, width: 640, height: 480 });
  assert.deepEqual(readVp8KeyframeSize(low.frame(0, true)[0]!.payload), { width: 160, height: 120 });
  assert.deepEqual(readVp8KeyframeSize(high.frame(0, true)[0]!.payload), { width: 640, height: 480 });
  assert.equal(readVp8KeyframeSize(high.frame(40, false)[0]!.payload), undefined);
  const lowNext = low.nextPictureId;
  high.frame(80, false);
  assert.equal(low.nextPictureId, lowNext, 'sending on one layer does not move the other');
});

test('frame sizes meet the bitrate over a keyframe interval', () => {
  for (const [kbps, fps] of [[60, 25], [300, 25], [500, 15]] as const) {
    const frames = (fps * KEYFRAME_INTERVAL_MS) / 1000;
    const bytes = frameBytes(kbps, fps, true) + (frames - 1) * frameBytes(kbps, fps, false);
    const measured = (bytes * 8) / (KEYFRAME_INTERVAL_MS / 1000) / 1000;
    assert.ok(Math.abs(measured - kbps) / kbps < 0.02, `${kbps} kbit/s at ${fps} fps: ${measured}`);
  }
});
