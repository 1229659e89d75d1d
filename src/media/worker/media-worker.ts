/**
 * The main thread's handle on one media worker thread (issue 14): starts
 * it, carries requests and their replies, hands its routers their events,
 * keeps its last load report, and notices when it dies or stops answering.
 *
 * Two ways to end, as mediasoup's Worker has: `close()` (we stop it) and
 * `died` (it crashed, exited, or its event loop stalled for WORKER_STALL_MS
 * and we terminated it). Either way its routers are lost: `died` is what
 * lets the layers above move their rooms to a healthy worker.
 */
import { assertNever } from '../../protocol/dispatch.js';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { TypedEmitter } from '../../util/typed-emitter.js';
import { RemoteRouter } from './remote-router.js';
import type { ReplyOf, WorkerEnvelope, WorkerLoad, WorkerMessage, WorkerRequest, WorkerSettings } from './worker-protocol.js';

/** A worker whose event loop has not reported for this long is blocked: it is terminated and replaced (issue 14). */
export const WORKER_STALL_MS = 5000;
/** How long a worker is given to close its sockets and exit before it is terminated. */
const SHUTDOWN_MS = 1000;
/** How long a worker may take to bind its ports and say it is ready. */
const START_TIMEOUT_MS = 15_000;

export interface MediaWorkerEvents {
  /** It crashed, exited or stalled: its routers are lost (each emits `workerLost`). */
  died: [reason: string];
  /** Its thread is gone (after `died` or `close()`): its ports are free again. */
  exited: [];
  load: [WorkerLoad];
}

