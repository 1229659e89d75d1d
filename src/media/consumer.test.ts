/**
 * One subscriber whose transport cannot send (its SRTP session fails) loses its own packets,
 * counted in confab_forward_send_errors_total, and nobody else's: the forwarding path is
 * synchronous since our werift patch (sendRtpNow), so a failure must stop at its consumer.
 */
import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { RTCDtlsTransport, RTCRtpCodecParameters, RTCRtpSender, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import { Consumer } from './consumer.js';
import { mediaStats } from './media-stats.js';
import { LAYER_TIMEOUT_MS, Producer, type ProducerInput } from './producer.js';

const opus = new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 });

/** A sender on a connected DTLS transport (no handshake: the state is set) whose encryption is `encrypt`. */
function senderWith(encrypt: (payload: Buffer, header: RtpHeader) => Buffer, sent: Buffer[], codec = opus): RTCRtpSender {
  const dtls = Object.assign(Object.create(RTCDtlsTransport.prototype) as RTCDtlsTransport, {
    state: 'connected',
    config: {},
    bytesSent: 0,
    packetsSent: 0,
    srtp: { encrypt },
    iceTransport: { connection: { sendNow: (data: Buffer) => sent.push(data) } },
    sendRtcp: async () => 0,
  });
  const sender = new RTCRtpSender(codec.mimeType.startsWith('video') ? 'video' : 'audio');
  Object.assign(sender, { dtlsTransport: dtls });
  sender.prepareSend({ muxId: '0', headerExtensions: [], codecs: [codec], rtcp: {} } as never);
  return sender;
}

test('a subscriber whose encryption fails loses only its own packets, counted; the next subscriber gets every one', () => {
  const producer = { kind: 'audio', consumers: new Set(), codecs: [opus], codec: opus, layerCount: 1, requestKeyframe: () => undefined } as unknown as Producer;
  const brokenSent: Buffer[] = [];
  const healthySent: Buffer[] = [];
  const broken = senderWith(() => {
    throw new Error('libsrtp could not protect an RTP packet');
  }, brokenSent);
  const healthy = senderWith((payload, header) => Buffer.concat([header.serialize(header.serializeSize), payload]), healthySent);
  const consumers = [broken, healthy].map((sender) => new Consumer(producer, { sender, codecs: [opus] } as unknown as RTCRtpTransceiver));
  const errorsBefore = mediaStats.sendErrors;
  for (let i = 0; i < 5; i++) {
    const packet = new RtpPacket(new RtpHeader({ payloadType: 111, sequenceNumber: 100 + i, timestamp: i * 960, ssrc: 9, extensions: [] }), Buffer.alloc(40, i));
    for (const consumer of consumers) consumer.send(packet, 0);
  }
  assert.equal(brokenSent.length, 0);
  assert.equal(mediaStats.sendErrors - errorsBefore, 5, 'each dropped packet counted');
  assert.equal(healthySent.length, 5, 'the other subscriber got every packet');
  assert.deepEqual(healthySent.map((p) => RtpPacket.deSerialize(p).payload[0]), [0, 1, 2, 3, 4]);
  for (const sender of [broken, healthy]) sender.stop();
});

