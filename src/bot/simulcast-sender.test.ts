import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GenericNack, PictureLossIndication, RTP_EXTENSION_URI, RtcpPayloadSpecificFeedback, RtcpTransportLayerFeedback, type RTCRtpTransceiver, type RtcpPacket, type RtpHeader } from 'werift';
import { SimulcastSender } from './simulcast-sender.js';

/** Just enough of a werift transceiver and its DTLS transport: what the sender reads and calls. */
function fakeTransceiver(extensions: { uri: string; id: number }[]) {
  const sent: { header: RtpHeader; payload: Buffer }[] = [];
  let rtcp: ((packet: RtcpPacket) => void) | undefined;
  const transport = {
    state: 'connected',
    transportSequenceNumber: 65534,
    onRtcp: { subscribe: (fn: (packet: RtcpPacket) => void) => ((rtcp = fn), { unSubscribe: () => (rtcp = undefined) }) },
    sendRtpNow: (payload: Buffer, header: RtpHeader) => (sent.push({ header, payload }), payload.length + 12),
  };
  const transceiver = {
    mid: '1',
    headerExtensions: extensions,
    dtlsTransport: transport,
    sender: { ssrc: 1111, rtxSsrc: 2222, codec: { payloadType: 96 } },
  } as unknown as RTCRtpTransceiver;
  return { transceiver, transport, sent, rtcp: (packet: RtcpPacket) => rtcp?.(packet) };
}

const EXTENSIONS = [
  { uri: RTP_EXTENSION_URI.sdesMid, id: 4 },
  { uri: RTP_EXTENSION_URI.absSendTime, id: 5 },
  { uri: RTP_EXTENSION_URI.transportWideCC, id: 6 },
  { uri: RTP_EXTENSION_URI.sdesRTPStreamID, id: 7 },
];
const packet = (sequenceNumber: number) => ({ sequenceNumber, timestamp: 1000, marker: true, payload: Buffer.from([0x90, 0xe0, 0x80, 0x01, 0x00, 0x20, 0xff]) });

test('each layer has its own SSRC; every packet names the mid and its rid with the negotiated ids (RFC 8852 3.1)', () => {
  const { transceiver, transport, sent } = fakeTransceiver(EXTENSIONS);
  const sender = new SimulcastSender(transceiver, ['q', 'h', 'f'], () => undefined);
  const ssrcs = ['q', 'h', 'f'].map((rid) => sender.ssrcOf(rid)!);
  assert.equal(new Set([...ssrcs, 1111, 2222]).size, 5, 'distinct from each other and from the m-line own SSRCs');
  for (const [i, rid] of ['q', 'h', 'f'].entries()) assert.ok(sender.send(rid, packet(10 + i)));
  assert.deepEqual(sent.map((s) => s.header.ssrc), ssrcs);
  for (const [i, { header }] of sent.entries()) {
    assert.equal(header.payloadType, 96);
    assert.deepEqual(header.extensions.map((e) => e.id), [4, 5, 6, 7], 'in id order');
    assert.equal(header.extensions[0]!.payload.toString(), '1');
    assert.equal(header.extensions[3]!.payload.toString(), ['q', 'h', 'f'][i]);
  }
  // One transport-wide sequence for the whole transport, wrapping at 16 bits.
  assert.deepEqual(sent.map((s) => s.header.extensions[2]!.payload.readUInt16BE()), [65535, 0, 1]);
  assert.equal(transport.transportSequenceNumber, 1);
});

test('nothing is sent before the answer negotiated rid, or while the transport is down', () => {
  const withoutRid = fakeTransceiver(EXTENSIONS.filter((e) => e.uri !== RTP_EXTENSION_URI.sdesRTPStreamID));
  assert.equal(new SimulcastSender(withoutRid.transceiver, ['q'], () => undefined).send('q', packet(1)), false);
  assert.equal(withoutRid.sent.length, 0);
  const down = fakeTransceiver(EXTENSIONS);
  down.transport.state = 'connecting';
  assert.equal(new SimulcastSender(down.transceiver, ['q'], () => undefined).send('q', packet(1)), false);
});

test('a PLI naming a layer SSRC asks that layer for a keyframe; a NACK resends from that layer history', () => {
  const { transceiver, sent, rtcp } = fakeTransceiver(EXTENSIONS);
  const asked: string[] = [];
  const sender = new SimulcastSender(transceiver, ['q', 'h', 'f'], (rid) => asked.push(rid));
  for (let seq = 100; seq < 110; seq++) sender.send('h', packet(seq));
  rtcp(new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: 5, mediaSsrc: sender.ssrcOf('h')! }) }));
  rtcp(new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: 5, mediaSsrc: 999 }) }));
  assert.deepEqual(asked, ['h']);
  const before = sent.length;
  rtcp(new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 5, mediaSourceSsrc: sender.ssrcOf('h')!, lost: [103, 107, 200] }) }));
  const resent = sent.slice(before);
  assert.deepEqual(resent.map((s) => [s.header.ssrc, s.header.sequenceNumber]), [[sender.ssrcOf('h'), 103], [sender.ssrcOf('h'), 107]], '200 was never sent');
  assert.deepEqual(sender.retransmissions(), { q: 0, h: 2, f: 0 });
});