/** The thread's entry: the build's, or the TypeScript source under tsx (tests), which registers tsx in the thread first. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = new URL(FROM_SOURCE ? './media-worker-thread.ts' : './media-worker-thread.js', import.meta.url);

function spawnThread(options: WorkerOptions): Worker {
  if (!FROM_SOURCE) return new Worker(ENTRY, options);
  // Node 20 does not apply the parent's `--import tsx` hooks to a worker's entry: register them in the thread.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(ENTRY.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class MediaWorker extends TypedEmitter<MediaWorkerEvents> {
  readonly routers = new Map<string, RemoteRouter>();
  /** Its last load report; undefined until the first (about a second after start). */
  load: WorkerLoad | undefined;
  udpPort: number | undefined;
  tcpPort: number | undefined;
  /** Its pipe socket's port (127.0.0.1), where other workers send it the producers they pipe to it. */
  pipePort: number | undefined;
  /** When rooms were last placed here (ms timestamps), so that rooms starting together spread out before any load shows. */
  readonly placedAt: number[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #thread: Worker | undefined;
  /** Requests made before the thread exists (a replacement waits for its predecessor's ports). */
  #queued: WorkerEnvelope[] | undefined = [];
  #lastHeardAt = Date.now();
  #state: 'starting' | 'running' | 'dead' | 'closed' = 'starting';
  readonly #ready: Promise<void>;
  #readyResolve!: () => void;
  #readyReject!: (error: Error) => void;

  constructor(readonly settings: WorkerSettings) {
    super();
    this.#ready = new Promise((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    // Nobody may be waiting yet (a replacement): a failed start is reported through `died`.
    this.#ready.catch(() => undefined);
  }

  get index(): number {
    return this.settings.index;
  }

  /** Whether its thread was started (a replacement waits for its predecessor's ports first). */
  get hasThread(): boolean {
    return this.#thread !== undefined;
  }

  /** Started: its ports are bound and it answers. */
  get running(): boolean {
    return this.#state === 'running';
  }

  /** Taking rooms: started or starting, not dead or closed. */
  get usable(): boolean {
    return this.#state === 'starting' || this.#state === 'running';
  }

  /** Starts the thread; resolves once its ports are bound. Rejects with the worker's own reason (a port in use). */
  start(): Promise<void> {
    const thread = spawnThread({ workerData: this.settings, name: `confab-media-${this.index}` });
    this.#thread = thread;
    thread.on('message', (message: WorkerMessage) => this.onMessage(message));
    thread.on('error', (error) => this.die(`worker ${this.index} crashed: ${error.message}`));
    thread.on('exit', (code) => {
      this.die(`worker ${this.index} exited with code ${code}`);
      this.emit('exited');
      this.removeAllListeners();
    });
    for (const envelope of this.#queued ?? []) thread.postMessage(envelope);
    this.#queued = undefined;
    const timer = setTimeout(() => this.die(`worker ${this.index} did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    return this.#ready.finally(() => clearTimeout(timer));
  }

  /** A request with its reply; rejects with the worker's error, or when the worker dies first. */
  request<T extends WorkerRequest['type']>(request: Extract<WorkerRequest, { type: T }>): Promise<ReplyOf<T>> {
    if (!this.usable) return Promise.reject(new Error(`media worker ${this.index} is ${this.#state}`));
    const id = this.#nextId++;
    const reply = new Promise<unknown>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.post({ id, request });
    return reply as Promise<ReplyOf<T>>;
  }

  /** A request whose reply nobody needs (ordered with the others all the same). */
  send(request: WorkerRequest): void {
    if (this.usable) this.post({ id: 0, request });
  }

  createRouter(routerId: string): RemoteRouter {
    if (!this.usable) throw new Error(`media worker ${this.index} is ${this.#state}`);
    const router = new RemoteRouter(routerId, this);
    this.routers.set(routerId, router);
    router.once('closed', () => this.routers.delete(routerId));
    this.placedAt.push(Date.now());
    this.send({ type: 'createRouter', routerId });
    return router;
  }

  /** Called about once a second by the pool: a worker that stopped reporting is blocked. */
  checkAlive(now: number): void {
    if (this.#state !== 'running' || now - this.#lastHeardAt <= WORKER_STALL_MS) return;
    this.die(`worker ${this.index} stalled: no report for ${now - this.#lastHeardAt} ms (event loop blocked)`);
  }

  /**
   * Ends the thread as a crash would: its rooms move, a replacement starts.
   * For tests, and for an operator's last resort on a worker gone wrong.
   */
  kill(reason: string): void {
    this.die(`worker ${this.index} killed: ${reason}`);
  }

  /** Stops the thread for good (server shutdown); its routers are closed, not lost. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const thread = this.#thread;
    this.#state = 'closed';
    this.failPending(new Error(`media worker ${this.index} closed`));
    for (const router of [...this.routers.values()]) router.lose('closed');
    if (thread) await this.stopThread(thread, 0);
  }

  /**
   * Ends the thread: it closes its sockets and exits by itself; terminated
   * only if it does not within SHUTDOWN_MS (a blocked loop). A worker must
   * not be terminated with its sockets open (worker-protocol.ts `shutdown`).
   */
  private stopThread(thread: Worker, exitCode: number): Promise<void> {
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    thread.postMessage({ id: 0, request: { type: 'shutdown', exitCode } } satisfies WorkerEnvelope);
    const timer = setTimeout(() => void thread.terminate(), SHUTDOWN_MS);
    timer.unref();
    return exited.finally(() => clearTimeout(timer));
  }

  private post(envelope: WorkerEnvelope): void {
    if (this.#queued) this.#queued.push(envelope);
    else this.#thread?.postMessage(envelope);
  }

  private die(reason: string): void {
    if (this.#state === 'dead' || this.#state === 'closed') return;
    this.#state = 'dead';
    this.#readyReject(new Error(reason));
    this.failPending(new Error(reason));
    // The pool first puts a replacement in this worker's place, so that rooms moving now can go there too.
    this.emit('died', reason);
    for (const router of [...this.routers.values()]) router.lose(reason);
    // A blocked or crashed thread still holds its ports until it is gone: asked to close them and exit,
    // terminated if it cannot (a loop blocked for good).
    if (this.#thread) void this.stopThread(this.#thread, 1);
  }

  private failPending(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  private onMessage(message: WorkerMessage): void {
    this.#lastHeardAt = Date.now();
    switch (message.type) {
      case 'ready':
        this.udpPort = message.udpPort;
        this.tcpPort = message.tcpPort;
        this.pipePort = message.pipePort;
        if (this.#state === 'starting') this.#state = 'running';
        this.#readyResolve();
        return;
      case 'startFailed':
        return this.die(message.message);
      case 'reply': {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.ok) pending?.resolve(message.value);
        else pending?.reject(message.error);
        return;
      }
      case 'producerAdded':
        return this.routers.get(message.routerId)?.onProducerAdded(message.producer);
      case 'audioLevels':
        return this.routers.get(message.routerId)?.onAudioLevels(message.levels);
      case 'keyframeWanted':
        return this.routers.get(message.routerId)?.onKeyframeWanted(message.producerId, message.layer);
      case 'producerLayers':
        return this.routers.get(message.routerId)?.onProducerLayers(message.producerId, message.layers);
      case 'producerClosed':
        return this.routers.get(message.routerId)?.onProducerClosed(message.producerId);
      case 'peerEvent':
        return this.routers.get(message.routerId)?.onPeerEvent(message.peerId, message.event);
      case 'load':
        this.load = message.load;
        this.emit('load', message.load);
        return;
      default:
        // A worker message without a case here does not compile.
        return assertNever(message);
    }
  }
}
