/**
 * The bot's long-poll signaling (the envelope is src/protocol/long-poll.ts,
 * the server side src/server/longpoll-transport.ts), for when a proxy does
 * not pass WebSocket upgrades, as browsers fall back: POSTs carry our
 * messages in order, one request in flight at a time, the first (with the
 * hello) opens the session; a GET loop receives the server's messages,
 * validated as the WebSocket client does, and acknowledges each batch in the
 * next poll.
 */
import { CLOSE_ABNORMAL, CLOSE_NORMAL, isGoodbye } from '../protocol/close-codes.js';
import { LONG_POLL_PATH } from '../protocol/endpoints.js';
import { ERRORS, isErrorCode } from '../protocol/errors.js';
import { LONG_POLL_QUERY, openAnswer, POLL_HOLD_MS, pollAnswer, postBody } from '../protocol/long-poll.js';
import { parseServerMessage } from '../protocol/messages.js';
import { SignalingBase } from './signaling-base.js';

/** How long close() waits for the server to end the session after our leave. */
const LEAVE_WAIT_MS = 2000;

/** `http://host:port/base/` -> `http://host:port/base/signaling/lp`. */
export function longPollUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.pathname += LONG_POLL_PATH;
  url.search = '';
  url.hash = '';
  return url.toString();
}

export class LongPollSignalingClient extends SignalingBase {
  readonly transport = 'long-poll';
  #sid: string | undefined;
  #outbox: string[] = [];
  #posting: Promise<void> | undefined;
  #ack = 0;
  #stopped = false;
  #closing: Promise<void> | undefined;
  readonly #abort = new AbortController();

  private constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  /** Nothing to open (the first POST, carrying the hello, creates the session): resolves at once. */
  static connect(url: string, timeoutMs = 10_000): Promise<LongPollSignalingClient> {
    return Promise.resolve(new LongPollSignalingClient(url, timeoutMs));
  }

  /** The session id the server gave, once the first POST was answered. */
  get sid(): string | undefined {
    return this.#sid;
  }

  /** Queues text for the next POST; the server reads one message per line. */
  sendRaw(text: string): void {
    if (this.#stopped) return;
    this.#outbox.push(text);
    void this.flush();
  }

  /**
   * 1000/1001 say goodbye first (a leave, then waits up to 2 s for the
   * server to end the session); any other code just stops polling, which the
   * server takes for a lost connection. Resolves once polling has stopped.
   */
  close(code = CLOSE_NORMAL): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#closing ??= this.closeNow(code);
    return this.#closing;
  }

  private async closeNow(code: number): Promise<void> {
    const opened = this.#sid !== undefined || this.#posting !== undefined;
    if (isGoodbye(code) && opened) {
      let timer: NodeJS.Timeout | undefined;
      const gone = new Promise<void>((resolve) => {
        this.once('closed', () => resolve());
        timer = setTimeout(resolve, LEAVE_WAIT_MS);
      });
      this.send({ type: 'leave' });
      await gone;
      clearTimeout(timer);
    }
    this.finish(code, 'bye');
  }

  private endpoint(): URL {
    const url = new URL(this.url);
    if (this.#sid) url.searchParams.set(LONG_POLL_QUERY.session, this.#sid);
    return url;
  }

  /** Aborts on close() as well as after `ms`. */
  private signal(ms: number): AbortSignal {
    return AbortSignal.any([this.#abort.signal, AbortSignal.timeout(ms)]);
  }

  private flush(): Promise<void> {
    this.#posting ??= this.post().finally(() => {
      this.#posting = undefined;
      // Queued after the loop's last look, before this ran.
      if (this.#outbox.length > 0 && !this.#stopped) void this.flush();
    });
    return this.#posting;
  }

  private async post(): Promise<void> {
    while (this.#outbox.length > 0 && !this.#stopped) {
      const body = postBody(this.#outbox.splice(0));
      let answer: unknown;
      try {
        const res = await fetch(this.endpoint(), { method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' }, signal: this.signal(this.timeoutMs) });
        if (!res.ok) return this.refused('POST', res);
        answer = await res.json();
      } catch (error) {
        return this.finish(CLOSE_ABNORMAL, `long-poll POST failed: ${describe(error)}`);
      }
      const opened = openAnswer.safeParse(answer);
      if (!opened.success) return this.finish(CLOSE_ABNORMAL, 'long-poll POST answered without a session id');
      const first = this.#sid === undefined;
      this.#sid = opened.data.sid;
      if (first) void this.pollLoop();
    }
  }

  private async pollLoop(): Promise<void> {
    while (!this.#stopped) {
      let answer: unknown;
      try {
        const url = this.endpoint();
        url.searchParams.set(LONG_POLL_QUERY.ack, String(this.#ack));
        const res = await fetch(url, { headers: { accept: 'application/json' }, signal: this.signal(POLL_HOLD_MS + this.timeoutMs) });
        if (!res.ok) return this.refused('GET', res);
        answer = await res.json();
      } catch (error) {
        return this.finish(CLOSE_ABNORMAL, `long-poll GET failed: ${describe(error)}`);
      }
      if (this.#stopped) return;
      const poll = pollAnswer.safeParse(answer);
      if (!poll.success) {
        this.emit('invalid', `long-poll answer is not {seq, messages}: ${JSON.stringify(answer).slice(0, 200)}`);
        return this.finish(CLOSE_ABNORMAL, 'invalid long-poll answer');
      }
      const { seq, messages, closed } = poll.data;
      this.#ack = seq;
      for (const message of messages) {
        const parsed = parseServerMessage(JSON.stringify(message));
        if (parsed.ok) this.emit('message', parsed.message);
        else this.emit('invalid', parsed.error);
      }
      if (closed) return this.finish(closed.closeCode, closed.code ?? 'bye');
    }
  }

  /** A non-2xx answer: Confab's JSON error names a code (e.g. message_too_large), a proxy's does not. */
  private async refused(method: string, res: Response): Promise<void> {
    const text = await res.text().catch(() => '');
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { error?: string }).error;
    } catch {
      // a proxy's page
    }
    const closeCode = code && isErrorCode(code) ? ERRORS[code].closeCode : CLOSE_ABNORMAL;
    this.finish(closeCode, `long-poll ${method} ${new URL(this.url).pathname} answered HTTP ${res.status}${code ? ` (${code})` : ''}`);
  }

  /** Stops polling and posting, and reports the close once. */
  private finish(code: number, reason: string): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#abort.abort();
    this.markClosed({ code, reason });
  }
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}
