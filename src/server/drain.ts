/**
 * The wait at the heart of a graceful shutdown (SIGTERM from Kubernetes or
 * `docker stop`): a live class must not be cut off because a new version is
 * rolling out, so the server waits for the rooms it hosts to empty by
 * themselves, up to a deadline just under the pod's grace period.
 */
import type { Logger } from '../util/log.js';

/** How a drain ended: everyone left, the deadline passed, or a second signal cut it short. */
export type DrainOutcome = 'empty' | 'timeout' | 'cut-short';

export interface DrainOptions {
  /** The longest wait for participants to leave (DRAIN_TIMEOUT_S). */
  readonly timeoutMs: number;
  /** Aborting ends the wait at once (a second SIGTERM or SIGINT). */
  readonly signal?: AbortSignal;
}

export interface Occupancy {
  readonly rooms: number;
  readonly participants: number;
}

/** Polled rather than event-driven: leaves come from several places (leave, socket loss, ping timeout) and 4 checks a second cost nothing. */
const POLL_MS = 250;
/** Even when nothing changes, say every minute that the pod is still draining, so a stuck-looking pod explains itself. */
const PROGRESS_EVERY_MS = 60_000;

/** Resolves when `occupancy()` has no participant left, the timeout passes or the signal aborts; logs the progress. */
export function waitUntilEmpty(occupancy: () => Occupancy, options: DrainOptions, log: Logger): Promise<DrainOutcome> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let last = occupancy();
  let lastLogAt = started;
  const intro =
    last.participants === 0
      ? 'draining: no participant here, stopping now'
      : options.timeoutMs === 0
        ? 'stopping without a drain: telling the participants to reconnect'
        : 'draining: refusing new participants, waiting for the current ones to leave';
  log.info({ ...last, drainTimeoutS: options.timeoutMs / 1000 }, intro);
  return new Promise((resolve) => {
    const finish = (outcome: DrainOutcome): void => {
      clearInterval(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const now = occupancy();
      const elapsedS = Math.round((Date.now() - started) / 1000);
      const message = {
        empty: 'drain finished: every participant left',
        timeout: options.timeoutMs === 0 ? 'stopped' : 'drain timed out: telling the remaining participants to reconnect',
        'cut-short': 'drain cut short by a second signal: telling the remaining participants to reconnect',
      }[outcome];
      log.info({ ...now, elapsedS, outcome }, message);
      resolve(outcome);
    };
    const check = (): void => {
      const now = occupancy();
      if (now.participants === 0) return finish('empty');
      if (Date.now() >= deadline) return finish('timeout');
      if (now.participants !== last.participants || now.rooms !== last.rooms || Date.now() - lastLogAt >= PROGRESS_EVERY_MS) {
        log.info({ ...now, remainingS: Math.round((deadline - Date.now()) / 1000) }, 'draining: participants still here');
        last = now;
        lastLogAt = Date.now();
      }
    };
    const onAbort = (): void => finish('cut-short');
    const timer = setInterval(check, POLL_MS);
    if (options.signal?.aborted) return finish('cut-short');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}
