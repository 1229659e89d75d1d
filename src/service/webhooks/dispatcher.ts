/**
 * Sends the outbox's deliveries: at most `concurrency` requests at once, each
 * bounded by `timeoutMs`, one at a time per (URL, room) so a room's events
 * arrive in order. A failure (network error, timeout, non-2xx, a redirect)
 * is retried with exponential backoff; after `retryForMs` the delivery is
 * given up on (kept as 'failed') so its room's later events can go.
 * Timers are unref'd: a pending retry never keeps a stopped server alive.
 */
import type { Secret } from '../../config/secret.js';
import type { Logger } from '../../util/log.js';
import { retryDelayMs, type BackoffSettings } from './backoff.js';
import type { Delivery, OutboxStore } from './outbox-store.js';
import { webhookHeaders } from './signer.js';

/** POSTs and resolves with the HTTP status; rejects on a network error or abort. */
export type Poster = (url: string, body: string, headers: Record<string, string>, signal: AbortSignal) => Promise<number>;

export const fetchPoster: Poster = async (url, body, headers, signal) => {
  // redirect 'manual': a 3xx is not an acceptance, and the signed body must not be re-sent elsewhere.
  const res = await fetch(url, { method: 'POST', body, headers, signal, redirect: 'manual' });
  await res.body?.cancel().catch(() => undefined);
  return res.status;
};

export interface DispatcherSettings {
  readonly secret: Secret;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly backoff: BackoffSettings;
  readonly retryForMs: number;
  readonly userAgent: string;
}

interface InFlight {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/** The URL without credentials or query, for logs (either may hold a secret). */
export const urlForLog = (url: string): string => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

export class WebhookDispatcher {
  readonly #inFlight = new Map<string, InFlight>();
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #queued = false;
  #running = false;

  constructor(
    private readonly store: OutboxStore,
    private readonly settings: DispatcherSettings,
    private readonly log: Logger,
    private readonly post: Poster = fetchPoster,
    private readonly now: () => number = Date.now,
  ) {}

  get inFlight(): number {
    return this.#inFlight.size;
  }

  start(): void {
    this.#running = true;
    this.wake();
  }

  /** Something was recorded or finished: look for work once the current synchronous burst is over. */
  wake(): void {
    if (!this.#running || this.#queued) return;
    this.#queued = true;
    queueMicrotask(() => this.pump());
  }

  /** Delivers what is due, waiting up to `ms` for requests in flight; whatever is left stays in the outbox. */
  async flush(ms: number): Promise<void> {
    const deadline = this.now() + ms;
    for (;;) {
      this.pump();
      const remaining = deadline - this.now();
      if (this.#inFlight.size === 0 || remaining <= 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.race([...this.#inFlight.values()].map((f) => f.done)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining))),
      ]);
      clearTimeout(timer);
    }
  }

  /** Stops: no new attempts, requests in flight aborted (they are retried after a restart). */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = [...this.#inFlight.values()];
    for (const f of pending) f.controller.abort();
    await Promise.allSettled(pending.map((f) => f.done));
  }

  private pump(): void {
    this.#queued = false;
    if (!this.#running || !this.store.open) return;
    const now = this.now();
    let nextAt = Infinity;
    for (const head of this.store.heads()) {
      const key = `${head.target}\n${head.orderKey}`;
      if (this.#inFlight.has(key)) continue;
      if (head.nextAttemptAt > now) {
        nextAt = Math.min(nextAt, head.nextAttemptAt);
        continue;
      }
      // Full: the next delivery to finish pumps again.
      if (this.#inFlight.size >= this.settings.concurrency) break;
      const controller = new AbortController();
      const done = this.attempt(head, controller.signal).finally(() => {
        this.#inFlight.delete(key);
        this.wake();
      });
      this.#inFlight.set(key, { controller, done });
    }
    this.schedule(nextAt);
  }

  private schedule(at: number): void {
    if (at === Infinity || at >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.pump();
    }, Math.max(0, at - this.now()));
    this.#timer.unref();
  }

  private async attempt(d: Delivery, stop: AbortSignal): Promise<void> {
    const attempt = d.attempts + 1;
    const { secret, timeoutMs, userAgent } = this.settings;
    const timeout = AbortSignal.timeout(timeoutMs);
    let error: string;
    try {
      const status = await this.post(d.target, d.body, webhookHeaders(secret, { ...d, attempt }, userAgent), AbortSignal.any([stop, timeout]));
      if (status >= 200 && status < 300) {
        if (this.store.open) this.store.delivered(d.seq);
        this.log.debug({ event: d.id, type: d.type, room: d.orderKey, url: urlForLog(d.target), attempt, status }, 'webhook delivered');
        return;
      }
      error = `HTTP ${status}`;
    } catch (e) {
      error = timeout.aborted ? `no answer within ${timeoutMs} ms` : stop.aborted ? 'aborted: the server is stopping' : describe(e);
    }
    if (!this.store.open) return;
    const now = this.now();
    const fields = { event: d.id, type: d.type, room: d.orderKey, url: urlForLog(d.target), attempt, error };
    if (now - d.createdAt >= this.settings.retryForMs) {
      this.store.giveUp(d.seq, attempt, error);
      this.log.error({ ...fields, retriedForS: Math.round((now - d.createdAt) / 1000) }, 'webhook given up after retrying too long; the room\'s next events go on');
      return;
    }
    const delay = retryDelayMs(this.settings.backoff, attempt);
    this.store.retryLater(d.seq, attempt, now + delay, error);
    this.log.warn({ ...fields, retryInMs: delay }, 'webhook delivery failed; will retry');
  }
}
