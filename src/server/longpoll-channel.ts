/**
 * One long-poll signaling session: the fallback when a WebSocket cannot be
 * opened (a proxy without Upgrade support, a corporate proxy). Messages to
 * the client wait in a queue with sequence numbers until a poll takes them
 * and a later poll acknowledges them, so a poll lost in transit loses nothing.
 * The queue is bounded (send-limits.ts): a client that does not acknowledge
 * is told `signaling_too_slow` rather than kept up with forever.
 */
import type { ServerResponse } from 'node:http';
import { CLOSE_NORMAL } from '../protocol/close-codes.js';
import { ERRORS, type ErrorCode } from '../protocol/errors.js';
import { POLL_HOLD_MS, type PollAnswer } from '../protocol/long-poll.js';
import type { ServerMessage } from '../protocol/messages.js';
import type { SignalingChannel } from '../service/signaling-channel.js';
import { SIGNALING_SEND_LIMITS } from './send-limits.js';

export class LongPollChannel implements SignalingChannel {
  lastSeen = Date.now();
  /** When the session was closed (the transport forgets it a few seconds later). */
  closedAt: number | undefined;
  /** Called once when the client falls behind the send limits. */
  onTooSlow: (why: string) => void = () => undefined;
  #queue: { seq: number; message: ServerMessage; bytes: number }[] = [];
  #queuedBytes = 0;
  #seq = 0;
  #waiting: { res: ServerResponse; timer: NodeJS.Timeout } | undefined;
  #closed: PollAnswer['closed'];

  constructor(
    readonly id: string,
    readonly description: string,
    /** The client's address (client-address.ts), for per-address limits. */
    readonly clientAddress: string | undefined,
  ) {}

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Messages waiting for the client's acknowledgement (tests). */
  get queued(): number {
    return this.#queue.length;
  }

  /** A poll is being held open right now (the client is certainly alive). */
  get polling(): boolean {
    return this.#waiting !== undefined;
  }

  send(message: ServerMessage): void {
    if (this.#closed) return;
    const { messages, bytes } = SIGNALING_SEND_LIMITS;
    if (this.#queue.length >= messages || this.#queuedBytes >= bytes) {
      return this.onTooSlow(`${this.#queue.length} messages (${this.#queuedBytes} bytes) not acknowledged; at most ${messages} messages or ${bytes} bytes are kept`);
    }
    this.enqueue(message);
    this.flush();
  }

  close(code?: ErrorCode, message?: string): void {
    if (this.#closed) return;
    // The error goes in whatever the queue holds: it is the last message, and the client must see it.
    if (code) this.enqueue({ type: 'error', code, message: message ?? ERRORS[code].message, fatal: true });
    this.#closed = { code, closeCode: code ? ERRORS[code].closeCode : CLOSE_NORMAL };
    this.closedAt = Date.now();
    this.flush();
  }

  /** A GET from the client: drops what it acknowledged, answers now or when something arrives. */
  poll(ack: number, res: ServerResponse): void {
    this.lastSeen = Date.now();
    this.#queue = this.#queue.filter((q) => q.seq > ack);
    this.#queuedBytes = this.#queue.reduce((n, q) => n + q.bytes, 0);
    // A newer poll replaces an older one (the client gave up on it).
    if (this.#waiting) this.answer({ seq: ack, messages: [] });
    const timer = setTimeout(() => this.answer(this.pending()), POLL_HOLD_MS);
    this.#waiting = { res, timer };
    res.once('close', () => {
      if (this.#waiting?.res === res) {
        clearTimeout(this.#waiting.timer);
        this.#waiting = undefined;
        this.lastSeen = Date.now();
      }
    });
    if (this.#queue.length > 0 || this.#closed) this.answer(this.pending());
  }

  /** Ends a held poll when the server shuts the session down for good. */
  abandon(): void {
    if (this.#waiting) this.answer(this.pending());
  }

  private enqueue(message: ServerMessage): void {
    const bytes = JSON.stringify(message).length;
    this.#queue.push({ seq: ++this.#seq, message, bytes });
    this.#queuedBytes += bytes;
  }

  private flush(): void {
    // Let a burst of sends (welcome, then offers) go out in one response.
    if (this.#waiting) setImmediate(() => this.#waiting && this.answer(this.pending()));
  }

  private pending(): PollAnswer {
    const last = this.#queue[this.#queue.length - 1];
    return { seq: last?.seq ?? this.#seq, messages: this.#queue.map((q) => q.message), closed: this.#closed };
  }

  private answer(body: PollAnswer): void {
    const waiting = this.#waiting;
    if (!waiting) return;
    this.#waiting = undefined;
    clearTimeout(waiting.timer);
    this.lastSeen = Date.now();
    if (waiting.res.writableEnded || waiting.res.destroyed) return;
    waiting.res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    waiting.res.end(JSON.stringify(body));
  }
}
