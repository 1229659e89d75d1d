/**
 * `npm run bench`: SFU cost on this machine, loopback only.
 *
 * Starts the server (bench/server.ts) and a separate bot process
 * (bench/bots.ts); for each room size N, N bots join one room one after
 * another, each publishing ~500 kbit/s VP8-like video at 25 fps plus Opus;
 * after a warm-up we measure for a fixed window. Prints one JSON document
 * to stdout; progress goes to stderr. A size that fails is reported as such
 * and the next one runs; `capacity` is the largest size that held.
 *
 *   npm run bench                      the size sweep (BENCH_SIZES, default 2,4,8,12)
 *   npm run bench -- --peer janus      then the same sizes on the reference peer (peer.ts), ratios in the JSON
 *   BENCH_ROOMS=R                      R rooms of N at once (bots spread over them), e.g. to load several media workers
 *   BENCH_LAST_N=K                     every bot receives the video of at most K others (last-N), audio from all
 *   MEDIA_WORKERS=W                    the server's media workers (default: the number of cores); sfu.workers[] has each one's share
 *   BENCH_SOAK_S=600 npm run bench     the long mode (soak.ts) instead of the sweep
 *   BENCH_SCENARIO=large-class         a class of 30 with simulcast, thumbnails and last-N, then without (large-class.ts)
 *   BENCH_CPU_PROF=<dir>               the server runs with --cpu-prof into <dir> (profile before optimising)
 *   BENCH_SERVER_NODE_ARGS="..."       extra node options for the server only (e.g. "--heap-prof --heap-prof-dir=/tmp/h", "--trace-gc")
 *   BENCH_ALLOCATION_PROFILE=<dir>     the server samples its allocations (freed ones too) during each measured window into <dir>
 *   BENCH_HEAP_SNAPSHOT=<dir>          after each size's measured window the server writes a V8 heap snapshot into <dir>
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Child } from './child.js';
import { runPeer, type PeerFigures } from './peer.js';
import { sibling, type BotReply, type ServerChildMessage } from './ipc.js';
import { median, percentile, rssMb } from './proc.js';
import { round, sample, sleep, workerShares, type Sample } from './sample.js';
import { largeClass, largeClassSettings } from './large-class.js';
import { LOOPBACK_SERVER_ENV } from '../src/config/loopback-env.js';
import { measureResume } from './resume.js';
import { soak } from './soak.js';

const SIZES = (process.env.BENCH_SIZES ?? '2,4,8,12').split(',').map(Number);
/** BENCH_LAST_N: every bot receives the video of at most this many others (audio from all); unset: the server's CHANNEL_LAST_N (the bench sets -1). */
const LAST_N = process.env.BENCH_LAST_N === undefined ? undefined : Number(process.env.BENCH_LAST_N);
/** BENCH_ROOMS: rooms of each size at once. */
const ROOMS = Math.max(1, Number(process.env.BENCH_ROOMS ?? 1));
const WARMUP_MS = Number(process.env.BENCH_WARMUP_S ?? 3) * 1000;
const MEASURE_MS = Number(process.env.BENCH_MEASURE_S ?? 10) * 1000;
const VIDEO_KBPS = 500;
const FPS = 25;
/** BENCH_SOAK_S: the long mode (bench/soak.ts) instead of the size sweep. */
const SOAK_S = Number(process.env.BENCH_SOAK_S ?? 0);
/** `--peer janus`: measure the reference peer on the same sizes right after Confab. */
const PEER = process.argv.includes('--peer') ? process.argv[process.argv.indexOf('--peer') + 1] : undefined;
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF;
const HEAP_SNAPSHOT_DIR = process.env.BENCH_HEAP_SNAPSHOT;
const ALLOCATION_PROFILE_DIR = process.env.BENCH_ALLOCATION_PROFILE;
/** A size is held when repair leaves at most this much loss and the server's event loop keeps up. */
const HELD = { lossAfterRepairPercent: 1, eventLoopP99Ms: 50 };
/** BENCH_SCENARIO=large-class: the class of 30 with and without simulcast (large-class.ts) instead of the sweep. */
const SCENARIO = process.env.BENCH_SCENARIO ?? 'sizes';
if (SCENARIO !== 'sizes' && SCENARIO !== 'large-class') throw new Error(`BENCH_SCENARIO must be sizes or large-class, not ${SCENARIO}`);
const DEADLINE_MS = SCENARIO === 'large-class' ? 300_000 : SOAK_S > 0 ? (SOAK_S + 120) * 1000 : SIZES.length * (45_000 + (PEER ? 40_000 : 0)) + 60_000;

