/**
 * Media workers (issue 14): rooms spread over MEDIA_WORKERS threads by load,
 * each worker forwards its rooms' media on its own port, and a worker that
 * dies or stalls is replaced while its classes move to a healthy worker and
 * carry on (same participants, media back within 10 s), without touching
 * the classes on other workers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bot } from '../../src/bot/index.js';
import { WORKER_STALL_MS } from '../../src/media/worker/media-worker.js';
import { closeAll, joinBots, received } from '../support/bots.js';
import { inspectMedia, mediaPorts } from '../support/media-workers.js';
import { scrapeMetrics } from '../support/metrics.js';
import { sleep, startServer, waitUntil, type TestServer } from '../support/server.js';

/** Packets each bot got from each other bot, by `receiver<-sender kind`. */
function snapshot(bots: readonly Bot[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const bot of bots) {
    for (const other of bots) {
      if (other !== bot) for (const kind of ['audio', 'video'] as const) out.set(`${bot.options.displayName}<-${other.options.displayName} ${kind}`, received(bot, other, kind));
    }
  }
  return out;
}

/** Every pair gained at least `min` packets of each kind since `before`. */
function allGained(bots: readonly Bot[], before: Map<string, number>, min: number): boolean {
  for (const [key, n] of snapshot(bots)) if (n - (before.get(key) ?? 0) < min) return false;
  return true;
}

function gains(bots: readonly Bot[], before: Map<string, number>): string {
  return [...snapshot(bots)].map(([key, n]) => `${key} +${n - (before.get(key) ?? 0)}`).join(', ');
}

/** The worker a room's media is on. */
function workerOf(server: TestServer, room: string): number {
  const media = server.server.gateway.media.get(room);
  assert.ok(media, `room ${room} has media`);
  return media.router.worker.index;
}

