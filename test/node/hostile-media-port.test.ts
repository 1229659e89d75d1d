/**
 * The media port against an attacker who knows a live ICE ufrag (it travels
 * in the clear in every check) but not its password (issue 11):
 * - a check without MESSAGE-INTEGRITY, or with a wrong one, gets no answer,
 *   opens no route and cannot take anyone's media;
 * - a thousand source ports cost the server nothing (no socket, no route);
 * - even with the password, routes per peer connection are bounded;
 * - ICE-TCP connections that never name a peer connection are closed, and
 *   an address cannot hold many such connections at once.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Bot } from '../../src/bot/index.js';
import { ROUTES_PER_ENDPOINT } from '../../src/media/transport/route-table.js';
import { MAX_UNROUTED_PER_ADDRESS, UNROUTED_TIMEOUT_MS } from '../../src/media/transport/tcp-mux.js';
import { closeAll, joinBots, received } from '../support/bots.js';
import { iceCredentials, IceCheckPeer } from '../support/ice-check.js';
import { sleep, startServer, waitUntil, type TestServer } from '../support/server.js';
import { inspectMedia, mediaPorts, waitUntilAsync } from '../support/media-workers.js';

let server: TestServer;
/** One worker: one media port to attack, as an operator opening one port runs it. */
let port: { udp: number; tcp: number | undefined };

before(async () => {
  server = await startServer({ MEDIA_WORKERS: '1' });
  port = mediaPorts(server);
});
after(async () => {
  await server.stop();
});

/** The server's UDP sockets (in its media worker). */
const udpSockets = async (): Promise<number> => (await inspectMedia(server)).resources.UDPWrap ?? 0;
const udpRoutes = async (): Promise<number> => (await inspectMedia(server)).sessions.udp ?? 0;

/** A publisher and a subscriber, with the server credentials of the subscriber's subscribe connection. */
async function classOfTwo(room: string): Promise<{ bots: Bot[]; publisher: Bot; subscriber: Bot; ufrag: string; password: string }> {
  const [publisher] = await joinBots(server.url, room, ['Ada']);
  let offer = '';
  const subscriber = await Bot.join({
    url: server.url,
    room,
    displayName: 'Bob',
    network: { loopbackOnly: true },
    onRemoteSdp: (sdp, pc) => {
      if (pc === 'subscribe') offer = sdp;
    },
  });
  await waitUntil(() => received(subscriber, publisher!, 'audio') > 20, 10_000, 'media flowing');
  const { ufrag, password } = iceCredentials(offer);
  return { bots: [publisher!, subscriber], publisher: publisher!, subscriber, ufrag, password };
}

describe('the media port against hostile clients', { timeout: 120_000 }, () => {
  test('checks without the password get no answer, open no route, and cannot take a subscriber\'s media', async () => {
    const { bots, publisher, subscriber, ufrag, password } = await classOfTwo('hijack');
    const attacker = await IceCheckPeer.open();
    try {
      const routesBefore = await udpRoutes();
      const droppedBefore = (await inspectMedia(server)).dropped;
      const username = `${ufrag}:attacker`;
      assert.equal(await attacker.check('127.0.0.1', port.udp, { username, nominate: true }, 500), undefined, 'no MESSAGE-INTEGRITY: no answer');
      assert.equal(await attacker.check('127.0.0.1', port.udp, { username, password: `${password}x`, nominate: true }, 500), undefined, 'wrong password: no answer');
      assert.equal(await attacker.check('127.0.0.1', port.udp, { username, noFingerprint: true, nominate: true }, 500), undefined);
      assert.equal((await inspectMedia(server)).dropped.bad_integrity! - droppedBefore.bad_integrity!, 3, 'dropped at the edge as bad_integrity');
      assert.equal(await udpRoutes(), routesBefore, 'no route opened');
      const before = received(subscriber, publisher, 'audio');
      await sleep(1500);
      assert.equal(attacker.rtpPackets, 0, 'the attacker got no media');
      assert.ok(received(subscriber, publisher, 'audio') - before >= 50, 'the subscriber kept its media');
    } finally {
      attacker.close();
      await closeAll(bots);
    }
  });

  test('1,000 source ports naming a live ufrag cost no socket and no route', async () => {
    const { bots, ufrag } = await classOfTwo('many-ports');
    const sockets = await udpSockets();
    const routes = await udpRoutes();
    const attackers = await Promise.all(Array.from({ length: 1000 }, () => IceCheckPeer.open()));
    try {
      for (const a of attackers) a.socket.send(IceCheckPeer.request({ username: `${ufrag}:x`, nominate: true }).bytes, port.udp, '127.0.0.1');
      await sleep(500);
      assert.equal(await udpRoutes(), routes, 'no route for any of them');
      assert.ok((await udpSockets()) <= sockets, 'no socket for any of them');
    } finally {
      for (const a of attackers) a.close();
      await closeAll(bots);
    }
    await waitUntilAsync(async () => (await udpSockets()) <= sockets, 5000, async () => `no socket left behind (${await udpSockets()} vs ${sockets})`);
  });

  test('with the password, routes per peer connection stay bounded (the oldest goes)', async () => {
    const { bots, ufrag, password } = await classOfTwo('bounded-routes');
    const peers = await Promise.all(Array.from({ length: 3 * ROUTES_PER_ENDPOINT }, () => IceCheckPeer.open()));
    try {
      for (const peer of peers) await peer.check('127.0.0.1', port.udp, { username: `${ufrag}:x`, password }, 500);
      // The subscriber's own path plus the checked ones, at most ROUTES_PER_ENDPOINT for its connection.
      const udp = await udpRoutes();
      assert.ok(udp <= 2 * ROUTES_PER_ENDPOINT, `routes stay bounded: ${udp}`);
    } finally {
      for (const peer of peers) peer.close();
      await closeAll(bots);
    }
  });

  test('ICE-TCP connections that never send a check are closed, and one address cannot hold many', async () => {
    const opened: Socket[] = [];
    const closed: boolean[] = [];
    for (let i = 0; i < MAX_UNROUTED_PER_ADDRESS + 10; i++) {
      const socket = connect(port.tcp!, '127.0.0.1');
      const index = opened.push(socket) - 1;
      closed[index] = false;
      socket.on('close', () => (closed[index] = true));
      socket.on('error', () => undefined);
      await once(socket, 'connect');
    }
    try {
      await sleep(300);
      const early = closed.filter(Boolean).length;
      assert.ok(early >= 10, `connections beyond ${MAX_UNROUTED_PER_ADDRESS} unrouted from one address are closed at once (${early} closed)`);
      await waitUntil(() => closed.every(Boolean), UNROUTED_TIMEOUT_MS + 2000, () => `silent connections closed after ${UNROUTED_TIMEOUT_MS} ms (${closed.filter((c) => !c).length} still open)`);
    } finally {
      for (const s of opened) s.destroy();
    }
  });

  test('an ICE-TCP connection whose first frame is not a valid check is closed at once', async () => {
    const socket = connect(port.tcp!, '127.0.0.1');
    await once(socket, 'connect');
    const frame = Buffer.alloc(2 + 100);
    frame.writeUInt16BE(100, 0);
    socket.write(frame);
    const started = Date.now();
    await once(socket, 'close');
    assert.ok(Date.now() - started < 1000);
  });
});
