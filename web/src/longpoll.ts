/**
 * Long-poll signaling transport (see src/server/longpoll-transport.ts):
 * POSTs carry our messages in order, one request in flight at a time, and a
 * GET loop receives the server's messages, acknowledging each batch.
 */
import type { RawHandlers, RawTransport } from './signaling.js';
import { signalingUrl } from './signaling-url.js';

interface PollResponse {
  seq: number;
  messages: unknown[];
  closed?: { code?: string; closeCode: number };
}

export class LongPollTransport implements RawTransport {
  readonly kind = 'long-poll';
  #sid: string | undefined;
  #outbox: string[] = [];
  #posting = false;
  #ack = 0;
  #closed = false;
  #opened = false;
  readonly #abort = new AbortController();

  constructor(private readonly handlers: RawHandlers) {
    // Nothing to open: the first POST (carrying hello) creates the session.
    queueMicrotask(() => {
      this.#opened = true;
      handlers.onOpen();
    });
  }

  send(text: string): void {
    if (this.#closed) return;
    this.#outbox.push(text);
    void this.flush();
  }

  close(lost = false): void {
    if (this.#closed) return;
    // Given up: just stop (the server's sweep holds the session for a resume). Otherwise
    // deliver what is queued (the goodbye), then stop.
    if (lost) return this.stop();
    void this.flush().finally(() => this.stop());
  }

  private stop(): void {
    this.#closed = true;
    this.#abort.abort();
  }

  private url(): URL {
    const url = signalingUrl('signaling/lp');
    if (this.#sid) url.searchParams.set('sid', this.#sid);
    return url;
  }

  private async flush(): Promise<void> {
    if (this.#posting || this.#outbox.length === 0 || this.#closed) return;
    this.#posting = true;
    const body = this.#outbox.splice(0).join('\n');
    try {
      const res = await fetch(this.url(), { method: 'POST', body, headers: { 'content-type': 'text/plain' }, signal: this.#abort.signal });
      if (!res.ok) return this.fail(res.status === 413 ? 4413 : 1006);
      const { sid } = (await res.json()) as { sid: string };
      const first = this.#sid === undefined;
      this.#sid = sid;
      if (first) void this.pollLoop();
    } catch {
      return this.fail(1006);
    } finally {
      this.#posting = false;
    }
    void this.flush();
  }

  private async pollLoop(): Promise<void> {
    while (!this.#closed) {
      let body: PollResponse;
      try {
        const url = this.url();
        url.searchParams.set('ack', String(this.#ack));
        const res = await fetch(url, { signal: this.#abort.signal, cache: 'no-store' });
        if (!res.ok) return this.fail(1006);
        body = (await res.json()) as PollResponse;
      } catch {
        return this.fail(1006);
      }
      this.#ack = body.seq;
      for (const m of body.messages) this.handlers.onText(JSON.stringify(m));
      if (body.closed) return this.fail(body.closed.closeCode);
    }
  }

  private fail(closeCode: number): void {
    if (this.#closed) return;
    this.stop();
    this.handlers.onClose(closeCode, this.#opened);
  }
}