const log = (text: string): void => void process.stderr.write(`bench: ${text}\n`);
async function measure(n: number, url: string, server: Child<ServerChildMessage>, bots: Child<BotReply>): Promise<Record<string, unknown>> {
  log(`N=${n}: joining${ROOMS > 1 ? ` ${ROOMS} rooms` : ''}`);
  const joinMs: number[] = [];
  for (let r = 0; r < ROOMS; r++) {
    const room = ROOMS > 1 ? `bench-${n}-${r}` : `bench-${n}`;
    joinMs.push(...(await bots.request({ type: 'join', url, room, count: n, videoKbps: VIDEO_KBPS, fps: FPS, ...(LAST_N === undefined ? {} : { lastN: LAST_N }) }, 'joined', 20_000 + n * 5000)).joinMs);
  }
  await sleep(WARMUP_MS);
  const a = await sample(server, bots);
  log(`N=${n}: measuring ${MEASURE_MS / 1000} s`);
  if (ALLOCATION_PROFILE_DIR) server.send({ type: 'allocationProfile', action: 'start' });
  await sleep(MEASURE_MS);
  const b = await sample(server, bots);
  if (ALLOCATION_PROFILE_DIR) {
    const { path } = await server.request({ type: 'allocationProfile', action: 'stop', dir: ALLOCATION_PROFILE_DIR }, 'allocationProfile', 30_000);
    log(`N=${n}: allocation profile ${path}`);
  }
  const serverRss = rssMb(server.pid);
  const botsRss = rssMb(bots.pid);
  if (HEAP_SNAPSHOT_DIR) log(`N=${n}: heap snapshot ${(await server.request({ type: 'heapSnapshot', dir: HEAP_SNAPSHOT_DIR }, 'heapSnapshot', 120_000)).path}`);
  await bots.request({ type: 'leave' }, 'left', 20_000);

  const seconds = (b.at - a.at) / 1000;
  const rate = (x: number, y: number): number => (y - x) / seconds;
  const fwdPps = rate(a.server.media.packetsForwarded, b.server.media.packetsForwarded);
  const fwdMbps = (rate(a.server.media.bytesForwarded, b.server.media.bytesForwarded) * 8) / 1e6;
  const inPps = rate(a.server.media.packetsReceived, b.server.media.packetsReceived);
  const recvPackets = (s: Sample): number => s.bots.received.audio.packets + s.bots.received.video.packets;
  const recvBytes = (s: Sample): number => s.bots.received.audio.bytes + s.bots.received.video.bytes;
  const expected = (s: Sample): number => s.bots.received.audio.expected + s.bots.received.video.expected;
  const duplicates = (s: Sample): number => s.bots.received.audio.duplicates + s.bots.received.video.duplicates;
  const sentPackets = (s: Sample): number => s.bots.sent.audio.packets + s.bots.sent.video.packets;
  const botsPps = rate(recvPackets(a), recvPackets(b));
  const serverCpu = ((b.serverCpu - a.serverCpu) / seconds) * 100;
  const botsCpu = ((b.botsCpu - a.botsCpu) / seconds) * 100;
  const firstFrame = b.bots.firstFrameMs;
  const workers = workerShares(a.server.workers, b.server.workers, seconds);
  return {
    participants: n,
    rooms: ROOMS,
    lastN: LAST_N ?? -1,
    forwardedStreams: ROOMS * n * (n - 1) * 2,
    measuredSeconds: round(seconds, 2),
    sfu: {
      publishedPacketsPerSecond: round(inPps),
      forwardedPacketsPerSecond: round(fwdPps),
      forwardedMbitPerSecond: round(fwdMbps, 2),
      cpuPercentOfOneCore: round(serverCpu),
      cpuPercentPer1000ForwardedPacketsPerSecond: fwdPps > 0 ? round(serverCpu / (fwdPps / 1000), 2) : null,
      rssMb: serverRss,
      memoryMb: b.server.memoryMb,
      udpReceiveBufferDrops: b.serverDrops - a.serverDrops,
      eventLoopDelayMs: b.server.loopDelayMs,
      workers,
      mainThreadCpuPercentOfOneCore: workers.every((w) => w.cpuPercentOfOneCore !== null)
        ? round(serverCpu - workers.reduce((sum, w) => sum + (w.cpuPercentOfOneCore ?? 0), 0))
        : null,
    },
    bots: {
      sentPacketsPerSecond: round(rate(sentPackets(a), sentPackets(b))),
      sentPerParticipant: {
        audioPacketsPerSecond: round(rate(a.bots.sent.audio.packets, b.bots.sent.audio.packets) / n),
        videoPacketsPerSecond: round(rate(a.bots.sent.video.packets, b.bots.sent.video.packets) / n),
        videoKbps: round((rate(a.bots.sent.video.bytes, b.bots.sent.video.bytes) * 8) / 1000 / n),
      },
      // What full delivery would be: every packet sent reaches the N-1 others (under last-N, more than is asked for).
      idealReceivedPacketsPerSecond: round(rate(sentPackets(a), sentPackets(b)) * (n - 1)),
      receivedPacketsPerSecond: round(botsPps),
      receivedMbitPerSecond: round((rate(recvBytes(a), recvBytes(b)) * 8) / 1e6, 2),
      // What one participant's downlink carries (payload), the figure a home connection has to take.
      receivedMbitPerSecondPerParticipant: round((rate(recvBytes(a), recvBytes(b)) * 8) / 1e6 / (n * ROOMS), 2),
      receivedPacketsPerSecondPerParticipant: round(botsPps / (n * ROOMS)),
      // By sequence numbers, after NACK/RTX repair (video only; audio is never retransmitted).
      lossAfterRepairPercent: round((1 - (recvPackets(b) - recvPackets(a)) / Math.max(1, expected(b) - expected(a))) * 100, 2),
      duplicatePacketsPerSecond: round(rate(duplicates(a), duplicates(b))),
      cpuPercentOfOneCore: round(botsCpu),
      rssMb: botsRss,
      udpReceiveBufferDrops: b.botsDrops - a.botsDrops,
      eventLoopDelayMs: b.bots.loopDelayMs,
      unattributedPackets: b.bots.unattributed,
    },
    joinMs: { median: median(joinMs), max: Math.max(...joinMs) },
    joinToFirstRemoteFrameMs: {
      median: median(firstFrame),
      p95: percentile(firstFrame, 95),
      max: firstFrame.length ? Math.max(...firstFrame) : null,
      pairs: firstFrame.length,
      pairsWithoutKeyframe: b.bots.pairsWithoutKeyframe,
    },
  };
}

