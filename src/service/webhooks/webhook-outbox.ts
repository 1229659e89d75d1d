/**
 * Attendance webhooks, assembled: the recorder turns room events into
 * attendance events, the outbox keeps each on disk until every WEBHOOK_URL
 * has accepted it, the dispatcher sends them. The server edge only creates
 * this, attaches the registry, starts and closes it.
 */
import type { WebhookConfig } from '../../config/config.js';
import type { Logger } from '../../util/log.js';
import { AttendanceRecorder, type RoomSource } from './attendance-recorder.js';
import { WebhookDispatcher, urlForLog, type Poster } from './dispatcher.js';
import type { WebhookEvent } from './events.js';
import { OutboxStore } from './outbox-store.js';

/** How long close() keeps delivering what is due (the shutdown's own leave events above all). */
const FLUSH_CAP_MS = 5_000;

export interface WebhookOutboxOptions {
  readonly userAgent: string;
  /** Tests: a fake HTTP client. */
  readonly post?: Poster;
}

export class WebhookOutbox {
  readonly store: OutboxStore;
  readonly recorder: AttendanceRecorder;
  readonly dispatcher: WebhookDispatcher;
  #closed = false;

  constructor(
    private readonly settings: WebhookConfig,
    private readonly log: Logger,
    options: WebhookOutboxOptions,
  ) {
    try {
      this.store = new OutboxStore(settings.outboxPath);
    } catch (error) {
      throw new Error(`cannot open the webhook outbox WEBHOOK_OUTBOX_PATH='${settings.outboxPath}': ${(error as Error).message}`, { cause: error });
    }
    this.dispatcher = new WebhookDispatcher(
      this.store,
      {
        secret: settings.secret,
        concurrency: settings.concurrency,
        timeoutMs: settings.timeoutMs,
        backoff: { minMs: settings.retryMinMs, maxMs: settings.retryMaxMs },
        retryForMs: settings.retryForMs,
        userAgent: options.userAgent,
      },
      log,
      options.post,
    );
    this.recorder = new AttendanceRecorder((event) => this.record(event));
  }

  /** Records attendance for every room `registry` creates from now on. */
  attach(registry: RoomSource): void {
    this.recorder.attach(registry);
  }

  /** Starts sending, beginning with whatever an earlier run left in the outbox. */
  start(): void {
    const abandoned = this.store.abandonTargetsExcept(this.settings.urls);
    if (abandoned > 0) this.log.warn({ abandoned }, 'webhook deliveries queued for URLs no longer in WEBHOOK_URL were given up (kept in the outbox as failed)');
    this.store.makeAllDue(Date.now());
    const pending = this.store.pending;
    this.log.info({ urls: this.settings.urls.map(urlForLog), outbox: this.settings.outboxPath, pending }, 'attendance webhooks on');
    this.dispatcher.start();
  }

  /** Deliveries waiting and given up on, and the age of the oldest waiting one (metrics); undefined once closed. */
  backlog(now = Date.now()): { pending: number; failed: number; oldestPendingAgeS: number } | undefined {
    if (!this.store.open) return undefined;
    const { pending, failed, oldestPendingAt } = this.store.backlog();
    return { pending, failed, oldestPendingAgeS: oldestPendingAt === undefined ? 0 : Math.max(0, (now - oldestPendingAt) / 1000) };
  }

  /** Call before the rooms are closed at shutdown: their departures are reported as server_shutdown. */
  serverShuttingDown(): void {
    this.recorder.serverShuttingDown();
  }

  /** Stops recording, delivers what is due for a few seconds, and closes the outbox; the rest waits for the next start. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.recorder.detach();
    await this.dispatcher.flush(Math.min(this.settings.timeoutMs, FLUSH_CAP_MS));
    await this.dispatcher.stop();
    const pending = this.store.pending;
    this.store.close();
    this.log.info({ pending }, pending > 0 ? 'webhook outbox closed; undelivered events are sent after the next start' : 'webhook outbox closed');
  }

  private record(event: WebhookEvent): void {
    if (!this.store.open) {
      this.log.error({ event: event.id, type: event.type, room: event.roomKey }, 'attendance event after the outbox closed: not recorded');
      return;
    }
    try {
      const body = JSON.stringify(event);
      this.store.enqueue({ id: event.id, type: event.type, orderKey: event.roomKey, body, occurredAt: Date.parse(event.occurredAt) }, this.settings.urls, Date.now());
    } catch (error) {
      // This runs inside the room's own event (a join, a leave): a full disk must not fail the class too.
      this.log.error({ err: error, event: event.id, type: event.type, room: event.roomKey }, 'attendance event not recorded: the webhook outbox could not be written');
      return;
    }
    this.dispatcher.wake();
  }
}
