/**
 * How often one can join: per client address and per token, token buckets
 * (src/util/token-bucket.ts) checked at hello. Every join makes the room
 * fan out a `participant-joined`, and the attendance webhooks a
 * `participant_joined` (and a `participant_left` after it): issue 11's join
 * loop with one valid token made 240 webhook events from 60 joins. Over the
 * rate the hello is refused with `rate_limited` and the connection closed.
 * Resumes are not joins and are never limited; rejoins with a rejoin ticket
 * count against the address only.
 *
 * The values are in docs/security.md. An address that cannot be told apart
 * (a request from this host with no forwarded address: a local proxy that
 * does not say who its client is, or a test) is not limited per address:
 * it would be every user's.
 */
import { createHash } from 'node:crypto';
import { ConfabError } from '../protocol/errors.js';
import { KeyedBuckets, type Rate } from '../util/token-bucket.js';

export const JOIN_RATE_LIMITS: Readonly<Record<'perAddress' | 'perToken', Rate>> = {
  /** A school's classes behind one NAT join within minutes: 100 at once, then 5 a second. */
  perAddress: { burst: 100, refillMs: 200 },
  /** A token is one person's: a page reloaded a few times, not a loop. 10 at once, then one every 6 s. */
  perToken: { burst: 10, refillMs: 6000 },
};

/** Addresses and tokens remembered at once; past that the least recently seen is forgotten. */
export const JOIN_LIMIT_KEYS = 10_000;

export class JoinLimits {
  readonly #addresses = new KeyedBuckets(JOIN_RATE_LIMITS.perAddress, JOIN_LIMIT_KEYS);
  readonly #tokens = new KeyedBuckets(JOIN_RATE_LIMITS.perToken, JOIN_LIMIT_KEYS);

  /** A hello from `address` (undefined: cannot be told apart). Throws `rate_limited`. */
  address(address: string | undefined, now = Date.now()): void {
    if (address === undefined || this.#addresses.take(address, now)) return;
    const { burst, refillMs } = JOIN_RATE_LIMITS.perAddress;
    throw new ConfabError('rate_limited', `too many joins from ${address}: at most ${burst} at once, then one every ${refillMs / 1000} s`);
  }

  /** A join admitted with this (valid) token. Throws `rate_limited`. */
  token(token: string, now = Date.now()): void {
    // Keyed by a hash: the map never holds tokens.
    const key = createHash('sha256').update(token).digest('base64url');
    if (this.#tokens.take(key, now)) return;
    const { burst, refillMs } = JOIN_RATE_LIMITS.perToken;
    throw new ConfabError('rate_limited', `too many joins with this token: at most ${burst} at once, then one every ${refillMs / 1000} s`);
  }
}
