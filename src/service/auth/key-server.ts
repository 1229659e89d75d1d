/**
 * Public keys for RS256/RS384/RS512 tokens, fetched as Jitsi's prosody does:
 * `<JWT_ASAP_KEYSERVER>/<hex(sha256(kid))>.pem`. Hashing the kid keeps any
 * kid from walking the key server's paths. Keys that loaded are cached (a kid
 * names one key for life; at most `maxEntries`, oldest out first).
 * Concurrent requests for one kid share one fetch.
 *
 * Anyone can send a token naming any kid, so a fetch must not be free
 * (issue 11: every anonymous request with a new kid cost a fetch, and a
 * redirect led it to another path of the host):
 * - a redirect is followed only while it stays below JWT_ASAP_KEYSERVER
 *   (same origin and path), at most MAX_REDIRECTS times;
 * - a failure is cached for FAILURE_TTL_MS per kid (a key published a moment
 *   late works on a retry after that);
 * - fetches for kids not cached are limited to KEY_FETCH_RATE, all kids
 *   together; beyond it a token is refused with `token_key_unavailable`
 *   ("try again in a moment") without a fetch, while cached keys keep working.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { ConfabError } from '../../protocol/errors.js';
import { TokenBucket, type Rate } from '../../util/token-bucket.js';
import { quote } from './token-text.js';

/** Public keys kept (a kid names one key for life; oldest out first). */
export const KEY_CACHE_ENTRIES = 128;
/** A failed kid is not asked for again for this long. */
export const FAILURE_TTL_MS = 10_000;
/** Failed kids remembered at once (oldest out first). */
export const MAX_CACHED_FAILURES = 1024;
/** Key-server fetches for uncached kids: 20 at once, then 2 a second. */
export const KEY_FETCH_RATE: Rate = { burst: 20, refillMs: 500 };
/** Redirects followed, each staying below the configured URL. */
export const MAX_REDIRECTS = 3;

export interface KeySource {
  /** The public key for `kid`; throws ConfabError('token_key_unavailable') naming what went wrong. */
  publicKey(kid: string): Promise<KeyObject>;
}

export interface KeyServerOptions {
  readonly timeoutMs?: number;
  readonly maxEntries?: number;
  readonly fetch?: typeof fetch;
  readonly failureTtlMs?: number;
  readonly fetchRate?: Rate;
}

/** The file the key server must serve for `kid`: `<hex(sha256(kid))>.pem`. */
export function keyFileName(kid: string): string {
  return `${createHash('sha256').update(kid, 'utf8').digest('hex')}.pem`;
}

export function keyUrl(base: string, kid: string): string {
  return `${base.replace(/\/+$/, '')}/${keyFileName(kid)}`;
}

export class AsapKeyServer implements KeySource {
  readonly #cache = new Map<string, KeyObject>();
  readonly #pending = new Map<string, Promise<KeyObject>>();
  readonly #failures = new Map<string, { error: ConfabError; until: number }>();
  readonly #timeoutMs: number;
  readonly #maxEntries: number;
  readonly #fetch: typeof fetch;
  readonly #failureTtlMs: number;
  readonly #fetchBudget: TokenBucket;
  /** Requests made to the key server (tests, and the docs' figures). */
  fetches = 0;

  constructor(
    readonly baseUrl: string,
    options: KeyServerOptions = {},
  ) {
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#maxEntries = options.maxEntries ?? KEY_CACHE_ENTRIES;
    this.#fetch = options.fetch ?? fetch;
    this.#failureTtlMs = options.failureTtlMs ?? FAILURE_TTL_MS;
    this.#fetchBudget = new TokenBucket(options.fetchRate ?? KEY_FETCH_RATE);
  }

  get cachedKeys(): number {
    return this.#cache.size;
  }

  publicKey(kid: string): Promise<KeyObject> {
    const cached = this.#cache.get(kid);
    if (cached) return Promise.resolve(cached);
    const failed = this.#failures.get(kid);
    if (failed && failed.until > Date.now()) return Promise.reject(failed.error);
    let pending = this.#pending.get(kid);
    if (!pending) {
      if (!this.#fetchBudget.take()) {
        const { burst, refillMs } = this.#fetchBudget.rate;
        return Promise.reject(
          new ConfabError('token_key_unavailable', `too many public keys asked for right now (at most ${burst} at once, then one every ${refillMs / 1000} s): kid ${quote(kid)} was not fetched; try again in a moment`),
        );
      }
      pending = this.load(kid)
        .catch((error: unknown) => {
          if (error instanceof ConfabError) this.rememberFailure(kid, error);
          throw error;
        })
        .finally(() => this.#pending.delete(kid));
      this.#pending.set(kid, pending);
    }
    return pending;
  }

  private rememberFailure(kid: string, error: ConfabError): void {
    this.#failures.delete(kid);
    this.#failures.set(kid, { error, until: Date.now() + this.#failureTtlMs });
    if (this.#failures.size > MAX_CACHED_FAILURES) this.#failures.delete(this.#failures.keys().next().value!);
  }

  /** GETs `url`, following redirects only while they stay below the configured base URL. */
  private async get(url: string, where: string): Promise<Response> {
    const base = new URL(`${this.baseUrl.replace(/\/+$/, '')}/`);
    let target = new URL(url);
    for (let hops = 0; ; hops++) {
      this.fetches++;
      let response: Response;
      try {
        response = await this.#fetch(target, { signal: AbortSignal.timeout(this.#timeoutMs), redirect: 'manual' });
      } catch (error) {
        // fetch wraps the network error: ECONNREFUSED, ENOTFOUND... are on its cause.
        const e = error as Error & { cause?: { code?: string; message?: string } };
        const reason = e.name === 'TimeoutError' ? `no answer within ${this.#timeoutMs / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
        throw new ConfabError('token_key_unavailable', `cannot fetch the public key ${where}: ${reason}`, { cause: error });
      }
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return response;
      await response.body?.cancel().catch(() => undefined);
      const next = new URL(location, target);
      if (next.origin !== base.origin || !next.pathname.startsWith(base.pathname)) {
        throw new ConfabError('token_key_unavailable', `the key server redirected the request ${where} to ${next.href}, outside JWT_ASAP_KEYSERVER: not followed (set JWT_ASAP_KEYSERVER to where the keys are)`);
      }
      if (hops >= MAX_REDIRECTS) throw new ConfabError('token_key_unavailable', `the key server redirected the request ${where} more than ${MAX_REDIRECTS} times`);
      target = next;
    }
  }

  private async load(kid: string): Promise<KeyObject> {
    const url = keyUrl(this.baseUrl, kid);
    const where = `for kid ${quote(kid)} at ${url}`;
    const response = await this.get(url, where);
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new ConfabError('token_key_unavailable', `no public key ${where}: the key server answered HTTP ${response.status}`);
    }
    const pem = await response.text();
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch (error) {
      throw new ConfabError('token_key_unavailable', `the key server's answer ${where} is not a PEM public key`, { cause: error });
    }
    if (key.asymmetricKeyType !== 'rsa') {
      throw new ConfabError('token_key_unavailable', `the public key ${where} is ${key.asymmetricKeyType ?? 'not asymmetric'}, RS256 needs an RSA key`);
    }
    this.#cache.set(kid, key);
    if (this.#cache.size > this.#maxEntries) this.#cache.delete(this.#cache.keys().next().value!);
    return key;
  }
}
