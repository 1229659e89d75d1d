/**
 * What our werift patches (patches/werift+0.24.4.patch, applied by
 * patch-package on install) change, tested on a bare werift peer connection
 * configured as the server's: if the patch stops applying, these fail.
 * (The ICE-lite agent following a new nomination is tested end to end in
 * media-path-switch.test.ts.)
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  createSelfSignedCertificate,
  Event,
  getBit,
  MediaStreamTrack,
  microTime,
  ntpTime,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpReceiver,
  RTCRtpSender,
  RTP_EXTENSION_URI,
  RtpHeader,
  RtpPacket,
  RtpRouter,
} from 'werift';
import { serverPeerConfig } from '../../src/media/peer-config.js';
import { iceCredentials, IceCheckPeer } from '../support/ice-check.js';
import { decodeTwcc } from '../support/twcc.js';

let pc: RTCPeerConnection;
let sdp: string;
let port: number;
let peer: IceCheckPeer;

before(async () => {
  pc = new RTCPeerConnection(serverPeerConfig({ advertiseIps: ['127.0.0.1'], bindAddress: '127.0.0.1', portRange: undefined }, 'subscribe'));
  pc.addTransceiver('audio', { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  sdp = pc.localDescription!.sdp;
  port = Number(/^a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 (\d+) typ host/m.exec(sdp)![1]);
  peer = await IceCheckPeer.open();
});
after(async () => {
  peer.close();
  await pc.close();
});

describe('werift patches', () => {
  test('ICE credentials carry 64 random bits in the ufrag and 128 in the password (RFC 8445 5.3: >= 24 and >= 128)', () => {
    const { ufrag, password } = iceCredentials(sdp);
    assert.match(ufrag, /^[0-9a-f]{16}$/);
    assert.match(password, /^[0-9a-f]{32}$/);
  });

  test('only a check signed with our password and naming our ufrag is answered', async () => {
    const { ufrag, password } = iceCredentials(sdp);
    const username = `${ufrag}:browser1`;
    const signed = await peer.check('127.0.0.1', port, { username, password, nominate: true });
    assert.ok(signed?.success && signed.signed, 'a signed check gets a signed success');

    assert.equal(await peer.check('127.0.0.1', port, { username, nominate: true }, 300), undefined, 'no MESSAGE-INTEGRITY: dropped');
    assert.equal(await peer.check('127.0.0.1', port, { username, password: 'not-the-password', nominate: true }, 300), undefined, 'wrong MESSAGE-INTEGRITY: dropped');
    assert.equal(await peer.check('127.0.0.1', port, { username: `0000${ufrag.slice(4)}:browser1`, password, nominate: true }, 300), undefined, 'unknown ufrag: dropped');
    assert.equal((await peer.check('127.0.0.1', port, { username: ufrag, password }, 300))?.success, true, 'a USERNAME without the client part still names our ufrag');
  });
});

describe('werift patches: the sender hot path', () => {
  test('NTP time has a binary fraction (RFC 5905 6): within a few ms of the clock', () => {
    const ntp = ntpTime();
    const seconds = Number(ntp >> 32n) + Number(ntp & 0xffff_ffffn) / 2 ** 32;
    const unixMs = (seconds - 2_208_988_800) * 1000;
    assert.ok(Math.abs(unixMs - Date.now()) < 50, `NTP ${ntp.toString(16)} is ${unixMs - Date.now()} ms off`);
  });

  test('a sender writes only its negotiated extensions, in id order, from values prepared once', () => {
    const sender = new RTCRtpSender('video');
    sender.prepareSend({
      muxId: '3',
      headerExtensions: [
        { id: 4, uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time' },
        { id: 1, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
      ],
      codecs: [new RTCRtpCodecParameters({ payloadType: 96, mimeType: 'video/VP8', clockRate: 90000 })],
    } as never);
    const at = Date.now();
    const extensions = sender.buildHeaderExtensions(at);
    assert.deepEqual(extensions.map((e) => e.id), [1, 4], 'in id order, so nothing is sorted per packet');
    assert.equal(extensions[0]!.payload.toString(), '3');
    // abs-send-time: 6.18 fixed-point NTP seconds, 24 bits.
    const expected = Math.floor((at / 1000 + 2_208_988_800) * 262_144) % 16_777_216;
    assert.equal(extensions[1]!.payload.readUIntBE(0, 3), expected);
    assert.equal(sender.buildHeaderExtensions(at)[0]!.payload, extensions[0]!.payload, 'the mid payload is made once, not per packet');
    const later = sender.buildHeaderExtensions(at + 1000);
    assert.equal(later[1]!.payload.readUIntBE(0, 3), (expected + 262_144) % 16_777_216, 'abs-send-time follows the clock');
  });

  test('the retransmission history is kept by age: 1 s of audio, 2 s of video, whatever the packet rate', () => {
    const packet = (sequenceNumber: number) => new RtpPacket(new RtpHeader({ payloadType: 111, sequenceNumber, timestamp: 0, ssrc: 1, extensions: [] }), Buffer.alloc(10));
    const cached = (sender: RTCRtpSender) => (sender as unknown as { rtpCache: (RtpPacket | undefined)[] }).rtpCache.filter((p) => p !== undefined).map((p) => p.header.sequenceNumber);
    const audio = new RTCRtpSender('audio');
    // 50 packets/s for 3 s, sequence numbers across the 16-bit wrap.
    for (let i = 0; i < 150; i++) audio.rememberForRetransmission(packet((65_500 + i) % 65_536), 1_000_000 + i * 20);
    const kept = cached(audio);
    assert.equal(kept.length, 51, 'the last second of audio (51 packets, both ends included)');
    assert.ok(kept.includes((65_500 + 149) % 65_536) && kept.includes((65_500 + 99) % 65_536) && !kept.includes((65_500 + 98) % 65_536));
    const video = new RTCRtpSender('video');
    // 300 packets/s (a screen share) for 3 s: 128 slots would have held 0.4 s.
    for (let i = 0; i < 900; i++) video.rememberForRetransmission(packet(i), 1_000_000 + (i * 10) / 3);
    assert.equal(cached(video).length, 601, 'the last 2 s of video');
  });

  test('sendRtpNow before the transport is up drops the packet: no throw, no promise', () => {
    const sender = new RTCRtpSender('audio');
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: 1, timestamp: 960, ssrc: 1, extensions: [] });
    assert.equal(sender.sendRtpNow(new RtpPacket(header, Buffer.alloc(20))), 0);
  });
});

describe('werift patches: per-packet parsing and events', () => {
  test('werift still makes its own certificate when asked (its certificate library is loaded only then)', async () => {
    const keys = await createSelfSignedCertificate({ signature: 3, hash: 4 }, 23);
    assert.match(keys.certPem, /^-----BEGIN CERTIFICATE-----/);
    assert.ok(new X509Certificate(keys.certPem).verify(new X509Certificate(keys.certPem).publicKey));
  });

  test('getBit reads bits most significant first, as RFC 3550 5.1 lays out the header', () => {
    // 0b10_1_1_0011: version 2, padding, extension, CSRC count 3.
    assert.equal(getBit(0b1011_0011, 0, 2), 2);
    assert.equal(getBit(0b1011_0011, 2), 1);
    assert.equal(getBit(0b1011_0011, 3), 1);
    assert.equal(getBit(0b1011_0011, 4, 4), 3);
    for (let byte = 0; byte < 256; byte++) {
      for (let start = 0; start < 8; start++) {
        for (let length = 1; start + length <= 8; length++) {
          const reference = Number.parseInt(byte.toString(2).padStart(8, '0').slice(start, start + length), 2);
          assert.equal(getBit(byte, start, length), reference, `getBit(${byte}, ${start}, ${length})`);
        }
      }
    }
  });

  test('an RTP header with CSRCs and extensions reads back as written, and serializes into a given buffer the same', () => {
    const header = new RtpHeader({
      marker: true, payloadType: 96, sequenceNumber: 65_535, timestamp: 0xffff_fff0, ssrc: 0x1234_5678,
      csrc: [7, 8], extensionProfile: 0xbede,
      extensions: [{ id: 1, payload: Buffer.from('3') }, { id: 4, payload: Buffer.from([1, 2, 3]) }],
    });
    const size = header.serializeSize;
    const fresh = header.serialize(size);
    const target = Buffer.alloc(size + 10, 0xaa);
    header.serialize(size, target);
    assert.deepEqual(target.subarray(0, size), fresh, 'into a given buffer: the same bytes');
    const back = RtpHeader.deSerialize(fresh);
    assert.equal(back.marker, true);
    assert.equal(back.payloadType, 96);
    assert.equal(back.sequenceNumber, 65_535);
    assert.equal(back.timestamp, 0xffff_fff0);
    assert.deepEqual(back.csrc, [7, 8]);
    assert.deepEqual(back.extensions.map((e) => [e.id, [...e.payload]]), [[1, [0x33]], [4, [1, 2, 3]]]);
  });

  test('an event with only plain subscribers runs them at once; an async subscriber still runs', async () => {
    const event = new Event<[number]>();
    const seen: string[] = [];
    event.subscribe((n) => seen.push(`sync ${n}`));
    event.execute(1);
    assert.deepEqual(seen, ['sync 1']);
    event.queuingSubscribe(async (n) => {
      await Promise.resolve();
      seen.push(`async ${n}`);
    });
    event.execute(2);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(seen, ['sync 1', 'sync 2', 'async 2']);
  });
});

describe('werift patches: transport-cc feedback', () => {
  /**
   * Receivers on one fake DTLS transport, fed RTP with a transport-wide sequence number at
   * chosen arrival times (werift's clock, microTime, is process.hrtime.bigint() plus an offset).
   * T0, the first arrival, is 30 ms past a multiple of 64 ms: its delta from the reference time is 120 x 250 us.
   */
  function transportCc() {
    const realHrtime = process.hrtime.bigint;
    let hrtimeNs = realHrtime();
    process.hrtime.bigint = () => hrtimeNs;
    const offsetUs = Number(microTime()) - Number(hrtimeNs / 1000n);
    const T0 = (Math.floor(Number(microTime()) / 64_000) + 10) * 64_000 + 30_000;
    const sent: Buffer[] = [];
    const transport = { state: 'connected', sendRtcp: async (packets: { serialize(): Buffer }[]) => void sent.push(...packets.map((p) => p.serialize())) };
    const receivers = new Map<number, RTCRtpReceiver>();
    const receiverFor = (ssrc: number) => {
      let receiver = receivers.get(ssrc);
      if (!receiver) {
        receiver = new RTCRtpReceiver({ debug: {} } as never, 'video', 1234);
        receiver.setDtlsTransport(transport as never);
        receiver.prepareReceive({ codecs: [new RTCRtpCodecParameters({ payloadType: 96, mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: [{ type: 'transport-cc' }] })], encodings: [] } as never);
        receiver.setupTWCC(ssrc);
        receivers.set(ssrc, receiver);
      }
      return receiver;
    };
    return {
      T0,
      /** A packet with transport-wide sequence number tsn arrives atUs after T0. */
      arrive(tsn: number, atUs: number, ssrc = 1111) {
        hrtimeNs = BigInt(T0 + atUs - offsetUs) * 1000n;
        const packet = new RtpPacket(new RtpHeader({ ssrc, payloadType: 96, sequenceNumber: tsn & 0xffff }), Buffer.alloc(20));
        receiverFor(ssrc).handleRtpBySsrc(packet, { [RTP_EXTENSION_URI.transportWideCC]: tsn } as never);
      },
      /** Asks for feedback now (as werift's timer does) and decodes what was sent since the last flush. */
      flush() {
        for (const receiver of receivers.values()) (receiver as unknown as { receiverTWCC?: { sendTWCC(): void } }).receiverTWCC?.sendTWCC();
        return sent.splice(0).map(decodeTwcc);
      },
      close() {
        transport.state = 'closed';
        for (const receiver of receivers.values()) receiver.stop();
        process.hrtime.bigint = realHrtime;
      },
    };
  }
  const referenceOf = (us: number) => Math.floor(us / 64_000) % 2 ** 24;

  test('a lost packet is reported as not received, without a delta; the first delta is from the reference time', () => {
    const cc = transportCc();
    try {
      cc.arrive(100, 0);
      cc.arrive(101, 1000);
      cc.arrive(103, 2000);
      cc.arrive(104, 2500);
      assert.deepEqual(cc.flush(), [
        { base: 100, referenceTime: referenceOf(cc.T0), fbPktCount: 0, statuses: [1, 1, 0, 1, 1], deltas: [120, 4, null, 4, 2], problems: [] },
      ]);
    } finally {
      cc.close();
    }
  });

  test('reordered packets are reported in sequence order, each delta from the previous one, a negative one as a large delta', () => {
    const cc = transportCc();
    try {
      cc.arrive(200, 0);
      cc.arrive(202, 1000);
      cc.arrive(201, 1500);
      cc.arrive(203, 2000);
      assert.deepEqual(cc.flush(), [
        { base: 200, referenceTime: referenceOf(cc.T0), fbPktCount: 0, statuses: [1, 1, 2, 1], deltas: [120, 6, -2, 4], problems: [] },
      ]);
    } finally {
      cc.close();
    }
  });

  test('two SSRCs on one transport: one sequence space, one feedback per flush, the feedback count going up', () => {
    const cc = transportCc();
    try {
      for (let tsn = 300; tsn < 306; tsn++) cc.arrive(tsn, (tsn - 300) * 1000, tsn % 2 ? 2222 : 1111);
      assert.deepEqual(cc.flush(), [
        { base: 300, referenceTime: referenceOf(cc.T0), fbPktCount: 0, statuses: [1, 1, 1, 1, 1, 1], deltas: [120, 4, 4, 4, 4, 4], problems: [] },
      ]);
      cc.arrive(307, 7000, 1111);
      cc.arrive(306, 7500, 2222);
      assert.deepEqual(cc.flush(), [
        { base: 306, referenceTime: referenceOf(cc.T0), fbPktCount: 1, statuses: [1, 2], deltas: [150, -2], problems: [] },
      ]);
    } finally {
      cc.close();
    }
  });

  test('a gap of more than 64 ms: a large delta within a feedback, a new reference time in the next', () => {
    const cc = transportCc();
    try {
      cc.arrive(400, 0);
      cc.arrive(401, 100_000);
      assert.deepEqual(cc.flush(), [
        { base: 400, referenceTime: referenceOf(cc.T0), fbPktCount: 0, statuses: [1, 2], deltas: [120, 400], problems: [] },
      ]);
      cc.arrive(402, 200_000);
      assert.deepEqual(cc.flush(), [
        { base: 402, referenceTime: referenceOf(cc.T0 + 200_000), fbPktCount: 1, statuses: [1], deltas: [((cc.T0 + 200_000) % 64_000) / 250], problems: [] },
      ]);
    } finally {
      cc.close();
    }
  });

  test('a delta too large for 16 bits (> 8.19 s) starts a new feedback instead of being clamped', () => {
    const cc = transportCc();
    try {
      cc.arrive(500, 0);
      cc.arrive(501, 9_000_000);
      cc.arrive(502, 9_001_000);
      assert.deepEqual(cc.flush(), [
        { base: 500, referenceTime: referenceOf(cc.T0), fbPktCount: 0, statuses: [1], deltas: [120], problems: [] },
        { base: 501, referenceTime: referenceOf(cc.T0 + 9_000_000), fbPktCount: 1, statuses: [1, 1], deltas: [((cc.T0 + 9_000_000) % 64_000) / 250, 4], problems: [] },
      ]);
    } finally {
      cc.close();
    }
  });

  test('the sequence number wrapping at 65535 stays one run of packets', () => {
    const cc = transportCc();
    try {
      cc.arrive(65534, 0);
      cc.arrive(65535, 1000);
      cc.arrive(1, 3000);
      assert.deepEqual(cc.flush(), [
        { base: 65534, referenceTime: referenceOf(cc.T0), fbPktCount: 0, statuses: [1, 1, 0, 1], deltas: [120, 4, null, 8], problems: [] },
      ]);
    } finally {
      cc.close();
    }
  });
});

