import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIENT_DEAD_AFTER_MS, CLIENT_PING_INTERVAL_MS, Heartbeat } from './heartbeat.js';

function beat(): { hb: Heartbeat; pings: number[]; silent: number[]; clock: { t: number } } {
  const clock = { t: 0 };
  const pings: number[] = [];
  const silent: number[] = [];
  const hb = new Heartbeat(() => pings.push(clock.t), (ms) => silent.push(ms), () => clock.t);
  return { hb, pings, silent, clock };
}

test('an answered ping keeps the connection; one unanswered for too long gives it up', () => {
  const { hb, pings, silent, clock } = beat();
  for (let i = 0; i < 5; i++) {
    clock.t += CLIENT_PING_INTERVAL_MS;
    hb.tick();
    hb.heard(); // the pong
  }
  assert.equal(pings.length, 5);
  assert.deepEqual(silent, []);
  // The network goes silent: pings keep going out until the first has waited too long.
  while (silent.length === 0 && clock.t < 60_000) {
    clock.t += CLIENT_PING_INTERVAL_MS;
    hb.tick();
  }
  assert.equal(silent.length, 1);
  assert.ok(silent[0]! > CLIENT_DEAD_AFTER_MS && silent[0]! <= CLIENT_DEAD_AFTER_MS + CLIENT_PING_INTERVAL_MS, `gave up after ${silent[0]} ms`);
});

test('a tab whose timers are slowed to once a minute is not mistaken for a dead connection', () => {
  const { hb, silent, clock } = beat();
  for (let i = 0; i < 5; i++) {
    clock.t += 60_000;
    hb.tick();
    clock.t += 20; // the pong comes back at once: messages are not throttled
    hb.heard();
  }
  assert.deepEqual(silent, []);
  clock.t += 60_000;
  hb.tick(); // this ping is never answered
  clock.t += 60_000;
  hb.tick();
  assert.equal(silent.length, 1, 'a ping unanswered for a minute is a dead connection');
});