describe('two media workers', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ MEDIA_WORKERS: '2' });
  });
  after(async () => {
    await server.stop();
  });

  test('each worker has its own UDP and TCP port, and starts out looking idle to placement', () => {
    const [a, b] = [mediaPorts(server, 0), mediaPorts(server, 1)];
    assert.notEqual(a.udp, b.udp);
    assert.notEqual(a.tcp, b.tcp);
    // Its start-up (module loading) is not load: reported as such, a new worker looked saturated for a
    // second and the next room went to the busy one (seen in the bench: two rooms on one worker).
    for (const w of server.server.media.workers) assert.ok((w.load?.elu ?? 1) < 0.5, `worker ${w.index} reports ELU ${w.load?.elu} before its first second`);
  });

  test('two classes starting together go to different workers, and both workers forward', async () => {
    const first = await joinBots(server.url, 'physics', ['P1', 'P2', 'P3']);
    const second = await joinBots(server.url, 'chemistry', ['C1', 'C2', 'C3']);
    try {
      assert.notEqual(workerOf(server, 'physics'), workerOf(server, 'chemistry'), 'a room placed seconds ago counts as load');
      const before = await server.server.media.inspect();
      const start = snapshot([...first, ...second]);
      await sleep(3000);
      assert.ok(allGained(first, start, 50) && allGained(second, start, 50), gains([...first, ...second], start));
      const after = await server.server.media.inspect();
      const forwarded = after.map((w, i) => w.counters.packetsForwarded - before[i]!.counters.packetsForwarded);
      const total = forwarded.reduce((a, b) => a + b, 0);
      for (const [i, n] of forwarded.entries()) assert.ok(n >= total * 0.25, `worker ${i} forwarded ${n} of ${total} packets (want >= 25 %)`);
      const metrics = await scrapeMetrics(server.url);
      for (const i of [0, 1]) {
        assert.equal(metrics.get(`confab_worker_rooms{worker="${i}"}`), 1, `worker ${i} carries one room`);
        assert.equal(metrics.get(`confab_worker_up{worker="${i}"}`), 1);
        assert.equal(metrics.get(`confab_worker_participants{worker="${i}"}`), 3);
      }
      const ready = (await (await fetch(`${server.url}readyz`)).json()) as { workers: { index: number; up: boolean; rooms: number; participants: number }[] };
      assert.deepEqual(
        ready.workers.map(({ index, up, rooms, participants }) => ({ index, up, rooms, participants })),
        [0, 1].map((index) => ({ index, up: true, rooms: 1, participants: 3 })),
        '/readyz lists both workers with their room',
      );
    } finally {
      await closeAll([...first, ...second]);
    }
  });

  test('a worker killed mid-class: its class moves to the other worker and carries on; the other class never notices', async () => {
    const doomed = await joinBots(server.url, 'history', ['H1', 'H2', 'H3']);
    const bystanders = await joinBots(server.url, 'biology', ['B1', 'B2']);
    try {
      const victim = workerOf(server, 'history');
      assert.notEqual(victim, workerOf(server, 'biology'));
      await waitUntil(() => allGained(doomed, new Map(), 20) && allGained(bystanders, new Map(), 20), 10_000, 'media in both classes');
      const ids = doomed.map((b) => b.participantId);
      const rebuilt = doomed.map((b) => new Promise<void>((resolve) => b.once('mediaRebuilt', () => resolve())));
      let bystandersRebuilt = 0;
      for (const b of bystanders) b.on('mediaRebuilt', () => bystandersRebuilt++);
      const restartsBefore = (await scrapeMetrics(server.url)).get('confab_worker_restarts_total') ?? 0;

      const killedAt = Date.now();
      const bystanderStart = snapshot(bystanders);
      server.server.media.workers[victim]!.kill('killed by the test');
      await Promise.all(rebuilt);
      const afterKill = snapshot(doomed);
      await waitUntil(() => allGained(doomed, afterKill, 25), 10_000 - (Date.now() - killedAt), () => `media back in the moved class within 10 s (${gains(doomed, afterKill)})`);
      const recoveredMs = Date.now() - killedAt;

      // The class is the same class: nobody left or joined, on a live worker.
      const room = server.server.gateway.rooms.get('history');
      assert.deepEqual([...room!.participants.keys()].sort(), [...ids].sort(), 'the same participants, still in the room');
      for (const bot of doomed) assert.equal(bot.participants.size, 2, `${bot.options.displayName} still sees the other two`);
      assert.equal(workerOf(server, 'biology'), 1 - victim, 'the other class stays where it was');
      // The other class kept its media the whole time and was never asked to rebuild.
      assert.ok(allGained(bystanders, bystanderStart, Math.floor(recoveredMs / 1000) * 15), gains(bystanders, bystanderStart));
      assert.equal(bystandersRebuilt, 0);

      // The dead worker was replaced, on its own ports.
      await waitUntil(() => server.server.media.workers[victim]!.usable && server.server.media.workers[victim]!.udpPort !== undefined, 10_000, 'the replacement to start');
      const metrics = await scrapeMetrics(server.url);
      assert.equal(metrics.get('confab_worker_restarts_total'), restartsBefore + 1);
      process.stderr.write(`media back ${recoveredMs} ms after the worker was killed\n`);
    } finally {
      await closeAll([...doomed, ...bystanders]);
    }
  });

  test('rooms and peers are all released when the classes end', async () => {
    await waitUntil(() => server.server.gateway.registry.size === 0, 15_000, 'rooms to close');
    let media = await inspectMedia(server);
    for (let i = 0; i < 50 && media.peerConnectionsOpen + media.routers + media.ufrags > 0; i++) {
      await sleep(200);
      media = await inspectMedia(server);
    }
    assert.deepEqual([media.routers, media.peers, media.peerConnectionsOpen, media.ufrags, media.endpoints], [0, 0, 0, 0, 0], JSON.stringify(media));
  });
});

