import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVp8KeyframeStart } from './receive-stats.js';
import { readVp8Descriptor, readVp8KeyframeSize, vp8FrameHeader, writeVp8Descriptor, VP8_DESCRIPTOR_BYTES } from './vp8.js';

test('the payload descriptor carries a 15-bit PictureID and TL0PICIDX as Chrome writes them (RFC 7741 4.2)', () => {
  const d = writeVp8Descriptor({ start: true, pictureId: 0x1234, tl0PicIdx: 0x56 });
  assert.equal(d.length, VP8_DESCRIPTOR_BYTES);
  // X=1, S=1, PID 0 / I, L, T / M=1 + 7 high bits / 8 low bits / TL0PICIDX / TID 0, Y=1.
  assert.deepEqual([...d], [0x90, 0xe0, 0x92, 0x34, 0x56, 0x20]);
  assert.deepEqual(readVp8Descriptor(d), { start: true, partitionId: 0, pictureId: 0x1234, tl0PicIdx: 0x56, length: 6 });
  // Values wrap at their field widths.
  assert.deepEqual(readVp8Descriptor(writeVp8Descriptor({ start: false, pictureId: 0x8001, tl0PicIdx: 0x101 })), { start: false, partitionId: 0, pictureId: 1, tl0PicIdx: 1, length: 6 });
});

test('reads the short descriptors other senders write', () => {
  // X=1, I=1 with a 7-bit PictureID, nothing else.
  assert.deepEqual(readVp8Descriptor(Buffer.from([0x90, 0x80, 0x05, 0xff])), { start: true, partitionId: 0, pictureId: 5, tl0PicIdx: undefined, length: 3 });
  // No X byte at all.
  assert.deepEqual(readVp8Descriptor(Buffer.from([0x10, 0xff])), { start: true, partitionId: 0, pictureId: undefined, tl0PicIdx: undefined, length: 1 });
  assert.equal(readVp8Descriptor(Buffer.from([0x90, 0x80])), undefined, 'cut short inside the PictureID');
});

test('a keyframe header carries the layer picture size (RFC 6386 9.1) and reads back from the packet', () => {
  for (const size of [{ width: 160, height: 120 }, { width: 320, height: 240 }, { width: 640, height: 480 }]) {
    const packet = Buffer.concat([writeVp8Descriptor({ start: true, pictureId: 7, tl0PicIdx: 1 }), vp8FrameHeader(true, 1000, size), Buffer.alloc(50)]);
    assert.ok(isVp8KeyframeStart(packet));
    assert.deepEqual(readVp8KeyframeSize(packet), size);
  }
  const header = vp8FrameHeader(true, 1000, { width: 640, height: 480 });
  assert.deepEqual([...header.subarray(3, 10)], [0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]);
  assert.equal(header.readUIntLE(0, 3) >> 5, 1000, 'first partition size');
  // A delta frame, or a keyframe's later packet, says nothing about the size.
  const delta = Buffer.concat([writeVp8Descriptor({ start: true, pictureId: 7, tl0PicIdx: 1 }), vp8FrameHeader(false, 300, { width: 640, height: 480 }), Buffer.alloc(20)]);
  assert.equal(delta.length, 6 + 3 + 20);
  assert.equal(readVp8KeyframeSize(delta), undefined);
  const later = Buffer.concat([writeVp8Descriptor({ start: false, pictureId: 7, tl0PicIdx: 1 }), vp8FrameHeader(true, 1000, { width: 640, height: 480 })]);
  assert.equal(readVp8KeyframeSize(later), undefined);
});
