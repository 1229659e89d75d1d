/**
 * One subscriber whose transport cannot send (its SRTP session fails) loses its own packets,
 * counted in confab_forward_send_errors_total, and nobody else's: the forwarding path is
 * synchronous since our werift patch (sendRtpNow), so a failure must stop at its consumer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RTCDtlsTransport, RTCRtpCodecParameters, RTCRtpSender, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import { Consumer } from './consumer.js';
import { mediaStats } from './media-stats.js';
import type { Producer } from './producer.js';

const opus = new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 });

/** A sender on a connected DTLS transport (no handshake: the state is set) whose encryption is `encrypt`. */
function senderWith(encrypt: (payload: Buffer, header: RtpHeader) => Buffer, sent: Buffer[]): RTCRtpSender {
  const dtls = Object.assign(Object.create(RTCDtlsTransport.prototype) as RTCDtlsTransport, {
    state: 'connected',
    config: {},
    bytesSent: 0,
    packetsSent: 0,
    srtp: { encrypt },
    iceTransport: { connection: { sendNow: (data: Buffer) => sent.push(data) } },
    sendRtcp: async () => 0,
  });
  const sender = new RTCRtpSender('audio');
  Object.assign(sender, { dtlsTransport: dtls });
  sender.prepareSend({ muxId: '0', headerExtensions: [], codecs: [opus], rtcp: {} } as never);
  return sender;
}

test('a subscriber whose encryption fails loses only its own packets, counted; the next subscriber gets every one', () => {
  const producer = { kind: 'audio', consumers: new Set(), codecs: [opus], requestKeyframe: () => undefined } as unknown as Producer;
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
    for (const consumer of consumers) consumer.send(packet);
  }
  assert.equal(brokenSent.length, 0);
  assert.equal(mediaStats.sendErrors - errorsBefore, 5, 'each dropped packet counted');
  assert.equal(healthySent.length, 5, 'the other subscriber got every packet');
  assert.deepEqual(healthySent.map((p) => RtpPacket.deSerialize(p).payload[0]), [0, 1, 2, 3, 4]);
  for (const sender of [broken, healthy]) sender.stop();
});