/** The V8 options `npm start` gives the server (package.json): the bench measures the server as it is run. */
function startNodeOptions(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((t) => t.startsWith('--'));
}

async function main(): Promise<void> {
  const started = Date.now();
  // Other work on the machine skews every figure: the report shows how busy it was.
  const loadAtStart = loadavg().map((v) => round(v, 2));
  const env = {
    ...process.env,
    ...LOOPBACK_SERVER_ENV,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    // Everyone's video unless BENCH_LAST_N asks otherwise: sizes compare with earlier sittings.
    CHANNEL_LAST_N: process.env.CHANNEL_LAST_N ?? '-1',
  };
  const serverArgv = [
    ...process.execArgv,
    ...startNodeOptions(),
    ...(CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []),
    ...(process.env.BENCH_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []),
  ];
  const server = new Child<ServerChildMessage>(sibling(import.meta.url, 'server'), env, serverArgv);
  let bots = new Child<BotReply>(sibling(import.meta.url, 'bots'), { ...process.env });
  const watchdog = setTimeout(() => {
    log(`still running after ${DEADLINE_MS / 1000} s: giving up`);
    server.process.kill('SIGKILL');
    bots.process.kill('SIGKILL');
    process.exit(1);
  }, DEADLINE_MS);
  try {
    const { port } = await server.next('ready', 15_000);
    const url = `http://127.0.0.1:${port}/`;
    const results: Record<string, unknown>[] = [];
    let resume: Awaited<ReturnType<typeof measureResume>> | undefined;
    let soaked: Record<string, unknown> | undefined;
    let classed: Record<string, unknown> | undefined;
    if (SCENARIO === 'large-class') {
      classed = await largeClass(url, server, bots, largeClassSettings(process.env, WARMUP_MS, MEASURE_MS), log);
    } else if (SOAK_S > 0) {
      log(`soak: ${SOAK_S} s of overlapping classes ending abruptly`);
      soaked = await soak(SOAK_S, url, server, bots, log);
    } else {
      for (const n of SIZES) {
        try {
          results.push(await measure(n, url, server, bots));
        } catch (error) {
          // One size failing (bots that could not connect on an overloaded machine) says something too: report it, go on.
          const message = error instanceof Error ? error.message : String(error);
          log(`N=${n}: failed: ${message}`);
          results.push({ participants: n, error: message });
          if (bots.process.exitCode !== null || bots.process.signalCode !== null) bots = new Child<BotReply>(sibling(import.meta.url, 'bots'), { ...process.env });
          else await bots.request({ type: 'leave', abrupt: true }, 'left', 20_000).catch(() => undefined);
        }
        // Let the previous room's peer connections close before the next size.
        for (let i = 0; i < 50 && (await server.request({ type: 'stats' }, 'stats', 5000)).media.peerConnectionsOpen > 0; i++) await sleep(100);
      }
      log('resume: 30 dropped connections');
      resume = await measureResume(url).catch((error: unknown) => ({ error: String(error) }) as never);
    }
    const peer = PEER && SOAK_S === 0 && SCENARIO === 'sizes' ? await comparePeer(PEER, results) : undefined;
    const cpu = cpus();
    const report = {
      benchmark: 'confab-sfu',
      date: new Date().toISOString(),
      machine: {
        cpuModel: cpu[0]?.model ?? 'unknown',
        cores: cpu.length,
        node: process.version,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: loadavg().map((v) => round(v, 2)),
      },
      method: {
        publishPerParticipant: { videoKbps: VIDEO_KBPS, fps: FPS, videoPacketMaxBytes: 1100, audioPacketsPerSecond: 50, audioPacketBytes: 80 },
        warmupSeconds: WARMUP_MS / 1000,
        serverNodeOptions: serverArgv,
        measureSeconds: MEASURE_MS / 1000,
        network: 'loopback (127.0.0.1) only',
        notes: [
          'Mbit/s counts RTP payload bytes (no RTP/SRTP/UDP headers).',
          'Bots count each sequence number once (repeats from spurious NACK repairs are duplicatePacketsPerSecond); lossAfterRepairPercent compares that count to the sequence-number span.',
          'udpReceiveBufferDrops: datagrams the kernel dropped at the process sockets (/proc/net/udp), before any repair.',
          'CPU is % of one core from /proc/<pid>/stat deltas over the measured window; the bots run in their own process.',
          'sfu.workers[]: each media worker thread measured by itself (/proc/thread-self/stat read in the thread, and performance.eventLoopUtilization()); mainThreadCpuPercentOfOneCore is the rest of the process: the main thread (signaling, conference) and V8\'s garbage-collection helper threads.',
          'joinToFirstRemoteFrameMs: per (receiver, sender) pair, from max(receiver join start, sender media connected) to the first VP8 keyframe received.',
          'resume: signaling only; dropToResumedMs runs from cutting the socket (no close frame) to the `resumed` answer on a new connection, handshake included.',
        ],
      },
      capacity: capacityOf(results),
      results,
      peer,
      resume,
      soak: soaked,
      largeClass: classed,
      totalSeconds: round((Date.now() - started) / 1000),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    clearTimeout(watchdog);
    if (server.process.connected) server.send({ type: 'stop' });
    await Promise.all([bots.stop(), server.stop()]);
  }
}

/** The largest size that held: measured, loss after repair within HELD, the server's event loop responsive. */
function capacityOf(results: readonly Record<string, unknown>[]): { participants: number | null; rule: string } {
  const held = results.filter((r) => {
    const sfu = r.sfu as { eventLoopDelayMs?: { p99: number } } | undefined;
    const bots = r.bots as { lossAfterRepairPercent?: number } | undefined;
    return r.error === undefined && (bots?.lossAfterRepairPercent ?? 100) <= HELD.lossAfterRepairPercent && (sfu?.eventLoopDelayMs?.p99 ?? Infinity) < HELD.eventLoopP99Ms;
  });
  return {
    participants: held.length > 0 ? Math.max(...held.map((r) => r.participants as number)) : null,
    rule: `largest size with loss after repair <= ${HELD.lossAfterRepairPercent} % and server event-loop p99 < ${HELD.eventLoopP99Ms} ms`,
  };
}

/** The reference peer on the same sizes, one right after the other, and Confab's cost over its cost. */
async function comparePeer(name: string, results: readonly Record<string, unknown>[]): Promise<Record<string, unknown>> {
  const sizes: { participants: number; peer: PeerFigures | { error: string }; cpuRatio: number | null; rssRatio: number | null }[] = [];
  for (const r of results) {
    if (r.error !== undefined) continue;
    const n = r.participants as number;
    log(`peer ${name}: N=${n}`);
    const peer = await runPeer(name, n, MEASURE_MS / 1000, WARMUP_MS / 1000).catch((error: unknown) => ({ error: String(error) }));
    const sfu = r.sfu as { cpuPercentPer1000ForwardedPacketsPerSecond: number | null; rssMb: number };
    const ok = 'cpuPercentPer1000ForwardedPacketsPerSecond' in peer;
    sizes.push({
      participants: n,
      peer,
      cpuRatio: ok && sfu.cpuPercentPer1000ForwardedPacketsPerSecond !== null ? round(sfu.cpuPercentPer1000ForwardedPacketsPerSecond / peer.cpuPercentPer1000ForwardedPacketsPerSecond, 2) : null,
      rssRatio: ok ? round(sfu.rssMb / peer.rssMb, 2) : null,
    });
  }
  return { name, note: 'cpuRatio and rssRatio are Confab / peer, measured one right after the other in this run', sizes };
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exitCode = 1;
});
