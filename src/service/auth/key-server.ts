/**
 * Public keys for RS256/RS384/RS512 tokens, fetched as Jitsi's prosody does:
 * `<JWT_ASAP_KEYSERVER>/<hex(sha256(kid))>.pem`. Hashing the kid keeps any
 * kid from walking the key server's paths. Keys that loaded are cached (a kid
 * names one key for life; at most `maxEntries`, oldest out first); a failure
 * is not cached, so a key published a moment late works on the next try.
 * Concurrent requests for one kid share one fetch.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { ConfabError } from '../../protocol/errors.js';
import { quote } from './token-text.js';

export interface KeySource {
  /** The public key for `kid`; throws ConfabError('token_key_unavailable') naming what went wrong. */
  publicKey(kid: string): Promise<KeyObject>;
}

export interface KeyServerOptions {
  readonly timeoutMs?: number;
  readonly maxEntries?: number;
  readonly fetch?: typeof fetch;
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
  readonly #timeoutMs: number;
  readonly #maxEntries: number;
  readonly #fetch: typeof fetch;

  constructor(
    readonly baseUrl: string,
    options: KeyServerOptions = {},
  ) {
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#maxEntries = options.maxEntries ?? 128;
    this.#fetch = options.fetch ?? fetch;
  }

  get cachedKeys(): number {
    return this.#cache.size;
  }

  publicKey(kid: string): Promise<KeyObject> {
    const cached = this.#cache.get(kid);
    if (cached) return Promise.resolve(cached);
    let pending = this.#pending.get(kid);
    if (!pending) {
      pending = this.load(kid).finally(() => this.#pending.delete(kid));
      this.#pending.set(kid, pending);
    }
    return pending;
  }

  private async load(kid: string): Promise<KeyObject> {
    const url = keyUrl(this.baseUrl, kid);
    const where = `for kid ${quote(kid)} at ${url}`;
    let response: Response;
    try {
      response = await this.#fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs), redirect: 'follow' });
    } catch (error) {
      // fetch wraps the network error: ECONNREFUSED, ENOTFOUND... are on its cause.
      const e = error as Error & { cause?: { code?: string; message?: string } };
      const reason = e.name === 'TimeoutError' ? `no answer within ${this.#timeoutMs / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
      throw new ConfabError('token_key_unavailable', `cannot fetch the public key ${where}: ${reason}`, { cause: error });
    }
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
