/**
 * The media workers of this process (MEDIA_WORKERS, issue 14): starts them,
 * replaces one that dies or blocks, and adds up what they report for
 * /metrics, /readyz and the bench. Which worker a room goes to is decided
 * above (src/service/media-placement.ts), from the loads kept here.
 */
import { TypedEmitter } from '../../util/typed-emitter.js';
import type { MediaCounters } from '../media-stats.js';
import { MediaWorker } from './media-worker.js';
import type { WorkerInspection, WorkerSettings } from './worker-protocol.js';

/** How often workers are checked for a blocked event loop (media-worker.ts WORKER_STALL_MS). */
const WATCH_MS = 1000;
/** How long a /metrics scrape waits for a worker's fresh figures before it takes its last report. */
const REFRESH_TIMEOUT_MS = 500;
/** A replacement waits at least this long after its predecessor died, so a worker that dies at start cannot spin. */
const RESTART_DELAY_MS = 1000;

export interface MediaWorkerPoolEvents {
  /** A worker died: its rooms are being moved (their routers emitted `workerLost`). */
  workerDied: [index: number, reason: string];
  /** Its replacement is up, on the same ports. */
  workerReplaced: [index: number];
  /** A replacement could not start (it is tried again). */
  workerStartFailed: [index: number, reason: string];
}

type Totals = Omit<MediaCounters, 'peerConnectionsOpen'>;