describe('werift patches: simulcast receive', () => {
  const vp8 = new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: 96, rtcpFeedback: [{ type: 'nack' }] });

  /** A receiver with two rid tracks (two simulcast layers) whose NACKs are collected instead of sent. */
  function simulcastReceiver(): { receiver: RTCRtpReceiver; nacks: { ssrc: number; lost: number[] }[] } {
    const nacks: { ssrc: number; lost: number[] }[] = [];
    const receiver = new RTCRtpReceiver({} as never, 'video', 1234);
    receiver.prepareReceive({ codecs: [vp8], encodings: [], headerExtensions: [] } as never);
    receiver.setDtlsTransport({
      sendRtcp: async (packets: { feedback: { mediaSourceSsrc: number; lost: number[] } }[]) => {
        for (const p of packets) nacks.push({ ssrc: p.feedback.mediaSourceSsrc, lost: [...p.feedback.lost] });
        return 0;
      },
    } as never);
    for (const rid of ['q', 'h']) receiver.addTrack(new MediaStreamTrack({ kind: 'video', rid, remote: true }));
    return { receiver, nacks };
  }
  const packet = (ssrc: number, seq: number): RtpPacket => new RtpPacket(new RtpHeader({ payloadType: 96, sequenceNumber: seq, ssrc, extensions: [] }), Buffer.from([0x10, 0, 0]));

  test('two layers on one receiver, each with its own sequence numbers: no loss is imagined between them', async () => {
    const { receiver, nacks } = simulcastReceiver();
    for (let i = 0; i < 20; i++) {
      receiver.handleRtpByRid(packet(111, 1000 + i), 'q', {});
      receiver.handleRtpByRid(packet(222, 50_000 + i), 'h', {});
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(nacks, []);
    receiver.stop();
  });

  test('a packet lost on one layer is NACKed for that layer SSRC only', async () => {
    const { receiver, nacks } = simulcastReceiver();
    for (let i = 0; i < 10; i++) {
      receiver.handleRtpByRid(packet(111, 1000 + i), 'q', {});
      if (i !== 5) receiver.handleRtpByRid(packet(222, 50_000 + i), 'h', {});
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    receiver.stop();
    assert.ok(nacks.length > 0, 'the loss was NACKed');
    assert.deepEqual(new Set(nacks.map((n) => `${n.ssrc}:${n.lost.join(',')}`)), new Set(['222:50005']));
  });

  test('a sender inventing SSRCs for a rid grows the receiver by at most 16', () => {
    const { receiver } = simulcastReceiver();
    for (let ssrc = 1; ssrc <= 200; ssrc++) receiver.handleRtpByRid(packet(ssrc, 1), 'q', {});
    assert.equal(Object.keys(receiver.trackBySSRC).length, 16);
    receiver.stop();
  });

  test('a packet with a rid nobody declared is dropped, not a TypeError in the transport', () => {
    const router = new RtpRouter();
    const uri = RTP_EXTENSION_URI.sdesRTPStreamID;
    router.extIdUriMap[10] = uri;
    const header = new RtpHeader({ payloadType: 96, sequenceNumber: 1, ssrc: 5, extensions: [{ id: 10, payload: Buffer.from('zz') }] });
    assert.doesNotThrow(() => router.routeRtp(new RtpPacket(header, Buffer.from([1]))));
  });
});
