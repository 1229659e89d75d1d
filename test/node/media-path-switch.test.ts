/**
 * Issue 18's root cause, reproduced without a browser: a subscriber whose
 * media first ran over ICE-TCP nominates a UDP path (as Chrome does when a
 * better pair starts working), and the server must send there from then on.
 * Before the fix werift's ICE-lite agent stayed on its first nominated pair
 * for good, so media kept going where the browser no longer listened; the
 * single-port demultiplexer then closed that idle path after 30 s and the
 * participant received nothing for the rest of the class, while its
 * connection still said "connected".
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Bot } from '../../src/bot/index.js';
import { mediaPorts } from '../support/media-workers.js';
import { closeAll, joinBots, received } from '../support/bots.js';
import { iceCredentials, IceCheckPeer } from '../support/ice-check.js';
import { sleep, startServer, waitUntil, type TestServer } from '../support/server.js';

let server: TestServer;
let udpPort: number;

before(async () => {
  server = await startServer({ MEDIA_WORKERS: '1' });
  udpPort = mediaPorts(server).udp;
});
after(async () => {
  await server.stop();
});

/** A publisher, and a subscriber whose subscribe connection runs over ICE-TCP; both with their SDPs. */
async function tcpSubscriber(room: string): Promise<{ bots: Bot[]; publisher: Bot; subscriber: Bot; username: string; password: string }> {
  const [publisher] = await joinBots(server.url, room, ['Ada']);
  let offer: string | undefined;
  const subscriber = await Bot.join({
    url: server.url,
    room,
    displayName: 'Bob',
    network: { loopbackOnly: true, icePath: 'tcp' },
    onRemoteSdp: (sdp, pc) => {
      if (pc === 'subscribe') offer = sdp;
    },
  });
  const bots = [publisher!, subscriber];
  await waitUntil(() => received(subscriber, publisher!, 'audio') > 20, 10_000, 'audio over ICE-TCP');
  assert.equal(subscriber.mediaPaths().subscribe?.local.protocol, 'tcp', 'the subscribe connection runs over TCP');
  const server_ = iceCredentials(offer!);
  const client = iceCredentials(subscriber.subscriber.pc!.localDescription!.sdp);
  return { bots, publisher: publisher!, subscriber, username: `${server_.ufrag}:${client.ufrag}`, password: server_.password };
}

describe('the server sends media where the browser last nominated', { timeout: 60_000 }, () => {
  test('a nomination on a new UDP path moves the media there', async () => {
    const { bots, publisher, subscriber, username, password } = await tcpSubscriber('renominate');
    const peer = await IceCheckPeer.open();
    try {
      const answer = await peer.check('127.0.0.1', udpPort, { username, password, nominate: true });
      assert.ok(answer?.success, 'the check is answered with a success');
      assert.ok(answer.signed, 'signed with the server password');
      assert.deepEqual(answer.mapped, ['127.0.0.1', peer.port], 'XOR-MAPPED-ADDRESS is our own address');
      // The publisher sends ~50 audio + ~25 video packets/s: well over 25 within 2 s once media moved.
      await waitUntil(() => peer.rtpPackets >= 25, 3000, () => `media on the nominated UDP path (got ${peer.rtpPackets})`);
      const before = received(subscriber, publisher, 'audio');
      await sleep(1000);
      assert.ok(received(subscriber, publisher, 'audio') - before < 10, 'the abandoned TCP path no longer carries the media');
    } finally {
      peer.close();
      await closeAll(bots);
    }
  });

  test('a check without USE-CANDIDATE is answered but moves nothing', async () => {
    const { bots, publisher, subscriber, username, password } = await tcpSubscriber('no-nomination');
    const peer = await IceCheckPeer.open();
    try {
      const answer = await peer.check('127.0.0.1', udpPort, { username, password });
      assert.ok(answer?.success && answer.signed, 'the check is answered');
      const before = received(subscriber, publisher, 'audio');
      await sleep(1500);
      assert.equal(peer.rtpPackets, 0, 'no media on a path that was only checked');
      assert.ok(received(subscriber, publisher, 'audio') - before >= 40, 'media stays on the nominated TCP path');
    } finally {
      peer.close();
      await closeAll(bots);
    }
  });
});