describe('one media worker', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ MEDIA_WORKERS: '1' });
  });
  after(async () => {
    await server.stop();
  });

  test('a stalled worker (no report for 5 s) is terminated and replaced on its port; its class is back within 10 s', async () => {
    const port = mediaPorts(server).udp;
    const bots = await joinBots(server.url, 'art', ['A1', 'A2', 'A3']);
    try {
      await waitUntil(() => allGained(bots, new Map(), 20), 10_000, 'media');
      const rebuilt = bots.map((b) => new Promise<void>((resolve) => b.once('mediaRebuilt', () => resolve())));
      const worker = server.server.media.workers[0]!;
      const stalledAt = Date.now();
      // As the watchdog sees it when the worker's loop has not reported for longer than WORKER_STALL_MS.
      worker.checkAlive(Date.now() + WORKER_STALL_MS + 1000);
      assert.equal(worker.usable, false, 'declared dead');
      const unready = await fetch(`${server.url}readyz`);
      assert.equal(unready.status, 503, 'not ready while its only media worker is being replaced');
      assert.equal(((await unready.json()) as { workers: { up: boolean }[] }).workers[0]?.up, false);
      await Promise.all(rebuilt);
      const afterStall = snapshot(bots);
      await waitUntil(() => allGained(bots, afterStall, 25), 10_000 - (Date.now() - stalledAt), () => `media back within 10 s (${gains(bots, afterStall)})`);
      assert.equal(mediaPorts(server).udp, port, 'the replacement took the same port (one port to open in the firewall)');
      assert.notEqual(server.server.media.workers[0], worker);
      assert.equal((await fetch(`${server.url}readyz`)).status, 200, 'ready again');
      process.stderr.write(`media back ${Date.now() - stalledAt} ms after the stall was declared\n`);
    } finally {
      await closeAll(bots);
    }
  });
});

