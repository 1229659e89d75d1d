/**
 * The SFU under benchmark: the real ConfabServer in its own process, with
 * an IPC channel to the runner instead of a public stats endpoint. The
 * runner reads CPU and RSS of this process from /proc.
 */
import { writeHeapSnapshot } from 'node:v8';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { ConfabServer } from '../src/server/confab-server.js';
import { createLogger } from '../src/util/log.js';
import { loopDelayMeter, type ServerChildMessage, type ServerCommand } from './ipc.js';

const loopDelay = loopDelayMeter();
const send = (message: ServerChildMessage): void => void process.send?.(message);

const config = loadConfig(process.env);
const server = new ConfabServer(config, createLogger(config.logLevel, process.stderr));
const port = await server.start();
send({ type: 'ready', port });

const mb = (bytes: number): number => Math.round(bytes / 1e5) / 10;

process.on('message', (message: ServerCommand) => {
  if (message.type === 'stats') void stats();
  else if (message.type === 'heapSnapshot') {
    // Blocks the loop for a few seconds: taken after the measured window, never inside it.
    send({ type: 'heapSnapshot', path: writeHeapSnapshot(join(message.dir, `confab-${process.pid}-${Date.now()}.heapsnapshot`)) });
  } else if (message.type === 'allocationProfile') {
    void allocationProfile(message);
  } else if (message.type === 'stop') {
    void server.close().then(() => process.exit(0));
  }
});
/** Fresh figures from every media worker (not their last once-a-second report): counters, thread CPU, event loop, rooms. */
async function stats(): Promise<void> {
  const workers = await server.media.inspect();
  const media = { ...workers[0]!.counters };
  for (const w of workers.slice(1)) for (const key of Object.keys(media) as (keyof typeof media)[]) media[key] += w.counters[key];
  const mediaSessions = workers.reduce((n, w) => n + Object.values(w.sessions).reduce((a, b) => a + b, 0), 0);
  const m = process.memoryUsage();
  const memoryMb = { heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
  const perWorker = workers.map((w) => ({ index: w.index, cpuMicros: w.cpuMicros, eventLoop: w.eventLoop, rooms: w.routers, participants: w.peers, packetsForwarded: w.counters.packetsForwarded }));
  send({ type: 'stats', media, participants: server.gateway.participantCount(), mediaSessions, loopDelayMs: loopDelay(), memoryMb, workers: perWorker });
}

// The runner going away must not leave an SFU behind.
process.on('disconnect', () => process.exit(0));

let inspector: Session | undefined;

/** V8's sampling heap profiler with collected objects kept: allocation sites by volume, not only what is still alive. */
async function allocationProfile(message: Extract<ServerCommand, { type: 'allocationProfile' }>): Promise<void> {
  if (message.action === 'start') {
    inspector = new Session();
    inspector.connect();
    await inspector.post('HeapProfiler.startSampling', {
      samplingInterval: 16384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    } as never);
    return;
  }
  if (!inspector) return;
  const { profile } = (await inspector.post('HeapProfiler.stopSampling')) as { profile: unknown };
  inspector.disconnect();
  inspector = undefined;
  const path = join(message.dir, `confab-${process.pid}-${Date.now()}.heapprofile`);
  writeFileSync(path, JSON.stringify(profile));
  send({ type: 'allocationProfile', path });
}