export class MediaWorkerPool extends TypedEmitter<MediaWorkerPoolEvents> {
  /** The current worker at each index (a replacement takes its predecessor's place at once, while it starts). */
  readonly workers: MediaWorker[] = [];
  /** Workers replaced since start. */
  restarts = 0;
  /** What dead workers had counted, so that the process's totals never go down. */
  readonly #retired: { counters: Totals; dropped: Record<string, number>; tcpClosed: Record<string, number> } = {
    counters: { packetsReceived: 0, bytesReceived: 0, packetsForwarded: 0, bytesForwarded: 0, keyframeRequests: 0, sendErrors: 0 },
    dropped: {},
    tcpClosed: {},
  };
  #watch: NodeJS.Timeout | undefined;
  #closed = false;

  /** `transports[i]`: worker i's ports (its own UDP and TCP port in single mode). */
  constructor(private readonly transports: readonly WorkerSettings['transport'][]) {
    super();
    if (transports.length < 1) throw new Error('MEDIA_WORKERS must be at least 1');
  }

  /** Starts every worker; rejects (and stops the ones that started) if one cannot bind its ports. */
  async start(): Promise<void> {
    const workers = this.transports.map((transport, index) => this.adopt(new MediaWorker({ index, transport })));
    this.workers.push(...workers);
    const results = await Promise.allSettled(workers.map((w) => w.start()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.close();
      throw failed.reason as Error;
    }
    let lastWatch = Date.now();
    this.#watch = setInterval(() => {
      const now = Date.now();
      const late = now - lastWatch - WATCH_MS;
      lastWatch = now;
      // This thread itself was blocked (a long synchronous task, a debugger): the workers' reports are
      // still queued behind this timer, so their silence says nothing yet. Look again next time.
      if (late > WATCH_MS) return;
      for (const worker of this.workers) worker.checkAlive(now);
    }, WATCH_MS);
    this.#watch.unref();
  }

  /** Workers taking rooms. */
  usableWorkers(): MediaWorker[] {
    return this.workers.filter((w) => w.usable);
  }

  /** Each worker for /readyz: whether it runs, what it carries, how busy its loop was over its last second. */
  summary(): { index: number; up: boolean; rooms: number; participants: number; eventLoopUtilization: number | null }[] {
    return this.workers.map((w) => ({
      index: w.index,
      up: w.running,
      rooms: w.routers.size,
      participants: w.load?.peers ?? 0,
      eventLoopUtilization: w.load ? Math.round(w.load.elu * 1000) / 1000 : null,
    }));
  }

  /** Every worker's counters since this process started, dead ones included. */
  counters(): MediaCounters {
    const sum: MediaCounters = { ...this.#retired.counters, peerConnectionsOpen: 0 };
    for (const worker of this.workers) {
      const c = worker.load?.counters;
      if (!c) continue;
      for (const key of Object.keys(sum) as (keyof MediaCounters)[]) sum[key] += c[key];
    }
    return sum;
  }

  /** Media paths by transport, all workers. */
  sessionCounts(): Record<string, number> {
    return addUp(this.workers.map((w) => w.load?.sessions ?? {}));
  }

  /** The media ports' refusals, all workers, dead ones included. */
  refusals(): { dropped: Record<string, number>; tcpClosed: Record<string, number> } {
    return {
      dropped: addUp([this.#retired.dropped, ...this.workers.map((w) => w.load?.dropped ?? {})]),
      tcpClosed: addUp([this.#retired.tcpClosed, ...this.workers.map((w) => w.load?.tcpClosed ?? {})]),
    };
  }

  /** Asks every running worker for its load now (a /metrics scrape reads fresh counters, not up to a second old). */
  async refresh(): Promise<void> {
    await Promise.all(
      this.workers.filter((w) => w.running).map(async (w) => {
        // A worker whose loop is blocked does not answer: the scrape takes its last report instead of waiting for it.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), REFRESH_TIMEOUT_MS)));
        const load = await Promise.race([w.request({ type: 'load' }).catch(() => undefined), late]);
        clearTimeout(timer);
        if (load && w.running) w.load = load;
      }),
    );
  }

  /** Each worker's resources (tests: everything must be released after rooms close). */
  inspect(): Promise<WorkerInspection[]> {
    return Promise.all(this.usableWorkers().map((w) => w.request({ type: 'inspect' })));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watch);
    await Promise.all(this.workers.map((w) => w.close()));
  }

  private adopt(worker: MediaWorker): MediaWorker {
    worker.once('died', (reason) => this.replace(worker, reason));
    return worker;
  }

  /** Puts a new worker in a dead one's place at once (rooms can be placed on it while it starts) and starts it once the old thread released its ports. */
  private replace(dead: MediaWorker, reason: string): void {
    if (this.#closed || this.workers[dead.index] !== dead) return;
    const c = dead.load?.counters;
    if (c) for (const key of Object.keys(this.#retired.counters) as (keyof Totals)[]) this.#retired.counters[key] += c[key];
    Object.assign(this.#retired, {
      dropped: addUp([this.#retired.dropped, dead.load?.dropped ?? {}]),
      tcpClosed: addUp([this.#retired.tcpClosed, dead.load?.tcpClosed ?? {}]),
    });
    const successor = this.adopt(new MediaWorker(onSamePorts(dead)));
    this.workers[dead.index] = successor;
    this.restarts++;
    this.emit('workerDied', dead.index, reason);
    const diedAt = Date.now();
    const startWhenFree = (): void => {
      const wait = Math.max(0, diedAt + RESTART_DELAY_MS - Date.now());
      setTimeout(() => {
        if (this.#closed || !successor.usable) return;
        successor.start().then(
          () => this.emit('workerReplaced', dead.index),
          (error: Error) => this.emit('workerStartFailed', dead.index, error.message),
        );
      }, wait).unref();
    };
    // Its ports are free once its thread is gone (a blocked one is being terminated); one that never
    // started a thread (a replacement killed while waiting) has none to wait for.
    if (dead.hasThread) dead.once('exited', startWhenFree);
    else startWhenFree();
  }
}

/** A replacement's settings: the ports its predecessor had bound, also when they were chosen at random (port 0), so firewall rules and advertised candidates stay true. */
function onSamePorts(dead: MediaWorker): WorkerSettings {
  const t = dead.settings.transport;
  if (t.mode !== 'single') return dead.settings;
  return {
    ...dead.settings,
    transport: { mode: 'single', mux: { ...t.mux, udpPort: dead.udpPort ?? t.mux.udpPort, tcpPort: t.mux.tcpPort === undefined ? undefined : (dead.tcpPort ?? t.mux.tcpPort) } },
  };
}

function addUp(records: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const record of records) for (const [key, n] of Object.entries(record)) sum[key] = (sum[key] ?? 0) + n;
  return sum;
}