describe('a class bigger than one worker', { timeout: 180_000 }, () => {
  let server: TestServer;
  before(async () => {
    // Three participants a worker: a class of 6 spans both, as a class of 12 does with the default 6.
    server = await startServer({ MEDIA_WORKERS: '2', MEDIA_PARTICIPANTS_PER_WORKER: '3' });
  });
  after(async () => {
    await server.stop();
  });

  test('spans both workers; everyone sees and hears everyone, across the pipe too; mute and leave reach the other worker', async () => {
    const names = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6'];
    const bots: Bot[] = [];
    try {
      // One at a time, as students arrive: the first three fill the room's first worker.
      for (const name of names) bots.push(...(await joinBots(server.url, 'big-class', [name])));
      const media = server.server.gateway.media.get('big-class')!;
      assert.deepEqual(media.routers.map((r) => r.peers.size), [3, 3], 'three participants on each worker');
      assert.notEqual(media.routers[0]!.worker, media.routers[1]!.worker);
      await waitUntil(() => allGained(bots, new Map(), 25), 15_000, () => `everyone receiving everyone (${gains(bots, new Map())})`);
      const inspection = await server.server.media.inspect();
      for (const w of inspection) assert.ok(w.pipes >= 6, `worker ${w.index} pipes its 3 publishers' 6 tracks out and the other 6 in (${w.pipes})`);
      const before = await server.server.media.inspect();
      await sleep(2000);
      const after = await server.server.media.inspect();
      for (const [i, w] of after.entries()) {
        const forwarded = w.counters.packetsForwarded - before[i]!.counters.packetsForwarded;
        assert.ok(forwarded > 500, `worker ${i} forwards to its own subscribers (${forwarded} packets in 2 s)`);
      }

      // A publisher on the first worker mutes its camera: nobody on either worker gets its video, audio goes on.
      const [muter] = bots;
      muter!.setMuted('video', true);
      await sleep(1000);
      const afterMute = snapshot(bots);
      await sleep(2000);
      for (const other of bots.slice(1)) {
        const key = `${other.options.displayName}<-${muter!.options.displayName}`;
        assert.ok(received(other, muter!, 'video') - afterMute.get(`${key} video`)! <= 2, `${key}: muted video stays off across workers`);
        assert.ok(received(other, muter!, 'audio') - afterMute.get(`${key} audio`)! >= 50, `${key}: its audio goes on`);
      }
      muter!.setMuted('video', false);
      const unmuted = snapshot(bots);
      await waitUntil(() => bots.slice(1).every((b) => received(b, muter!, 'video') - unmuted.get(`${b.options.displayName}<-${muter!.options.displayName} video`)! > 20), 10_000, 'video back after unmute, on both workers (keyframe through the pipe)');

      // A participant on the second worker leaves: its tracks are gone everywhere, nothing piped stays behind.
      const leaver = bots.pop()!;
      await leaver.leave();
      await waitUntil(() => bots.every((b) => !b.participants.has(leaver.participantId)), 5000, 'everyone sees the leave');
      const pipesAfterLeave = (await inspectMedia(server)).pipes;
      assert.equal(pipesAfterLeave, 2 * (5 * 2), `5 publishers x 2 tracks, piped out on one worker and in on the other (${pipesAfterLeave})`);

      // The last two on the second worker leave: the room leaves that worker, and its pipes go with it.
      const second = media.routers[1]!;
      for (const bot of bots.filter((b) => second.peers.has(b.participantId))) await bot.leave();
      bots.splice(0, bots.length, ...bots.filter((b) => !b.closed));
      await waitUntil(() => media.routers.length === 1, 5000, 'the room to leave the second worker');
      let pipes = (await inspectMedia(server)).pipes;
      for (let i = 0; i < 20 && pipes > 0; i++) {
        await sleep(100);
        pipes = (await inspectMedia(server)).pipes;
      }
      assert.equal(pipes, 0, 'no pipe left once the room is on one worker again');
      const still = snapshot(bots);
      await sleep(1500);
      assert.ok(allGained(bots, still, 20), `the three left still see each other (${gains(bots, still)})`);
    } finally {
      await closeAll(bots);
    }
    await waitUntil(() => server.server.gateway.registry.size === 0, 15_000, 'the room to close');
    let media = await inspectMedia(server);
    for (let i = 0; i < 50 && media.peerConnectionsOpen + media.routers + media.pipes > 0; i++) {
      await sleep(200);
      media = await inspectMedia(server);
    }
    assert.deepEqual([media.routers, media.peerConnectionsOpen, media.pipes], [0, 0, 0], 'no router, peer connection or pipe left');
  });

  test('one of the class\'s workers dies: only its participants move, everyone sees everyone again within 10 s', async () => {
    const bots: Bot[] = [];
    try {
      for (const name of ['T1', 'T2', 'T3', 'T4', 'T5', 'T6']) bots.push(...(await joinBots(server.url, 'split-class', [name])));
      const media = server.server.gateway.media.get('split-class')!;
      await waitUntil(() => allGained(bots, new Map(), 20), 15_000, 'everyone receiving everyone');
      const victim = media.routers[1]!.worker.index;
      const onVictim = new Set(media.routers[1]!.peers.keys());
      const rebuilt = new Set<string>();
      for (const b of bots) b.on('mediaRebuilt', () => rebuilt.add(b.participantId));
      const killedAt = Date.now();
      server.server.media.workers[victim]!.kill('killed by the test');
      await waitUntil(() => rebuilt.size === onVictim.size, 5000, 'the moved participants rebuild');
      assert.deepEqual([...rebuilt].sort(), [...onVictim].sort(), 'only the dead worker\'s participants rebuilt their connections');
      const afterKill = snapshot(bots);
      await waitUntil(() => allGained(bots, afterKill, 20), 10_000 - (Date.now() - killedAt), () => `everyone receiving everyone again within 10 s (${gains(bots, afterKill)})`);
      assert.equal(server.server.gateway.rooms.get('split-class')?.participants.size, 6);
      process.stderr.write(`split class: media back ${Date.now() - killedAt} ms after one of its workers was killed\n`);
    } finally {
      await closeAll(bots);
    }
  });
});
