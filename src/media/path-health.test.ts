import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PathHealth, PUBLISH_SILENCE_MS, publishStall, REPAIR_TIMEOUT_MS, type PathRole, type PublishedStream, type StallReport } from './path-health.js';

const VIDEO = 42;

/** A PathHealth with its events recorded. */
function watched(now = 0) {
  const health = new PathHealth(now);
  const events: string[] = [];
  const stalls: StallReport[] = [];
  health.on('stalled', (s) => {
    stalls.push(s);
    events.push(`stalled ${s.pc} by ${s.detectedBy}`);
  });
  health.on('restartIce', (pc: PathRole) => events.push(`restart ${pc}`));
  health.on('repaired', ({ pc }) => events.push(`repaired ${pc}`));
  health.on('repairFailed', (s) => events.push(`failed ${s.pc}`));
  return { health, events, stalls };
}

const connected = { connected: true, path: () => 'udp 127.0.0.1:5000' };
const noPublish = { connected: false, streams: [] as PublishedStream[] };

/** Forwards video every 40 ms from `from` to `to`; the subscriber reports progress each second when `acked`. */
function forward(health: PathHealth, from: number, to: number, acked: boolean, seq = { n: 0 }): void {
  for (let t = from; t < to; t += 40) {
    health.delivery.sent(VIDEO, 'video', t);
    if (acked) seq.n++;
    if (t % 1000 === 0) health.delivery.reported(VIDEO, seq.n, t);
  }
}

describe('PathHealth', () => {
  test('subscribe: unacknowledged media -> stalled, ICE restart; acknowledgements again -> repaired', () => {
    const { health, events, stalls } = watched();
    const seq = { n: 0 };
    forward(health, 0, 3000, true, seq);
    forward(health, 3000, 9000, false, seq);
    health.check(9000, connected, noPublish);
    assert.deepEqual(events, ['stalled subscribe by server', 'restart subscribe']);
    assert.equal(stalls[0]!.path, 'udp 127.0.0.1:5000');
    health.check(10_000, connected, noPublish);
    assert.equal(events.length, 2, 'no second repair while one is under way');
    forward(health, 10_000, 12_000, true, seq);
    health.check(12_000, connected, noPublish);
    assert.deepEqual(events.slice(2), ['repaired subscribe']);
  });

  test('subscribe: a repair that brings nothing back fails after REPAIR_TIMEOUT_MS, and a new stall can start later', () => {
    const { health, events } = watched();
    forward(health, 0, 7000, false);
    health.check(7000, connected, noPublish);
    forward(health, 7000, 7000 + REPAIR_TIMEOUT_MS + 1000, false);
    health.check(7000 + REPAIR_TIMEOUT_MS + 1000, connected, noPublish);
    assert.deepEqual(events, ['stalled subscribe by server', 'restart subscribe', 'failed subscribe']);
  });

  test('a connection still being set up is not judged', () => {
    const { health, events } = watched();
    forward(health, 0, 9000, false);
    health.check(9000, { connected: false, path: () => undefined }, noPublish);
    assert.deepEqual(events, []);
  });

  test('publish: every unmuted track silent for PUBLISH_SILENCE_MS -> the client is asked to restart; packets again -> repaired', () => {
    const { health, events } = watched();
    const audio = { paused: false, lastPacketAt: 1000, unpausedAt: 0 };
    const video = { paused: true, lastPacketAt: 100, unpausedAt: 0 };
    // An iterator, as MediaPeer passes its producers: read once per check.
    const publish = { connected: true, get streams() { return [audio, video].values(); } };
    health.check(1000 + PUBLISH_SILENCE_MS, connected, publish);
    assert.deepEqual(events, []);
    health.check(1000 + PUBLISH_SILENCE_MS + 1, connected, publish);
    assert.deepEqual(events, ['stalled publish by server', 'restart publish']);
    audio.lastPacketAt = 9000;
    health.check(9000, connected, publish);
    assert.deepEqual(events.slice(2), ['repaired publish']);
  });

  test('publishStall: muted tracks, tracks that never sent, and a fresh unmute do not count', () => {
    assert.equal(publishStall([{ paused: true, lastPacketAt: 0, unpausedAt: 0 }], 60_000), undefined);
    assert.equal(publishStall([{ paused: false, lastPacketAt: undefined, unpausedAt: 0 }], 60_000), undefined);
    assert.equal(publishStall([{ paused: false, lastPacketAt: 0, unpausedAt: 59_000 }], 60_000), undefined);
    assert.equal(publishStall([{ paused: false, lastPacketAt: 0, unpausedAt: 0 }, { paused: false, lastPacketAt: 58_000, unpausedAt: 0 }], 60_000), undefined);
    assert.equal(publishStall([{ paused: false, lastPacketAt: 0, unpausedAt: 0 }], 60_000)?.streams, 1);
  });

  test('the page reports a stall: repaired only when we forward something, at most every 5 s', () => {
    const { health, events } = watched();
    assert.equal(health.clientReportedStall(1000), 'nothing-forwarded');
    forward(health, 1000, 2000, true);
    assert.equal(health.clientReportedStall(2000), 'repairing');
    assert.equal(health.clientReportedStall(2100), 'already-repairing');
    forward(health, 2000, 4000, true, { n: 100 });
    health.check(4000, connected, noPublish);
    assert.equal(health.clientReportedStall(4500), 'too-soon');
    assert.deepEqual(events, ['stalled subscribe by client', 'restart subscribe', 'repaired subscribe']);
  });
});

describe('PathHealth across a reconnection', () => {
  test('the subscribe connection reconnecting during a repair (the ICE restart itself) is not taken for media coming back', () => {
    const { health, events } = watched();
    forward(health, 0, 7000, false);
    health.check(7000, connected, noPublish);
    // The restart connects again: MediaPeer resets the watch, nothing is acknowledged.
    health.delivery.reset(8000);
    forward(health, 8000, 8000 + REPAIR_TIMEOUT_MS, false);
    health.check(8000 + REPAIR_TIMEOUT_MS, connected, noPublish);
    assert.deepEqual(events, ['stalled subscribe by server', 'restart subscribe', 'failed subscribe']);
  });
});
