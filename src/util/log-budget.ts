/**
 * Rate-limited logging. Everything a participant makes the server log (its
 * requests refused, its reports, its negotiation failures) goes through its
 * own budget, so a client that floods cannot fill the disk or drown the
 * other classes' lines: LOG_LINES_PER_PARTICIPANT lines at once, then one a
 * second. Lines over the budget are dropped and counted; the next line that
 * gets through says how many were dropped (`logLinesSuppressed`), so the
 * log shows that something was dropped and how much, at no extra line.
 */
import type { Logger } from './log.js';
import { TokenBucket, type Rate } from './token-bucket.js';

/** 60 lines at once, then one a second: ~60 a minute at most, far above what a well-behaved participant logs. */
export const LOG_LINES_PER_PARTICIPANT: Rate = { burst: 60, refillMs: 1000 };

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error']);

export class LogBudget {
  readonly #bucket: TokenBucket;
  #suppressed = 0;
  /** Lines dropped so far, for tests and metrics. */
  dropped = 0;

  constructor(rate: Rate = LOG_LINES_PER_PARTICIPANT) {
    this.#bucket = new TokenBucket(rate);
  }

  /**
   * The same logger, with trace..error lines counted against this budget
   * (fatal ones always go through). Children of the result share it.
   */
  wrap(log: Logger): Logger {
    return new Proxy(log, {
      get: (target, property, receiver) => {
        if (property === 'child') return (bindings: Record<string, unknown>) => this.wrap(target.child(bindings));
        if (typeof property !== 'string' || !LEVELS.has(property)) return Reflect.get(target, property, receiver);
        const level = property as 'info';
        return (...args: unknown[]): void => {
          // A level that is off costs nothing, budget included.
          if (!target.isLevelEnabled(level)) return;
          if (!this.#bucket.take()) {
            this.#suppressed++;
            this.dropped++;
            return;
          }
          const suppressed = this.#suppressed;
          this.#suppressed = 0;
          (target[level] as (...a: unknown[]) => void)(...(suppressed > 0 ? withSuppressed(args, suppressed) : args));
        };
      },
    });
  }
}

/** Adds `logLinesSuppressed` to a pino call's arguments: (obj, msg), (err, msg) or (msg). */
function withSuppressed(args: unknown[], suppressed: number): unknown[] {
  const [first, ...rest] = args;
  if (first instanceof Error) return [{ err: first, logLinesSuppressed: suppressed }, ...rest];
  if (typeof first === 'object' && first !== null) return [{ ...first, logLinesSuppressed: suppressed }, ...rest];
  return [{ logLinesSuppressed: suppressed }, ...args];
}
