import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVp8KeyframeStart, vp8KeyframeSize } from './keyframe.js';

/** A VP8 packet: Chrome's descriptor (15-bit PictureID, TL0PICIDX), then a frame header (RFC 6386 9.1). */
function vp8Packet(keyframe: boolean, width = 320, height = 240, start = true): Buffer {
  const descriptor = Buffer.from([0x80 | (start ? 0x10 : 0), 0xc0, 0x81, 0x23, 0x07]);
  const tag = Buffer.from([keyframe ? 0x50 : 0x51, 0x02, 0x00]);
  const size = Buffer.alloc(4);
  size.writeUInt16LE(width, 0);
  size.writeUInt16LE(height | (1 << 14), 2); // a scaling bit set: it is not part of the size
  return Buffer.concat([descriptor, tag, keyframe ? Buffer.concat([Buffer.from([0x9d, 0x01, 0x2a]), size]) : Buffer.alloc(0), Buffer.alloc(20)]);
}

test('a VP8 keyframe tells its picture size', () => {
  assert.deepEqual(vp8KeyframeSize(vp8Packet(true, 160, 120)), { width: 160, height: 120 });
  assert.deepEqual(vp8KeyframeSize(vp8Packet(true, 1280, 720)), { width: 1280, height: 720 });
  assert.equal(isVp8KeyframeStart(vp8Packet(true)), true);
});

test('a delta frame, a keyframe continuation packet, or a truncated keyframe tells no size', () => {
  assert.equal(vp8KeyframeSize(vp8Packet(false)), undefined);
  assert.equal(vp8KeyframeSize(vp8Packet(true, 320, 240, false)), undefined);
  assert.equal(vp8KeyframeSize(vp8Packet(true).subarray(0, 12)), undefined);
  assert.equal(isVp8KeyframeStart(vp8Packet(false)), false);
});
