/**
 * Notices a signaling connection that died silently. Browsers answer the
 * server's WebSocket pings without telling the page, and a network that
 * drops packets (rather than refusing them) leaves a socket "open" for
 * minutes; so while joined we ping the server ourselves and give the
 * connection up when a ping has gone unanswered for a while. The
 * conference then resumes the session on a new connection.
 *
 * Silence is measured from our first unanswered ping, not from the last
 * message: a background tab whose timers the browser slows to once a
 * minute must not mistake its own late ping for a dead server.
 */
export const CLIENT_PING_INTERVAL_MS = 2000;
/**
 * How long a ping may go unanswered before the connection is taken for dead: a few pings
 * and some slack, well inside the time the server holds us (its ping timeout of 5-10 s plus
 * RESUME_GRACE_S).
 */
export const CLIENT_DEAD_AFTER_MS = 5500;

export class Heartbeat {
  #timer: ReturnType<typeof setInterval> | undefined;
  /** When the oldest ping still without any answer was sent; undefined when all is well. */
  #unansweredSince: number | undefined;

  constructor(
    private readonly ping: () => void,
    private readonly onSilent: (silentMs: number) => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  start(): void {
    this.stop();
    this.#timer = setInterval(() => this.tick(), CLIENT_PING_INTERVAL_MS);
  }

  /** Anything from the server proves the connection alive. */
  heard(): void {
    this.#unansweredSince = undefined;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unansweredSince = undefined;
  }

  /** One beat (the interval calls it; tests may too). */
  tick(): void {
    const now = this.now();
    if (this.#unansweredSince !== undefined && now - this.#unansweredSince > CLIENT_DEAD_AFTER_MS) {
      const silent = now - this.#unansweredSince;
      this.stop();
      this.onSilent(silent);
      return;
    }
    this.#unansweredSince ??= now;
    this.ping();
  }
}
