/**
 * Bandwidth estimation to publishers (issue 16): the server negotiates
 * transport-cc on publish connections and its feedback acknowledges what
 * arrived, read byte by byte on the publisher's side (test/support/twcc.ts),
 * through the real server, its media workers and werift on loopback. A werift
 * bot publishes (it offers transport-cc as Chrome does); we record the
 * transport-wide sequence number and send time of every packet it writes and
 * decrypt the RTCP the server sends back.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import type { RTCDtlsTransport, RTCPeerConnection, RtpHeader } from 'werift';
import type { Bot } from '../../src/bot/index.js';
import { closeAll, joinBots } from '../support/bots.js';
import { sleep, startServer, waitUntil, type TestServer } from '../support/server.js';
import { decodeTwcc, isTwcc, REFERENCE_RANGE_US, reportedArrivalsUs, splitRtcp, type DecodedTwcc } from '../support/twcc.js';

const TRANSPORT_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

let server: TestServer;
const bots: Bot[] = [];

before(async () => {
  server = await startServer();
});
after(async () => {
  await closeAll(bots);
  await server.stop();
});

/** The m-sections of an SDP, each as its lines. */
const sections = (sdp: string): string[][] => sdp.split(/\r?\nm=/).slice(1).map((s) => `m=${s}`.split(/\r?\n/));
const transportCcIds = (sdp: string): Set<number> =>
  new Set([...sdp.matchAll(/^a=extmap:(\d+)(?:\/\w+)? (\S+)/gm)].filter((m) => m[2] === TRANSPORT_CC_URI).map((m) => Number(m[1])));

/** Records what `pc`'s transport sends (transport-wide sequence number -> send time, us since the epoch) and the transport-cc feedback it receives. */
function capture(pc: RTCPeerConnection) {
  const dtls = pc.dtlsTransports[0] as RTCDtlsTransport;
  // The ids the publisher offered for the extension (werift's answer keeps them).
  const ids = transportCcIds(pc.localDescription!.sdp);
  const sentUs = new Map<number, number>();
  const feedback: { raw: Buffer; decoded: DecodedTwcc }[] = [];
  const sendRtpNow = dtls.sendRtpNow;
  dtls.sendRtpNow = function (payload: Buffer, header: RtpHeader): number {
    const ext = header.extensions.find((e) => ids.has(e.id));
    if (ext) sentUs.set(ext.payload.readUInt16BE(0), (performance.timeOrigin + performance.now()) * 1000);
    return sendRtpNow.call(this, payload, header);
  };
  const srtcp = dtls.srtcp;
  const decrypt = srtcp.decrypt;
  srtcp.decrypt = function (data: Buffer): Buffer {
    const plain = decrypt.call(this, data);
    for (const packet of splitRtcp(plain)) if (isTwcc(packet)) feedback.push({ raw: Buffer.from(packet), decoded: decodeTwcc(packet) });
    return plain;
  };
  return {
    sentUs,
    feedback,
    stopSending() {
      dtls.sendRtpNow = sendRtpNow;
    },
    close() {
      dtls.sendRtpNow = sendRtpNow;
      srtcp.decrypt = decrypt;
    },
  };
}

