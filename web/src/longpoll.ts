/**
 * Long-poll signaling transport (the envelope is src/protocol/long-poll.ts,
 * the server side src/server/longpoll-transport.ts): POSTs carry our
 * messages in order, one request in flight at a time, and a GET loop
 * receives the server's messages, acknowledging each batch.
 */
import { CLOSE_ABNORMAL } from '../../src/protocol/close-codes.js';
import { LONG_POLL_PATH } from '../../src/protocol/endpoints.js';
import { ERRORS } from '../../src/protocol/errors.js';
import { LONG_POLL_QUERY, openAnswer, pollAnswer, postBody } from '../../src/protocol/long-poll.js';
import type { RawHandlers, RawTransport } from './signaling.js';
import { signalingUrl } from './signaling-url.js';

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
    const url = signalingUrl(LONG_POLL_PATH);
    if (this.#sid) url.searchParams.set(LONG_POLL_QUERY.session, this.#sid);
    return url;
  }

  private async flush(): Promise<void> {
    if (this.#posting || this.#outbox.length === 0 || this.#closed) return;
    this.#posting = true;
    const body = postBody(this.#outbox.splice(0));
    try {
      const res = await fetch(this.url(), { method: 'POST', body, headers: { 'content-type': 'text/plain' }, signal: this.#abort.signal });
      if (!res.ok) return this.fail(res.status === ERRORS.message_too_large.status ? ERRORS.message_too_large.closeCode : CLOSE_ABNORMAL);
      const opened = openAnswer.safeParse(await res.json());
      if (!opened.success) return this.fail(CLOSE_ABNORMAL);
      const first = this.#sid === undefined;
      this.#sid = opened.data.sid;
      if (first) void this.pollLoop();
    } catch {
      return this.fail(CLOSE_ABNORMAL);
    } finally {
      this.#posting = false;
    }
    void this.flush();
  }

  private async pollLoop(): Promise<void> {
    while (!this.#closed) {
      let answer: unknown;
      try {
        const url = this.url();
        url.searchParams.set(LONG_POLL_QUERY.ack, String(this.#ack));
        const res = await fetch(url, { signal: this.#abort.signal, cache: 'no-store' });
        if (!res.ok) return this.fail(CLOSE_ABNORMAL);
        answer = await res.json();
      } catch {
        return this.fail(CLOSE_ABNORMAL);
      }
      const poll = pollAnswer.safeParse(answer);
      if (!poll.success) return this.fail(CLOSE_ABNORMAL);
      this.#ack = poll.data.seq;
      for (const m of poll.data.messages) this.handlers.onText(JSON.stringify(m));
      if (poll.data.closed) return this.fail(poll.data.closed.closeCode);
    }
  }

  private fail(closeCode: number): void {
    if (this.#closed) return;
    this.stop();
    this.handlers.onClose(closeCode, this.#opened);
  }
}
