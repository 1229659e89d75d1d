import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FRAME_STEP, mapPayloadTypes, parseVp8Descriptor, SequenceRewriter, Vp8PictureRewriter, type NegotiatedCodec } from './rtp-rewrite.js';

describe('SequenceRewriter', () => {
  test('a plain stream passes unchanged', () => {
    const r = new SequenceRewriter(FRAME_STEP.video);
    assert.deepEqual(r.rewrite(1000, 90_000), { sequenceNumber: 1000, timestamp: 90_000 });
    assert.deepEqual(r.rewrite(1001, 93_000), { sequenceNumber: 1001, timestamp: 93_000 });
  });

  test('after a pause, sequence numbers go on from the last one sent; timestamps keep the source clock', () => {
    const r = new SequenceRewriter(FRAME_STEP.audio);
    r.rewrite(10, 480);
    r.rewrite(11, 1440);
    r.markGap();
    // The source kept counting while muted (packets not forwarded): 500 packets later.
    assert.deepEqual(r.rewrite(511, 500 * 960), { sequenceNumber: 12, timestamp: 500 * 960 });
    assert.deepEqual(r.rewrite(512, 501 * 960), { sequenceNumber: 13, timestamp: 501 * 960 });
  });

  test('a reused m-line continues both numbers from the previous stream, one frame later', () => {
    const r = new SequenceRewriter(FRAME_STEP.video, { sequenceNumber: 4000, timestamp: 1_000_000 });
    assert.deepEqual(r.position, { sequenceNumber: 4000, timestamp: 1_000_000 });
    assert.deepEqual(r.rewrite(17, 555), { sequenceNumber: 4001, timestamp: 1_003_000 });
    assert.deepEqual(r.rewrite(18, 3555), { sequenceNumber: 4002, timestamp: 1_006_000 });
  });

  test('sequence numbers wrap at 16 bits and timestamps at 32 bits', () => {
    const r = new SequenceRewriter(FRAME_STEP.video, { sequenceNumber: 0xfffe, timestamp: 0xffff_f000 });
    assert.deepEqual(r.rewrite(100, 0), { sequenceNumber: 0xffff, timestamp: (0xffff_f000 + 3000) >>> 0 });
    assert.deepEqual(r.rewrite(101, 3000), { sequenceNumber: 0, timestamp: (0xffff_f000 + 6000) >>> 0 });
    const wrapping = new SequenceRewriter(FRAME_STEP.video);
    wrapping.rewrite(0xffff, 1);
    wrapping.markGap();
    assert.equal(wrapping.rewrite(5, 2)?.sequenceNumber, 0);
  });

  test('position follows what was sent', () => {
    const r = new SequenceRewriter(FRAME_STEP.video);
    assert.equal(r.position, undefined);
    r.rewrite(7, 70);
    assert.deepEqual(r.position, { sequenceNumber: 7, timestamp: 70 });
  });
});

