/**
 * The cluster's Redis side against Debian's redis-server: leases with their
 * fencing epochs (claim, renewal, expiry, takeover from a dead holder,
 * fenced writes), the node registry, and commands failing fast while Redis
 * is down and working again when it is back, without a new client.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Secret } from '../../src/config/secret.js';
import { ClusterStore, RedisUnavailableError } from '../../src/service/cluster/cluster-store.js';
import type { NodeInfo } from '../../src/service/cluster/node-info.js';
import { createLogger } from '../../src/util/log.js';
import { startRedis, type RunningRedis } from '../support/redis.js';
import { sleep, waitUntil } from '../support/server.js';

let redis: RunningRedis;
const stores: ClusterStore[] = [];
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

before(async () => {
  redis = await startRedis();
});
after(async () => {
  for (const s of stores) await s.close();
  await redis?.dispose();
});

async function store(): Promise<ClusterStore> {
  const s = new ClusterStore(new Secret(redis.url), log);
  stores.push(s);
  await s.start();
  await waitUntil(() => s.available, 5000, 'the store to connect');
  return s;
}

const node = (id: string, participants = 0): NodeInfo => ({
  id,
  url: `http://127.0.0.1:1/${id}`,
  media: { ips: ['127.0.0.1'], udpPort: 10000, tcpPort: undefined },
  state: 'ready',
  rooms: 0,
  participants,
  version: 'test',
  startedAt: Date.now(),
});

test('a lease is claimed once, renewed by its holder only, and fenced by a larger epoch after its holder dies', async () => {
  const s = await store();
  await s.publishNode(node('a'), 10_000);
  await s.publishNode(node('b'), 10_000);
  const first = await s.claim('lease-room', 'a', 10_000);
  assert.equal(first.node, 'a');
  assert.deepEqual(await s.claim('lease-room', 'b', 10_000), first, 'a live holder keeps the room');
  assert.deepEqual(await s.claim('lease-room', 'a', 10_000), first, 'the holder claiming again keeps its epoch');
  assert.deepEqual(await s.renew([{ roomKey: 'lease-room', lease: first }], 10_000), ['renewed']);

  // Node a stops (its registry entry goes): b takes the room over at once, with a larger epoch.
  await s.removeNode('a');
  const second = await s.claim('lease-room', 'b', 10_000);
  assert.equal(second.node, 'b');
  assert.ok(second.epoch > first.epoch, `epoch ${second.epoch} after ${first.epoch}`);
  // a, back from a pause, cannot renew or write under its old epoch: it has lost the room.
  assert.deepEqual(await s.renew([{ roomKey: 'lease-room', lease: first }], 10_000), ['lost']);
  assert.equal(await s.saveState('lease-room', first, '{"stale":true}', 10_000), false);
  assert.equal(await s.saveState('lease-room', second, '{"chat":[]}', 10_000), true);
  assert.equal(await s.loadState('lease-room'), '{"chat":[]}');
  // Releasing under a stale epoch does nothing; under the current one it removes the lease and the state.
  await s.release('lease-room', first);
  assert.deepEqual(await s.leaseOf('lease-room'), second);
  await s.release('lease-room', second);
  assert.equal(await s.leaseOf('lease-room'), undefined);
  assert.equal(await s.loadState('lease-room'), undefined);
});

test('a lease nobody renews expires, and the renewal then reports it missing', async () => {
  const s = await store();
  await s.publishNode(node('c'), 10_000);
  const lease = await s.claim('expiring-room', 'c', 300);
  await sleep(500);
  assert.equal(await s.leaseOf('expiring-room'), undefined);
  assert.deepEqual(await s.renew([{ roomKey: 'expiring-room', lease }], 300), ['missing']);
});

test('the registry lists live nodes only; the link secret is one for all', async () => {
  const s = await store();
  const t = await store();
  await s.publishNode(node('live', 3), 10_000);
  await s.publishNode(node('short-lived'), 200);
  await sleep(400);
  const ids = (await t.listNodes()).map((n) => n.id);
  assert.ok(ids.includes('live'));
  assert.ok(!ids.includes('short-lived'), `expired entry listed: ${ids.join(',')}`);
  assert.equal((await t.nodeInfo('live'))?.participants, 3);
  assert.equal(await s.linkSecret(), await t.linkSecret());
});

test('Redis down: commands fail fast with RedisUnavailableError; Redis back (empty): the same client works again', { timeout: 30_000 }, async () => {
  const s = await store();
  await redis.stop();
  await waitUntil(() => !s.available, 5000, 'the store to notice');
  const started = Date.now();
  await assert.rejects(s.claim('down-room', 'x', 1000), RedisUnavailableError);
  assert.ok(Date.now() - started < 1000, 'refused at once, not queued');
  await redis.start();
  await waitUntil(() => s.available, 10_000, 'the store to reconnect by itself');
  await s.publishNode(node('x'), 10_000);
  assert.equal((await s.claim('down-room', 'x', 1000)).node, 'x');
});
