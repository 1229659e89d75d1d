/**
 * The one rate-limiting mechanism: a token bucket. A bucket holds up to
 * `burst` tokens and gets one back every `refillMs`; each action takes one,
 * and an action that finds the bucket empty is refused. So `burst` actions
 * may come at once, and after that one every `refillMs` on average.
 *
 * Used per participant and kind of message (src/service/participant-limits.ts),
 * per address and per token for joins (src/service/join-limits.ts), for log
 * lines (src/util/log-budget.ts) and for key-server fetches. The values are
 * listed in docs/security.md.
 *
 * (A dozen lines of arithmetic: not worth a dependency.)
 */

export interface Rate {
  /** Actions allowed at once (the bucket's size). */
  readonly burst: number;
  /** One more action allowed every this many milliseconds. */
  readonly refillMs: number;
}

export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly rate: Rate,
    now = Date.now(),
  ) {
    this.#tokens = rate.burst;
    this.#at = now;
  }

  /** Takes one token: true when the action may go ahead. */
  take(now = Date.now()): boolean {
    this.refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  private refill(now: number): void {
    const elapsed = now - this.#at;
    if (elapsed <= 0) return;
    this.#tokens = Math.min(this.rate.burst, this.#tokens + elapsed / this.rate.refillMs);
    this.#at = now;
  }
}

/**
 * Buckets by key (an address, a token), with a bounded number of keys so
 * that an attacker with many keys cannot grow the map: past `maxKeys` the
 * least recently used key is forgotten (it starts with a full bucket if it
 * comes back), which costs O(1) however many keys an attacker makes.
 */
export class KeyedBuckets {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    readonly rate: Rate,
    readonly maxKeys: number,
  ) {}

  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one token from `key`'s bucket. */
  take(key: string, now = Date.now()): boolean {
    let bucket = this.#buckets.get(key);
    if (bucket) {
      // Most recently used last, so the first entries are the ones to evict.
      this.#buckets.delete(key);
    } else {
      if (this.#buckets.size >= this.maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
      bucket = new TokenBucket(this.rate, now);
    }
    this.#buckets.set(key, bucket);
    return bucket.take(now);
  }
}
