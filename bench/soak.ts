/**
 * The benchmark's long mode (`BENCH_SOAK_S=600 npm run bench`): a server
 * hosting class after class for BENCH_SOAK_S seconds, to show that what it
 * holds does not grow with time. Two classes of SOAK_CLASS_SIZE bots overlap
 * at any moment; each lasts SOAK_CLASS_S and ends abruptly (no goodbye, as
 * crashed browsers: the server holds each participant for its resume
 * grace). Every 10 s the server's RSS, open file descriptors, peer
 * connections, demultiplexer sessions and event-loop delay are sampled.
 *
 * Reads in the JSON: `rssMb.growthMb` is the mean of the last minute minus
 * the mean of the first minute after warm-up; `fds` and `mediaSessions` at
 * the end say whether anything leaked; `eventLoopDelayMs` is the worst 10 s
 * window.
 */
import { readdirSync } from 'node:fs';
import type { Child } from './child.js';
import type { BotReply, ServerChildMessage } from './ipc.js';
import { rssMb } from './proc.js';

const SOAK_CLASS_SIZE = 4;
const SOAK_CLASS_S = 20;
const SAMPLE_EVERY_MS = 10_000;

export interface SoakSample {
  /** Seconds since the soak started. */
  t: number;
  rssMb: number;
  fds: number;
  peerConnections: number;
  mediaSessions: number;
  participants: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const round = (v: number): number => Math.round(v * 10) / 10;

export async function soak(
  seconds: number,
  url: string,
  server: Child<ServerChildMessage>,
  bots: Child<BotReply>,
  log: (text: string) => void,
): Promise<Record<string, unknown>> {
  const started = Date.now();
  const samples: SoakSample[] = [];
  const sample = async (): Promise<void> => {
    const s = await server.request({ type: 'stats' }, 'stats', 5000);
    samples.push({
      t: Math.round((Date.now() - started) / 1000),
      rssMb: rssMb(server.pid),
      fds: readdirSync(`/proc/${server.pid}/fd`).length,
      peerConnections: s.media.peerConnectionsOpen,
      mediaSessions: s.mediaSessions,
      participants: s.participants,
      loopDelayP99Ms: s.loopDelayMs.p99,
      loopDelayMaxMs: s.loopDelayMs.max,
    });
  };
  await sample();
  // Two classes overlap: every half class length, the older one crashes and a new one starts.
  const running: string[] = [];
  let classes = 0;
  let nextSample = Date.now() + SAMPLE_EVERY_MS;
  while (Date.now() - started < seconds * 1000) {
    const room = `soak-${classes++}`;
    await bots.request({ type: 'join', url, room, count: SOAK_CLASS_SIZE, videoKbps: 300, fps: 15 }, 'joined', 60_000);
    running.push(room);
    if (running.length > 2) await bots.request({ type: 'leave', room: running.shift()!, abrupt: true }, 'left', 20_000);
    const until = Date.now() + (SOAK_CLASS_S * 1000) / 2;
    while (Date.now() < until) {
      if (Date.now() >= nextSample) {
        await sample();
        nextSample += SAMPLE_EVERY_MS;
        const last = samples.at(-1)!;
        log(`soak ${last.t} s: ${classes} classes, RSS ${last.rssMb} MB, ${last.fds} fds, loop p99 ${last.loopDelayP99Ms} ms`);
      }
      await sleep(200);
    }
  }
  await bots.request({ type: 'leave', abrupt: true }, 'left', 20_000);
  // Held sessions expire after the resume grace (10 s): then the server should be back to idle.
  await sleep(15_000);
  await sample();
  const end = samples.at(-1)!;
  const firstMinute = samples.filter((s) => s.t > 0 && s.t <= 60 + SAMPLE_EVERY_MS / 1000);
  const lastMinute = samples.slice(0, -1).filter((s) => s.t >= samples.at(-2)!.t - 60);
  return {
    seconds: Math.round((Date.now() - started) / 1000),
    classes,
    classSize: SOAK_CLASS_SIZE,
    classSeconds: SOAK_CLASS_S,
    rssMb: {
      idleAtStart: samples[0]!.rssMb,
      firstMinuteMean: round(mean(firstMinute.map((s) => s.rssMb))),
      lastMinuteMean: round(mean(lastMinute.map((s) => s.rssMb))),
      growthMb: round(mean(lastMinute.map((s) => s.rssMb)) - mean(firstMinute.map((s) => s.rssMb))),
      max: Math.max(...samples.map((s) => s.rssMb)),
      idleAtEnd: end.rssMb,
    },
    fds: { idleAtStart: samples[0]!.fds, max: Math.max(...samples.map((s) => s.fds)), idleAtEnd: end.fds },
    eventLoopDelayMs: { worstP99: Math.max(...samples.map((s) => s.loopDelayP99Ms)), worstMax: Math.max(...samples.map((s) => s.loopDelayMaxMs)) },
    atEnd: { peerConnections: end.peerConnections, mediaSessions: end.mediaSessions, participants: end.participants },
    samples,
  };
}
