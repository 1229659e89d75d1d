/**
 * Notices a signaling connection that died silently. Browsers answer the
 * server's WebSocket pings without telling the page, and a network that
 * drops packets (rather than refusing them) leaves a socket "open" for
 * minutes; so while joined we ping the server ourselves and give the
 * connection up when nothing at all has come back for a while. The
 * conference then resumes the session on a new connection.
 */
export const CLIENT_PING_INTERVAL_MS = 2000;
/**
 * Silence after which the connection is taken for dead: two pings unanswered and some slack.
 * Well inside the time the server holds us (its ping timeout of 5-10 s plus RESUME_GRACE_S).
 */
export const CLIENT_DEAD_AFTER_MS = 5500;

export class Heartbeat {
  #timer: number | undefined;
  #lastHeard = 0;

  constructor(
    private readonly ping: () => void,
    private readonly onSilent: (silentMs: number) => void,
  ) {}

  start(): void {
    this.stop();
    this.#lastHeard = Date.now();
    this.#timer = window.setInterval(() => this.tick(), CLIENT_PING_INTERVAL_MS);
  }

  /** Anything from the server proves the connection alive. */
  heard(): void {
    this.#lastHeard = Date.now();
  }

  stop(): void {
    window.clearInterval(this.#timer);
    this.#timer = undefined;
  }

  private tick(): void {
    const silent = Date.now() - this.#lastHeard;
    if (silent > CLIENT_DEAD_AFTER_MS) {
      this.stop();
      this.onSilent(silent);
      return;
    }
    this.ping();
  }
}