test("the server negotiates transport-cc on publish connections only, and its feedback acknowledges every packet with its arrival time", { timeout: 30_000 }, async (t) => {
  const [publisher, viewer] = await joinBots(server.url, 'twcc', ['publisher', 'viewer']);
  bots.push(publisher!, viewer!);
  const pc = publisher!.publisher!.pc;
  await waitUntil(() => pc.connectionState === 'connected' && viewer!.subscriber.pc?.remoteDescription !== undefined, 10_000, 'publish connected, a subscribe offer');

  // The answer to the publish offer: the extension and the feedback type on audio and video.
  for (const section of sections(pc.remoteDescription!.sdp)) {
    const kind = section[0]!.split(' ')[0];
    assert.ok(section.some((l) => l.endsWith(` ${TRANSPORT_CC_URI}`)), `${kind}: the answer negotiates the transport-wide sequence number`);
    assert.ok(section.some((l) => /^a=rtcp-fb:\d+ transport-cc$/.test(l)), `${kind}: and transport-cc feedback`);
  }
  // The subscribe connection (the server offers) keeps it out (codecs.ts says why).
  const subscribeOffer = viewer!.subscriber.pc!.remoteDescription!.sdp;
  assert.ok(!subscribeOffer.includes(TRANSPORT_CC_URI) && !subscribeOffer.includes('transport-cc'), 'no transport-cc in the subscribe offer');

  const cc = capture(pc);
  try {
    await sleep(3000);
    cc.stopSending();
    // The last packets' feedback: the server sends it every 10 packets or 100 ms.
    await sleep(400);
  } finally {
    cc.close();
  }
  assert.ok(cc.sentUs.size > 200, `the bot sent ${cc.sentUs.size} packets with a transport-wide sequence number in 3 s`);
  assert.ok(cc.feedback.length > 10, `${cc.feedback.length} feedback packets`);

  // Well-formed, counted one by one.
  for (const { raw, decoded } of cc.feedback) assert.deepEqual(decoded.problems, [], `feedback ${raw.toString('hex')}`);
  for (let i = 1; i < cc.feedback.length; i++) {
    assert.equal(cc.feedback[i]!.decoded.fbPktCount, (cc.feedback[i - 1]!.decoded.fbPktCount + 1) % 256, 'feedback packet count goes up by one');
  }

  // Every packet sent is acknowledged as received (loopback loses nothing), at the time it arrived.
  const arrivals = new Map<number, number>();
  const reportedLost = new Set<number>();
  for (const { decoded } of cc.feedback) {
    for (const [seq, us] of reportedArrivalsUs(decoded)) arrivals.set(seq, us);
    decoded.statuses.forEach((s, i) => s === 0 && reportedLost.add((decoded.base + i) % 65_536));
  }
  const unacknowledged = [...cc.sentUs.keys()].filter((seq) => !arrivals.has(seq));
  assert.deepEqual(unacknowledged, [], 'sequence numbers sent but never reported received');
  assert.deepEqual([...cc.sentUs.keys()].filter((seq) => reportedLost.has(seq) && !arrivals.has(seq)), [], 'none reported lost');

  // Arrival minus send time: one clock (this process), so about the loopback latency, the same for every
  // packet but for scheduling. Wrong units or reference times would scatter these by 64 ms and more.
  const offsetsMs = [...cc.sentUs].map(([seq, sent]) => {
    let d = (arrivals.get(seq)! - (sent % REFERENCE_RANGE_US)) % REFERENCE_RANGE_US;
    if (d > REFERENCE_RANGE_US / 2) d -= REFERENCE_RANGE_US;
    if (d < -REFERENCE_RANGE_US / 2) d += REFERENCE_RANGE_US;
    return d / 1000;
  });
  offsetsMs.sort((a, b) => a - b);
  const quantile = (q: number): number => offsetsMs[Math.min(offsetsMs.length - 1, Math.floor(q * offsetsMs.length))]!;
  t.diagnostic(`${cc.sentUs.size} packets, ${cc.feedback.length} feedbacks; arrival - send: median ${quantile(0.5).toFixed(2)} ms, 5 % ${quantile(0.05).toFixed(2)}, 95 % ${quantile(0.95).toFixed(2)}, max ${quantile(1).toFixed(2)}`);
  assert.ok(Math.abs(quantile(0.5)) < 50, `the median arrival is ${quantile(0.5).toFixed(2)} ms after the send`);
  assert.ok(quantile(0.95) - quantile(0.05) < 40, `arrival - send spreads ${quantile(0.05).toFixed(2)}..${quantile(0.95).toFixed(2)} ms`);
  await closeAll([publisher!, viewer!]);
});

test('MEDIA_TRANSPORT_CC=0: the answer leaves transport-cc out and no feedback comes', { timeout: 30_000 }, async () => {
  const off = await startServer({ MEDIA_TRANSPORT_CC: '0' });
  try {
    const [publisher] = await joinBots(off.url, 'twcc-off', ['publisher']);
    bots.push(publisher!);
    const pc = publisher!.publisher!.pc;
    await waitUntil(() => pc.connectionState === 'connected', 10_000, 'publish connected');
    assert.ok(!pc.remoteDescription!.sdp.includes(TRANSPORT_CC_URI), 'no transport-wide sequence number in the answer');
    const cc = capture(pc);
    await sleep(1000);
    cc.close();
    assert.equal(cc.sentUs.size, 0, 'the publisher writes no transport-wide sequence numbers');
    assert.equal(cc.feedback.length, 0, 'and gets no feedback');
    await closeAll([publisher!]);
  } finally {
    await off.stop();
  }
});