describe('mapPayloadTypes', () => {
  // What Firefox 153 and Chromium 156 offer (abridged).
  const firefox: NegotiatedCodec[] = [
    { payloadType: 120, mimeType: 'video/VP8' },
    { payloadType: 124, mimeType: 'video/rtx', parameters: 'apt=120' },
    { payloadType: 126, mimeType: 'video/H264', parameters: 'profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1' },
    { payloadType: 127, mimeType: 'video/rtx', parameters: 'apt=126' },
    { payloadType: 97, mimeType: 'video/H264', parameters: 'profile-level-id=42e01f;level-asymmetry-allowed=1' },
  ];
  const chromium: NegotiatedCodec[] = [
    { payloadType: 96, mimeType: 'video/VP8' },
    { payloadType: 97, mimeType: 'video/rtx', parameters: 'apt=96' },
    { payloadType: 102, mimeType: 'video/H264', parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' },
    { payloadType: 103, mimeType: 'video/rtx', parameters: 'apt=102' },
  ];

  test('each codec and its RTX take the subscriber\'s numbers', () => {
    assert.deepEqual(
      [...mapPayloadTypes(firefox, chromium)],
      [
        [120, 96],
        [126, 102],
        [124, 97],
        [127, 103],
      ],
    );
  });

  test('H.264 maps only to the same packetization mode; a codec the subscriber lacks is absent', () => {
    const map = mapPayloadTypes(firefox, chromium);
    assert.equal(map.has(97), false, 'packetization-mode 0 has no counterpart');
    const vp8Only = mapPayloadTypes(chromium, [{ payloadType: 100, mimeType: 'video/vp8' }]);
    assert.deepEqual([...vp8Only], [[96, 100]], 'names compare case-insensitively; RTX without its codec is dropped');
  });

  test('RTX whose apt names a codec the subscriber did not take is dropped', () => {
    const map = mapPayloadTypes(chromium, [
      { payloadType: 96, mimeType: 'video/VP8' },
      { payloadType: 99, mimeType: 'video/rtx', parameters: 'apt=102' },
    ]);
    assert.deepEqual([...map], [[96, 96]]);
  });
});

describe('SequenceRewriter across a simulcast layer switch', () => {
  test('both numbers continue from the last packet sent, the timestamp by the time elapsed', () => {
    const r = new SequenceRewriter(FRAME_STEP.video);
    r.rewrite(100, 9000);
    r.rewrite(101, 12_000);
    // 40 ms later (3600 ticks at 90 kHz), the keyframe of another layer: its own numbers, far away.
    r.switchSource(3600);
    assert.deepEqual(r.rewrite(50_000, 777_000), { sequenceNumber: 102, timestamp: 15_600 });
    assert.deepEqual(r.rewrite(50_001, 780_000), { sequenceNumber: 103, timestamp: 18_600 });
  });

  test('a straggler of the new layer from before its keyframe is dropped, not given a number already sent', () => {
    const r = new SequenceRewriter(FRAME_STEP.video);
    r.rewrite(100, 9000);
    r.switchSource(3000);
    assert.equal(r.rewrite(50_000, 777_000)?.sequenceNumber, 101);
    assert.equal(r.rewrite(49_999, 774_000), undefined);
    assert.equal(r.rewrite(50_001, 777_000)?.sequenceNumber, 102);
  });

  test('the straggler check ends after a window, so numbers half the space later still pass', () => {
    const r = new SequenceRewriter(FRAME_STEP.video);
    r.rewrite(0, 0);
    r.switchSource(3000);
    r.rewrite(10, 0);
    for (let seq = 11; seq < 40_000; seq += 500) assert.notEqual(r.rewrite(seq, 0), undefined, `seq ${seq}`);
  });

  test('a switch before anything was sent is a plain start', () => {
    const r = new SequenceRewriter(FRAME_STEP.video);
    r.switchSource(3000);
    assert.deepEqual(r.rewrite(500, 1000), { sequenceNumber: 500, timestamp: 1000 });
  });
});

/** A VP8 payload: descriptor with a 15-bit PictureID and TL0PICIDX (as Chrome sends), then `rest`. */
function vp8(pictureId: number, tl0: number, rest = Buffer.from([0x10, 0x02, 0x00])): Buffer {
  return Buffer.concat([Buffer.from([0x90, 0xc0, 0x80 | (pictureId >> 8), pictureId & 0xff, tl0]), rest]);
}

describe('parseVp8Descriptor', () => {
  test('finds the 15-bit PictureID and TL0PICIDX', () => {
    assert.deepEqual(parseVp8Descriptor(vp8(0x1234, 7)), { pictureIdOffset: 2, pictureIdLong: true, tl0PicIdxOffset: 4 });
  });
  test('a 7-bit PictureID, no TL0PICIDX, and no extension at all', () => {
    assert.deepEqual(parseVp8Descriptor(Buffer.from([0x90, 0x80, 0x05, 0x00])), { pictureIdOffset: 2, pictureIdLong: false, tl0PicIdxOffset: -1 });
    assert.deepEqual(parseVp8Descriptor(Buffer.from([0x10, 0x00])), { pictureIdOffset: -1, pictureIdLong: false, tl0PicIdxOffset: -1 });
  });
  test('a payload too short for what its bits claim', () => {
    assert.equal(parseVp8Descriptor(Buffer.from([0x90])), undefined);
    assert.equal(parseVp8Descriptor(Buffer.from([0x90, 0xc0, 0x80, 0x01])), undefined);
    assert.equal(parseVp8Descriptor(Buffer.alloc(0)), undefined);
  });
});

describe('Vp8PictureRewriter', () => {
  const pictureIdOf = (p: Buffer): number => p.readUInt16BE(2) & 0x7fff;
  test('passes payloads untouched (the same buffer) until a switch', () => {
    const r = new Vp8PictureRewriter();
    const p = vp8(100, 3);
    assert.equal(r.rewrite(p), p);
  });

  test('after a switch, PictureID and TL0PICIDX continue from the last sent, in a copy', () => {
    const r = new Vp8PictureRewriter();
    r.rewrite(vp8(100, 3));
    r.rewrite(vp8(101, 3));
    r.switchSource();
    const source = vp8(9000, 200);
    const out = r.rewrite(source);
    assert.notEqual(out, source);
    assert.equal(pictureIdOf(source), 9000, 'the shared payload is left alone');
    assert.deepEqual([pictureIdOf(out), out[4]], [102, 4]);
    assert.equal(out[2]! & 0x80, 0x80, 'still a 15-bit PictureID');
    assert.deepEqual(out.subarray(5), source.subarray(5), 'the frame itself unchanged');
    const next = r.rewrite(vp8(9001, 200));
    assert.deepEqual([pictureIdOf(next), next[4]], [103, 4]);
  });

  test('wraps PictureID at 15 bits and TL0PICIDX at 8', () => {
    const r = new Vp8PictureRewriter();
    r.rewrite(vp8(0x7fff, 255));
    r.switchSource();
    const out = r.rewrite(vp8(5, 9));
    assert.deepEqual([pictureIdOf(out), out[4]], [0, 0]);
  });
});

describe('late packets before a re-base', () => {
  test('a switch after a reordered packet continues from the highest number sent, not the latest', () => {
    const r = new SequenceRewriter(FRAME_STEP.video);
    for (const seq of [100, 101, 103, 102]) r.rewrite(seq, 0);
    r.switchSource(3000);
    assert.equal(r.rewrite(7000, 0)?.sequenceNumber, 104);
    const paused = new SequenceRewriter(FRAME_STEP.audio);
    for (const seq of [10, 12, 11]) paused.rewrite(seq, 0);
    paused.markGap();
    assert.equal(paused.rewrite(500, 0)?.sequenceNumber, 13, 'after a pause too');
  });

  test('PictureID and TL0PICIDX continue from the highest sent', () => {
    const r = new Vp8PictureRewriter();
    for (const [pid, tl0] of [[10, 1], [12, 2], [11, 1]] as const) r.rewrite(vp8(pid, tl0));
    r.switchSource();
    const out = r.rewrite(vp8(500, 50));
    assert.deepEqual([out.readUInt16BE(2) & 0x7fff, out[4]], [13, 3]);
  });
});
