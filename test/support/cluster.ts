/**
 * Cluster tests: Confab nodes sharing one private redis-server
 * (redis.ts), each with its own HTTP, media and cluster ports on loopback.
 * In-process nodes (startServer) for most tests; child processes (the
 * built server, as a pod runs it) where a node must be SIGKILLed or drain.
 */
import { startServer as startChild, type RunningServer } from '../e2e/support.js';
import { startServer, waitUntil, type TestServer } from './server.js';

/** A short lease keeps the tests quick: a dead node's rooms move within 2 s. */
export const TEST_LEASE_S = '2';

export function clusterEnv(redisUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { REDIS_URL: redisUrl, CLUSTER_PORT: '0', CLUSTER_ADVERTISE_HOST: '127.0.0.1', CLUSTER_LEASE_S: TEST_LEASE_S, ...extra };
}

/** `count` in-process nodes, returned once each sees all of them in the registry. */
export async function startNodes(redisUrl: string, count: number, extra: Record<string, string> = {}): Promise<TestServer[]> {
  const nodes = await Promise.all(Array.from({ length: count }, () => startServer(clusterEnv(redisUrl, extra))));
  await waitUntil(() => nodes.every((n) => (n.server.cluster?.node.nodes.length ?? 0) >= count), 10_000, 'every node to see the others');
  return nodes;
}

/** `count` nodes as child processes (dist/), each with its own ports, once registered. */
export async function startChildNodes(redisUrl: string, count: number, extra: Record<string, string> = {}): Promise<RunningServer[]> {
  const nodes = await Promise.all(Array.from({ length: count }, () => startChild({ ...clusterEnv(redisUrl, extra), LOG_LEVEL: 'info' })));
  await waitUntil(() => nodes.every((n) => n.logs.some((l) => l.includes('cluster mode: this node shares rooms'))), 10_000, 'every node to join the cluster');
  return nodes;
}

/** The cluster as a node's /readyz shows it. */
export async function clusterView(url: string): Promise<{ node: string; redis: string; nodes: { id: string; rooms: number; participants: number; state: string }[] }> {
  const res = await fetch(`${url}readyz`);
  const body = (await res.json()) as { cluster: { node: string; redis: string; nodes: { id: string; rooms: number; participants: number; state: string }[] } };
  return body.cluster;
}
