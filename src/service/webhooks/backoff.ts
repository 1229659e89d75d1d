/**
 * Retry delays: exponential from `minMs`, doubling per failed attempt, capped
 * at `maxMs`, with ±20% jitter so a receiver that comes back is not hit by
 * every room's retry in the same millisecond.
 */
export interface BackoffSettings {
  readonly minMs: number;
  readonly maxMs: number;
}

export function retryDelayMs(settings: BackoffSettings, failedAttempts: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 30);
  const base = Math.min(settings.maxMs, settings.minMs * 2 ** exponent);
  return Math.round(base * (0.8 + 0.4 * random()));
}
