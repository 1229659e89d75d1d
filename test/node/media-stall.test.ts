/**
 * No silent stall (issue 18): a media path that dies while ICE still says
 * "connected" is noticed by the server and repaired with an ICE restart, or
 * reported to the client when the repair fails. The faults are made inside
 * the bots' werift connections (their ICE stack keeps answering consent
 * checks, as a browser's did in the stall that was reported):
 * - subscribe: the subscriber's connection stops taking in media; its
 *   receiver reports then show no progress on what the server forwards;
 * - publish: the publisher's connection stops sending media out.
 * A fault lasts until the repair makes a new ICE session (new credentials),
 * as a dead NAT binding or path would, or for good.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RTCPeerConnection } from 'werift';
import { Bot } from '../../src/bot/index.js';
import { closeAll, joinBots, received } from '../support/bots.js';
import { iceCredentials } from '../support/ice-check.js';
import { runDoctor } from '../support/doctor.js';
import { scrapeMetrics } from '../support/metrics.js';
import { startServer, waitUntil, type TestServer } from '../support/server.js';

let server: TestServer;

before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

async function stalls(pc: 'publish' | 'subscribe', outcome: 'detected' | 'repaired' | 'failed'): Promise<number> {
  return (await scrapeMetrics(server.url)).get(`confab_media_stalls_total{pc="${pc}",outcome="${outcome}"}`) ?? 0;
}

/** The health check runs once a second: a repair is counted up to a second after media is back. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

/** The ICE connection under a werift peer connection (one transport: BUNDLE). */
function iceOf(pc: RTCPeerConnection) {
  return pc.iceTransports[0]!.connection;
}

/** Drops everything but STUN that reaches this connection (media, RTCP, DTLS); returns the undo. */
function dropInbound(pc: RTCPeerConnection): () => void {
  const onData = iceOf(pc).onData;
  const execute = onData.execute;
  onData.execute = () => undefined;
  return () => {
    onData.execute = execute;
  };
}

/** Drops everything this connection sends but its STUN checks; returns the undo. */
function dropOutbound(pc: RTCPeerConnection): () => void {
  const ice = iceOf(pc);
  // Media goes out through sendNow (our werift patch), DTLS and RTCP through send: drop both.
  const { send, sendNow } = ice;
  ice.send = async () => undefined;
  ice.sendNow = () => undefined;
  return () => {
    ice.send = send;
    ice.sendNow = sendNow;
  };
}

/** A publisher and a subscriber; `onSubscribeOffer` sees every subscribe offer the subscriber gets. */
async function pair(room: string, onSubscribeOffer?: (sdp: string) => void): Promise<{ publisher: Bot; subscriber: Bot }> {
  const [publisher] = await joinBots(server.url, room, ['Ada']);
  const subscriber = await Bot.join({
    url: server.url,
    room,
    displayName: 'Bob',
    network: { loopbackOnly: true },
    onRemoteSdp: (sdp, pc) => pc === 'subscribe' && onSubscribeOffer?.(sdp),
  });
  await waitUntil(() => received(subscriber, publisher!, 'audio') > 20 && received(subscriber, publisher!, 'video') > 5, 10_000, 'media flowing');
  return { publisher: publisher!, subscriber };
}

describe('media stalls are noticed and repaired', { timeout: 90_000 }, () => {
  test('subscribe: media that stops reaching the subscriber is restored by a server ICE restart', async () => {
    const before = { detected: await stalls('subscribe', 'detected'), repaired: await stalls('subscribe', 'repaired') };
    let ufrag: string | undefined;
    let undo: (() => void) | undefined;
    const { publisher, subscriber } = await pair('stall-subscribe', (sdp) => {
      const now = iceCredentials(sdp).ufrag;
      // A new ICE session is a new path: the fault was tied to the old one.
      if (ufrag !== undefined && now !== ufrag) undo?.();
      ufrag = now;
    });
    try {
      undo = dropInbound(subscriber.subscriber.pc!);
      const stalledAt = received(subscriber, publisher, 'audio');
      await waitUntil(() => received(subscriber, publisher, 'audio') > stalledAt + 100, 20_000, () => `media back after the repair (audio ${received(subscriber, publisher, 'audio')} vs ${stalledAt} at the stall)`);
      assert.equal((await stalls('subscribe', 'detected')) - before.detected, 1, 'one stall detected');
      assert.equal(await eventually(() => stalls('subscribe', 'repaired'), (n) => n > before.repaired) - before.repaired, 1, 'and repaired');
    } finally {
      await closeAll([publisher, subscriber]);
    }
  });

  test('subscribe: a repair that cannot bring media back tells the client (media_stalled), which then rebuilds', async () => {
    const before = await stalls('subscribe', 'failed');
    const { publisher, subscriber } = await pair('stall-for-good');
    const errors: string[] = [];
    subscriber.on('serverError', (e) => errors.push(e.code));
    try {
      dropInbound(subscriber.subscriber.pc!);
      await waitUntil(() => errors.includes('media_stalled'), 30_000, () => `media_stalled sent to the client (errors: ${errors.join(', ') || 'none'})`);
      assert.equal((await stalls('subscribe', 'failed')) - before, 1);
    } finally {
      await closeAll([publisher, subscriber]);
    }
  });

  test('publish: a publisher whose media stops arriving is asked to restart ICE, and its media comes back', async () => {
    const before = { detected: await stalls('publish', 'detected'), repaired: await stalls('publish', 'repaired') };
    const { publisher, subscriber } = await pair('stall-publish');
    try {
      const undo = dropOutbound(publisher.publisher!.pc);
      // The server's request is the new ICE session: lift the fault when it arrives, as a new path would.
      publisher.signaling.on('message', (m) => {
        if (m.type === 'restart-ice') undo();
      });
      const stalledAt = received(subscriber, publisher, 'audio');
      await waitUntil(() => received(subscriber, publisher, 'audio') > stalledAt + 100, 20_000, () => `the publisher's media back (${received(subscriber, publisher, 'audio')} vs ${stalledAt})`);
      assert.equal((await stalls('publish', 'detected')) - before.detected, 1);
      assert.equal(await eventually(() => stalls('publish', 'repaired'), (n) => n > before.repaired) - before.repaired, 1);
    } finally {
      await closeAll([publisher, subscriber]);
    }
  });

  test('confab doctor reports the last hour\'s stalls from the metrics: one not repaired is a FAIL', async () => {
    const run = await runDoctor([server.url, '--loopback', '--only', 'health']);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.line('media-stalls'), /^ {2}FAIL {2}media-stalls +3 detected \(2 receiving, 1 sending\), 2 repaired, 1 not repaired in the last hour; fix: .*media_stalled/);
  });
});
