/**
 * Churn: participants joining and leaving in a loop must leave nothing
 * behind in the server (peer connections, rooms), its media workers (UDP
 * and TCP sockets, timers, ICE routes) or this process (the bots' and the
 * signaling's sockets and timers). "Nothing behind" means back to the counts
 * taken before the loop, in each thread.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inspectMedia, waitUntilAsync } from '../support/media-workers.js';
import { joinBots, received } from '../support/bots.js';
import { sleep, startServer, waitUntil, type TestServer } from '../support/server.js';
import { count, resources } from '../support/resources.js';

let server: TestServer;

before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});


test('20 join/leave cycles leave no peer connections, rooms, sockets or timers', { timeout: 90_000 }, async () => {
  // Let anything the server start-up scheduled settle before taking the baseline.
  await sleep(200);
  const baseline = resources();
  const mediaBefore = await inspectMedia(server);
  let peakUdp = 0;
  let peakServerUdp = 0;

  for (let i = 0; i < 20; i++) {
    // Two at a time, so every cycle has forwarding, consumers and a subscribe renegotiation to tear down.
    const [a, b] = await joinBots(server.url, 'churn', [`a${i}`, `b${i}`]);
    assert.ok(a && b);
    try {
      await waitUntil(() => received(a, b, 'video') > 0 && received(b, a, 'video') > 0, 10_000, `video both ways in cycle ${i}`);
      peakUdp = Math.max(peakUdp, count('UDPWrap'));
      peakServerUdp = Math.max(peakServerUdp, (await inspectMedia(server)).resources.UDPWrap ?? 0);
    } finally {
      // One says goodbye, the other just drops its connection: both paths must clean up.
      await a.leave();
      await b.close();
    }
  }

  await waitUntilAsync(async () => (await inspectMedia(server)).peerConnectionsOpen === 0, 10_000, () => 'peer connections to close');
  await waitUntil(() => server.server.gateway.registry.size === 0, 5_000, 'rooms to close');
  assert.equal(server.server.gateway.media.size, 0, 'no room media left');
  // This thread's count sees the bots' media sockets: 2 per bot (its two peer connections) and their STUN responder.
  const added = peakUdp - (baseline.UDPWrap ?? 0);
  assert.ok(added >= 4 && added <= 5, `UDP sockets while media flowed: the bots' 4-5 (${added} above the baseline)`);
  // The server adds none per participant: werift reads and writes through its worker's one media port.
  assert.equal(peakServerUdp, mediaBefore.resources.UDPWrap ?? 0, "no server socket per participant: the media workers' sockets are their ports");
  const media = await inspectMedia(server);
  assert.deepEqual([media.routers, media.peers, media.ufrags, media.endpoints], [0, 0, 0, 0], 'no router, peer, ICE ufrag or endpoint left in the workers');
  await waitUntilAsync(
    async () => ((await inspectMedia(server)).resources.Timeout ?? 0) <= (mediaBefore.resources.Timeout ?? 0) + 2,
    15_000,
    async () => `media worker timers back to baseline (${JSON.stringify((await inspectMedia(server)).resources)} vs ${JSON.stringify(mediaBefore.resources)})`,
  );
  const udpBack = (): boolean => count('UDPWrap') <= (baseline.UDPWrap ?? 0);
  await waitUntil(udpBack, 10_000, () => `UDP sockets back to baseline (${count('UDPWrap')})`);
  const tcpBack = (): boolean => count('TCPSocketWrap') <= (baseline.TCPSocketWrap ?? 0);
  await waitUntil(tcpBack, 10_000, () => `TCP sockets back to baseline (${count('TCPSocketWrap')})`);
  // werift and ws keep a few short timers (consent checks, close handshakes) that expire on their own.
  await waitUntil(() => count('Timeout') <= (baseline.Timeout ?? 0) + 2, 15_000, () => `timers back to baseline (${JSON.stringify(resources())})`);
});
