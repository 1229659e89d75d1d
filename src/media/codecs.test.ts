import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderForSending, receivableVideoCodecs } from './codecs.js';

const codec = (payloadType: number, mimeType: string, parameters?: string) => ({ payloadType, mimeType, parameters });

describe('room video codec policy', () => {
  test('a publisher that prefers H.264 but offers VP8 sends VP8 (with its RTX first after it)', () => {
    const safari = [codec(98, 'video/H264', 'packetization-mode=1'), codec(99, 'video/rtx', 'apt=98'), codec(96, 'video/VP8'), codec(97, 'video/rtx', 'apt=96')];
    assert.deepEqual(orderForSending(safari).map((c) => c.payloadType), [96, 97, 98, 99]);
  });

  test('VP8 already first stays as it is; H.264 only is kept; nothing of ours leaves the list alone', () => {
    const chrome = [codec(96, 'video/VP8'), codec(97, 'video/rtx', 'apt=96'), codec(102, 'video/H264')];
    assert.deepEqual(orderForSending(chrome).map((c) => c.payloadType), [96, 97, 102]);
    const h264Only = [codec(102, 'video/H264'), codec(103, 'video/rtx', 'apt=102')];
    assert.deepEqual(orderForSending(h264Only).map((c) => c.payloadType), [102, 103]);
    const av1 = [codec(45, 'video/AV1')];
    assert.deepEqual(orderForSending(av1), av1);
  });

  test('an RTX whose apt only starts with the chosen payload type is not taken for its RTX', () => {
    const list = [codec(102, 'video/rtx', 'apt=960'), codec(96, 'video/VP8')];
    assert.deepEqual(orderForSending(list).map((c) => c.payloadType), [96, 102]);
  });

  test('decodable codecs: as the client says (case-insensitive), or all of ours when it says nothing', () => {
    assert.deepEqual([...receivableVideoCodecs(['video/VP8', 'video/AV1'])], ['video/vp8', 'video/av1']);
    assert.deepEqual([...receivableVideoCodecs(undefined)], ['video/vp8', 'video/h264']);
  });
});
