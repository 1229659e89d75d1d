/** One reading of the server and bot children, and the arithmetic the runners share. */
import type { Child } from './child.js';
import type { BotReply, ServerChildMessage, WorkerFigures } from './ipc.js';
import { cpuSeconds, udpDrops } from './proc.js';

export type StatsReply = Extract<BotReply, { type: 'stats' }>;
type ServerStats = Extract<ServerChildMessage, { type: 'stats' }>;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;

export interface Sample {
  at: number;
  server: ServerStats;
  bots: StatsReply;
  serverCpu: number;
  botsCpu: number;
  serverDrops: number;
  botsDrops: number;
}

export async function sample(server: Child<ServerChildMessage>, bots: Child<BotReply>): Promise<Sample> {
  const [s, b] = await Promise.all([server.request({ type: 'stats' }, 'stats', 5000), bots.request({ type: 'stats' }, 'stats', 5000)]);
  return {
    at: performance.now(),
    server: s,
    bots: b,
    serverCpu: cpuSeconds(server.pid),
    botsCpu: cpuSeconds(bots.pid),
    serverDrops: udpDrops(server.pid),
    botsDrops: udpDrops(bots.pid),
  };
}

/**
 * Each media worker's share of the window: its thread's CPU (from its own
 * /proc/thread-self/stat, so % of one core like the process figure), its
 * event-loop utilisation, and what it carried at the end.
 */
export function workerShares(before: readonly WorkerFigures[], after: readonly WorkerFigures[], seconds: number) {
  return after.map((w) => {
    const a = before.find((x) => x.index === w.index);
    const cpu = a?.cpuMicros !== undefined && w.cpuMicros !== undefined ? ((w.cpuMicros - a.cpuMicros) / 1e6 / seconds) * 100 : null;
    const active = w.eventLoop.active - (a?.eventLoop.active ?? 0);
    const idle = w.eventLoop.idle - (a?.eventLoop.idle ?? 0);
    return {
      index: w.index,
      cpuPercentOfOneCore: cpu === null ? null : round(cpu),
      eventLoopUtilization: active + idle > 0 ? round(active / (active + idle), 3) : null,
      forwardedPacketsPerSecond: round((w.packetsForwarded - (a?.packetsForwarded ?? 0)) / seconds),
      rooms: w.rooms,
      participants: w.participants,
    };
  });
}
