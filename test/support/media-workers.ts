/**
 * What node tests read of a server's media workers (issue 14): the media
 * lives in worker threads, so its sockets, timers, routes and peer
 * connections are asked for (a fresh `inspect` of each worker), not read
 * from this thread.
 */
import type { WorkerInspection } from '../../src/media/worker/worker-protocol.js';
import type { TestServer } from './server.js';

/** Every worker's inspection added up (resources and refusals by kind). */
export async function inspectMedia(server: TestServer): Promise<WorkerInspection> {
  const all = await server.server.media.inspect();
  const add = (records: readonly Readonly<Record<string, number>>[]): Record<string, number> => {
    const sum: Record<string, number> = {};
    for (const r of records) for (const [k, n] of Object.entries(r)) sum[k] = (sum[k] ?? 0) + n;
    return sum;
  };
  const total = (pick: (i: WorkerInspection) => number): number => all.reduce((n, i) => n + pick(i), 0);
  const counters = { ...all[0]!.counters };
  for (const i of all.slice(1)) for (const key of Object.keys(counters) as (keyof typeof counters)[]) counters[key] += i.counters[key];
  return {
    index: -1,
    counters,
    cpuMicros: undefined,
    eventLoop: { active: 0, idle: 0 },
    routers: total((i) => i.routers),
    peers: total((i) => i.peers),
    peerConnectionsOpen: total((i) => i.peerConnectionsOpen),
    ufrags: total((i) => i.ufrags),
    endpoints: total((i) => i.endpoints),
    pipes: total((i) => i.pipes),
    sessions: add(all.map((i) => i.sessions)),
    dropped: add(all.map((i) => i.dropped)),
    tcpClosed: add(all.map((i) => i.tcpClosed)),
    resources: add(all.map((i) => i.resources)),
  };
}

/** Worker `index`'s media ports as bound. */
export function mediaPorts(server: TestServer, index = 0): { udp: number; tcp: number | undefined } {
  const worker = server.server.media.workers[index];
  if (worker?.udpPort === undefined) throw new Error(`media worker ${index} has no UDP port (range mode, or not started)`);
  return { udp: worker.udpPort, tcp: worker.tcpPort };
}

/** Polls an async check until it holds, or throws after `timeoutMs` with `what` (evaluated at the timeout). */
export async function waitUntilAsync(check: () => Promise<boolean>, timeoutMs: number, what: () => Promise<string> | string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${await what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