describe('a subscriber of a simulcast camera', () => {
  const vp8 = new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: 96 });
  /** Chrome's VP8: descriptor with a 15-bit PictureID and TL0PICIDX, then a frame tag (P bit: 0 on a keyframe). */
  const frame = (pictureId: number, keyframe: boolean): Buffer =>
    Buffer.from([0x90, 0xc0, 0x80 | (pictureId >> 8), pictureId & 0xff, pictureId & 0xff, keyframe ? 0x50 : 0x51, 0x02, 0x00, 0, 0]);

  /** Three layers whose packets the test delivers itself; a real Producer and Consumer on a connected sender. */
  function setUp(preferred: number) {
    const sent: Buffer[] = [];
    const plis: number[] = [];
    let deliver: (rtp: RtpPacket, layer: number) => void = () => undefined;
    const input: ProducerInput = {
      rids: ['q', 'h', 'f'],
      subscribe: (d) => {
        deliver = d;
        return () => undefined;
      },
      requestKeyframe: (layer) => plis.push(layer),
      fromPublisher: false,
      carries: () => false,
    };
    const producer = new Producer('cam', 'teacher', 'video', 'camera', vp8, [vp8], input);
    const sender = senderWith((payload, header) => Buffer.concat([header.serialize(header.serializeSize), payload]), sent, vp8);
    const consumer = new Consumer(producer, { sender, codecs: [vp8] } as unknown as RTCRtpTransceiver, undefined, undefined, preferred);
    // Each layer its own SSRC, sequence numbers and picture ids, as Chrome sends them.
    const seq = [1000, 20_000, 40_000];
    const pid = [100, 5000, 9000];
    const send = (layer: number, keyframe = false): void => {
      const header = new RtpHeader({ payloadType: 96, sequenceNumber: seq[layer]!++, timestamp: 0, ssrc: 10 + layer, extensions: [] });
      deliver(new RtpPacket(header, frame(pid[layer]!++, keyframe)), layer);
    };
    const out = () => sent.map((p) => RtpPacket.deSerialize(p)).map((p) => ({ seq: p.header.sequenceNumber, pictureId: p.payload.readUInt16BE(2) & 0x7fff }));
    return { consumer, producer, send, out, plis, sender };
  }

  test('starts on a keyframe of its layer, switches on a keyframe of the next, and the decoder sees one stream', () => {
    mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    try {
      const { consumer, send, out, plis, sender } = setUp(0);
      send(1);
      send(0);
      assert.deepEqual(out(), [], 'nothing before a keyframe of its layer');
      assert.ok(plis.includes(0), 'a keyframe of its layer asked for');
      send(0, true);
      send(1, true);
      send(0);
      assert.equal(out().length, 2, 'its own layer only');
      assert.equal(consumer.currentLayer, 0);

      mock.timers.tick(40);
      send(2);
      consumer.setPreferredLayer(2);
      assert.equal(plis.at(-1), 2, 'a keyframe of the new layer asked for at once');
      send(2);
      send(0);
      assert.equal(consumer.currentLayer, 0, 'the old layer goes on until the new one has a keyframe');
      send(2, true);
      send(2);
      send(0);
      assert.equal(consumer.currentLayer, 2);
      const stream = out();
      assert.deepEqual(
        stream.map((p) => p.seq),
        [1001, 1002, 1003, 1004, 1005],
        'sequence numbers continue across the switch',
      );
      assert.deepEqual(
        stream.map((p) => p.pictureId),
        [101, 102, 103, 104, 105],
        'and picture ids do',
      );
      sender.stop();
    } finally {
      mock.timers.reset();
    }
  });

  test('a preferred layer that stops arriving (dynacast paused it) is stood in for by the one below', () => {
    mock.timers.enable({ apis: ['Date'], now: 2_000_000 });
    try {
      const { consumer, send, out, sender } = setUp(2);
      send(0);
      send(2, true);
      send(2);
      assert.equal(consumer.currentLayer, 2);
      // Layer 2 goes quiet for longer than LAYER_TIMEOUT_MS; layers 0 and 1 keep coming.
      for (let i = 0; i < 12; i++) {
        mock.timers.tick(LAYER_TIMEOUT_MS / 10);
        send(0);
        send(1);
      }
      send(1, true);
      send(1);
      assert.equal(consumer.currentLayer, 1, 'the nearest arriving layer below');
      assert.equal(consumer.preferredLayer, 2, 'still wanted: it comes back when the layer does');
      mock.timers.tick(10);
      send(2);
      send(2, true);
      assert.equal(consumer.currentLayer, 2);
      const seqs = out().map((p) => p.seq);
      assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), 'contiguous throughout');
      sender.stop();
    } finally {
      mock.timers.reset();
    }
  });
});
