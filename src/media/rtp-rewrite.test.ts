import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FRAME_STEP, mapPayloadTypes, SequenceRewriter, type NegotiatedCodec } from './rtp-rewrite.js';

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
    assert.equal(wrapping.rewrite(5, 2).sequenceNumber, 0);
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
