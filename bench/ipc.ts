/** Messages between the benchmark runner and its two child processes (Node IPC). */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MediaKind } from '../src/protocol/messages.js';

export type ServerChildMessage =
  | { type: 'ready'; port: number }
  | {
      type: 'stats';
      media: { packetsReceived: number; bytesReceived: number; packetsForwarded: number; bytesForwarded: number; peerConnectionsOpen: number };
      participants: number;
      /** Media paths through the demultiplexer (the soak watches that they go away). */
      mediaSessions: number;
      loopDelayMs: LoopDelay;
      /** process.memoryUsage() in MB: where the RSS sits (JS heap, Buffers outside it). */
      memoryMb: { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
      /** Each media worker now: its thread's CPU and event loop since it started (the runner takes differences over the window). */
      workers: WorkerFigures[];
    }
  | { type: 'heapSnapshot'; path: string }
  | { type: 'allocationProfile'; path: string };

/** Runner → server child. */
export type ServerCommand =
  | { type: 'stats' }
  | { type: 'stop' }
  | { type: 'heapSnapshot'; dir: string }
  /** Sampled allocations, freed ones included, from `start` to `stop` (where the garbage comes from). */
  | { type: 'allocationProfile'; action: 'start' }
  | { type: 'allocationProfile'; action: 'stop'; dir: string };

export type BotCommand =
  /** `lastN`: each bot asks for the video of at most that many others (receive-video), as a page with #config.channelLastN does. */
  | { type: 'join'; url: string; room: string; count: number; videoKbps: number; fps: number; lastN?: number }
  /**
   * A class (bench/large-class.ts): the first bot is the teacher, the others students who join muted
   * (`studentsMuted`, as in a lecture). `receive` absent: nobody sends receive-video (the server's
   * default, everyone's video at full size); present: students put the teacher on stage and see the
   * rest as thumbnails of `thumbnailHeight` px, at most `studentLastN` videos; the teacher sees
   * everyone (`teacherLastN`) as thumbnails.
   */
  | {
      type: 'join-class';
      url: string;
      room: string;
      count: number;
      videoKbps: number;
      fps: number;
      simulcast: boolean;
      studentsMuted: boolean;
      /** Bots joining at once after the teacher (a class arrives within a minute; the run must stay short). */
      batch: number;
      receive?: { studentLastN: number; teacherLastN: number; thumbnailHeight: number };
    }
  | { type: 'stats' }
  /** Without `room`: every bot. `abrupt`: close without a goodbye, as a crashed browser (the server holds the session for a resume). */
  | { type: 'leave'; room?: string; abrupt?: boolean };

/** Event-loop delay since the previous stats request: a stalled loop drops media. */
export interface LoopDelay {
  p99: number;
  max: number;
}

export interface Totals {
  packets: number;
  bytes: number;
  /** Received side only: packets the sequence numbers say were sent. */
  expected: number;
  /** Received side only: repeats of packets already counted. */
  duplicates: number;
}

export type BotReply =
  | { type: 'joined'; joinMs: number[] }
  | {
      type: 'stats';
      received: Record<MediaKind, Totals>;
      sent: Record<MediaKind, Totals>;
      /** Per (receiver, sender) pair: ms from when both could have media to the receiver's first keyframe. */
      firstFrameMs: number[];
      pairsWithoutKeyframe: number;
      unattributed: number;
      loopDelayMs: LoopDelay;
      /** Per bot, in join order: what it received (payload bytes, packets), for per-subscriber figures. */
      perBot: { received: { packets: number; bytes: number } }[];
      /** Packets the bots sent that the server should forward to everyone else: video, and audio unless muted. */
      forwardablePackets: number;
      /** Simulcast layers sent, summed over the bots, by rid; `active`: bots sending that layer now. */
      videoLayers: Record<string, { packets: number; bytes: number; keyframes: number; pauses: number; active: number }>;
      /** (receiver, sender) pairs with video in the last 2 s, by the picture size of their last keyframe, e.g. {"160x120": 551}. */
      receivedPictureSizes: Record<string, number>;
    }
  | { type: 'left' }
  | { type: 'failed'; error: string };

/** Starts measuring this process's event-loop delay; each call of the result reads and resets it. */
export function loopDelayMeter(): () => LoopDelay {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return () => {
    const value = { p99: Math.round(histogram.percentile(99) / 1e5) / 10, max: Math.round(histogram.max / 1e5) / 10 };
    histogram.reset();
    return value;
  };
}

/** The compiled (.js) or tsx-run (.ts) sibling of the calling module. */
export function sibling(importMetaUrl: string, name: string): string {
  const ext = importMetaUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, importMetaUrl).pathname;
}

/** One media worker as the server child reports it (src/media/worker/worker-protocol.ts WorkerInspection). */
export interface WorkerFigures {
  index: number;
  /** CPU time of its thread since it started, µs (/proc/thread-self/stat); undefined off Linux. */
  cpuMicros: number | undefined;
  /** performance.eventLoopUtilization() since it started, ms. */
  eventLoop: { active: number; idle: number };
  rooms: number;
  participants: number;
  packetsForwarded: number;
}
