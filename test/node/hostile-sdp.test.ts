/**
 * SDP and `sources` from a hostile client (issue 11). An SDP the server
 * cannot use is refused with `sdp_invalid` instead of answered (it used to
 * get an empty answer); `sources` is bounded (16 entries, each a mid of the
 * offer) and replaces the last offer's instead of piling up (50 offers of
 * 10,000 made-up mids took the server from 190 to 401 MB and stalled other
 * rooms' signaling for seconds). Through all of it a publisher's media keeps
 * reaching its subscriber, counted in packets by the werift bots.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SignalingClient, signalingUrl, type Bot } from '../../src/bot/index.js';
import { ERRORS } from '../../src/protocol/errors.js';
import { MAX_PUBLISH_TRACKS } from '../../src/protocol/messages.js';
import { closeAll, joinBots, received } from '../support/bots.js';
import { joinSilently } from '../support/class.js';
import { startServer, waitUntil, type TestServer } from '../support/server.js';
import { heapMb } from '../support/heap.js';

let server: TestServer;
let publisher: Bot;
let subscriber: Bot;

before(async () => {
  server = await startServer();
  [publisher, subscriber] = (await joinBots(server.url, 'sdp-class', ['Teacher', 'Student'])) as [Bot, Bot];
  await waitUntil(() => received(subscriber, publisher, 'audio') > 20, 10_000, 'media flowing');
});
after(async () => {
  await closeAll([publisher, subscriber]);
  await server.stop();
});


/** The media between the two bots keeps flowing: `n` more audio packets arrive. */
async function mediaKeepsFlowing(n = 100): Promise<void> {
  const from = received(subscriber, publisher, 'audio');
  await waitUntil(() => received(subscriber, publisher, 'audio') >= from + n, 10_000, () => `the student kept receiving the teacher (${received(subscriber, publisher, 'audio') - from} of ${n} packets)`);
}

/** A real publish offer from a werift publisher: what a hostile client would start from. */
async function realOffer(): Promise<string> {
  return (await publisher.publisher!.createOffer(false)).sdp;
}

test('an SDP the server cannot use gets sdp_invalid, not an answer; the connection stays', { timeout: 30_000 }, async () => {
  const { inbox } = await joinSilently(server.url, 'sdp-class', 'Mallory');
  const sdp = await realOffer();
  const cases: [string, Record<string, 'camera'>][] = [
    ['this is not an SDP', {}],
    ['v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n', {}],
    [sdp.replace(/a=ice-pwd:.*\r\n/g, ''), {}],
    [sdp, { 'not-a-mid': 'camera' }],
  ];
  for (const [text, sources] of cases) {
    inbox.send({ type: 'publish-offer', sdp: text, sources });
    const error = await inbox.next('error');
    assert.deepEqual([error.code, error.fatal], ['sdp_invalid', false], error.message);
  }
  inbox.send({ type: 'subscribe-answer', sdp: 'nonsense' });
  assert.equal((await inbox.next('error')).code, 'sdp_invalid');
  assert.equal(inbox.of('publish-answer').length, 0, 'no answer to any of them');
  assert.equal(inbox.client.closed, undefined);
  await mediaKeepsFlowing();
  await inbox.client.close();
});

test('1,000 offers naming made-up mids: refused or rate limited, memory flat, media flowing', { timeout: 60_000 }, async (t) => {
  const { inbox } = await joinSilently(server.url, 'sdp-class', 'Mallory');
  const sdp = await realOffer();
  const heapBefore = heapMb();
  for (let k = 0; k < 1000; k++) {
    const sources = Object.fromEntries(Array.from({ length: MAX_PUBLISH_TRACKS }, (_, i) => [`m${k}_${i}`, 'camera' as const]));
    inbox.send({ type: 'publish-offer', sdp, sources });
  }
  const nonce = Math.random();
  inbox.send({ type: 'ping', nonce });
  await inbox.wait('pong', (p) => p.nonce === nonce, 30_000);
  const codes = inbox.of('error').map((e) => e.code);
  const growth = heapMb() - heapBefore;
  t.diagnostic(`1,000 offers: ${codes.filter((c) => c === 'sdp_invalid').length} sdp_invalid, ${codes.filter((c) => c === 'rate_limited').length} rate_limited; heap grew ${growth.toFixed(1)} MB`);
  assert.equal(codes.length, 1000);
  assert.deepEqual([...new Set(codes)].sort(), ['rate_limited', 'sdp_invalid']);
  assert.ok(growth < 20, `heap grew ${growth.toFixed(1)} MB`);
  await mediaKeepsFlowing();
  await inbox.client.close();
});

test('1,000 oversized sources (2,000 entries each) are malformed messages: each connection closed, memory flat, media flowing', { timeout: 120_000 }, async (t) => {
  const sdp = await realOffer();
  const sources = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`m${i}`, 'camera']));
  const message = JSON.stringify({ type: 'publish-offer', sdp, sources });
  const heapBefore = heapMb();
  const closes = new Map<number, number>();
  for (let i = 0; i < 1000; i++) {
    const client = await SignalingClient.connect(signalingUrl(server.url));
    const closed = new Promise<number>((resolve) => client.once('closed', ({ code }) => resolve(code)));
    client.sendRaw(message);
    const code = await closed;
    closes.set(code, (closes.get(code) ?? 0) + 1);
  }
  const growth = heapMb() - heapBefore;
  t.diagnostic(`1,000 x ${message.length} bytes: closes ${JSON.stringify(Object.fromEntries(closes))}; heap grew ${growth.toFixed(1)} MB`);
  assert.deepEqual([...closes], [[ERRORS.message_malformed.closeCode, 1000]]);
  assert.ok(growth < 20, `heap grew ${growth.toFixed(1)} MB`);
  await mediaKeepsFlowing();
});
