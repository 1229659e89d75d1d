/**
 * Which media worker a room starts on (issue 14): the least loaded one.
 *
 * Load is the worker's event-loop utilisation over its last second (every
 * packet it forwards shows there; packets/s alone would rate an audio-only
 * class like a video one of the same packet rate, and ELU sees the cost of
 * SRTP and RTCP too), plus a charge for each room placed on it in the last
 * RECENT_PLACEMENT_MS: classes start on the hour, all within seconds, before
 * any of them shows as load. Ties go to the worker with fewer rooms, then the
 * lower index.
 */
import type { MediaWorker } from '../media/worker/media-worker.js';
import type { RemoteRouter } from '../media/worker/remote-router.js';

/** A room placed this recently counts as load already: a class of 10 with cameras takes its worker to ~0.5 ELU within seconds. */
export const RECENT_PLACEMENT_MS = 10_000;
/** What one recently placed room is taken to weigh, in ELU. */
const RECENT_PLACEMENT_LOAD = 0.15;

/** What placement reads of a worker. */
export interface WorkerLoadView {
  readonly index: number;
  /** 0..1; undefined before its first report (a new worker: idle). */
  readonly elu: number | undefined;
  readonly routers: number;
  /** ms timestamps of its recent placements. */
  readonly placedAt: readonly number[];
}

/** The score placement minimises (ELU units). */
export function workerScore(w: WorkerLoadView, now: number): number {
  const recent = w.placedAt.filter((t) => now - t < RECENT_PLACEMENT_MS).length;
  return (w.elu ?? 0) + recent * RECENT_PLACEMENT_LOAD;
}

/** The least loaded of `workers` (not empty). */
export function leastLoaded<W extends WorkerLoadView>(workers: readonly W[], now: number): W {
  let best: W | undefined;
  let bestScore = Infinity;
  for (const w of workers) {
    const score = workerScore(w, now);
    if (best === undefined || score < bestScore - 1e-9 || (Math.abs(score - bestScore) <= 1e-9 && w.routers < best.routers)) {
      best = w;
      bestScore = score;
    }
  }
  if (!best) throw new Error('no media worker to place a room on');
  return best;
}

/** Places rooms on the pool's workers. */
export class MediaPlacement {
  constructor(private readonly workers: () => readonly MediaWorker[]) {}

  /**
   * A router for the room on the least loaded running worker; on one still
   * starting (a replacement) only when none runs, as after the only worker
   * died: a room moving off a dead worker is back sooner on a running one.
   * Throws when there is no worker at all.
   */
  createRouter(roomKey: string): RemoteRouter {
    const router = this.createRouterAvoiding(roomKey, new Set());
    if (!router) throw new Error('no media worker to place a room on');
    return router;
  }

  /**
   * Another router for a room that outgrew its workers, on the least loaded
   * running worker the room is not on yet (`avoid`: worker indexes);
   * undefined when it is on all of them.
   */
  createRouterAvoiding(roomKey: string, avoid: ReadonlySet<number>): RemoteRouter | undefined {
    const now = Date.now();
    const all = this.workers().filter((w) => !avoid.has(w.index));
    const running = all.filter((w) => w.running);
    if (avoid.size > 0 && running.length === 0) return undefined;
    const candidates = running.length > 0 ? running : all.filter((w) => w.usable);
    if (candidates.length === 0) return undefined;
    const views = candidates
      .map((worker) => {
        // Old placements no longer count: keep the list short.
        while (worker.placedAt.length > 0 && now - worker.placedAt[0]! >= RECENT_PLACEMENT_MS) worker.placedAt.shift();
        return { worker, index: worker.index, elu: worker.load?.elu, routers: worker.routers.size, placedAt: worker.placedAt };
      });
    return leastLoaded(views, now).worker.createRouter(roomKey);
  }
}
