/**
 * Links between nodes are authenticated: a relayed join carries an admission
 * that is already decided (a moderator claim, a user's identity), so nobody
 * but another node may open one. The secret lives in Redis (made by the
 * first node, cluster-store.ts), so whoever may use the cluster's Redis is a
 * node, and nothing else has to be configured. Each link presents
 * HMAC-SHA256(secret, purpose) as a bearer token; after a Redis restart the
 * secret is made anew, and for one refresh both are accepted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const PURPOSE = 'confab cluster link v1';

export function linkToken(secret: string): string {
  return createHmac('sha256', secret).update(PURPOSE).digest('base64url');
}

export class LinkAuth {
  #current: string | undefined;
  #previous: string | undefined;

  /** The secret as Redis has it now (called on every registry refresh). */
  update(secret: string): void {
    if (secret === this.#current) return;
    this.#previous = this.#current;
    this.#current = secret;
  }

  get ready(): boolean {
    return this.#current !== undefined;
  }

  /** The `authorization` header value for a link we open. */
  header(): string | undefined {
    return this.#current === undefined ? undefined : `Bearer ${linkToken(this.#current)}`;
  }

  /** Whether an incoming link's `authorization` header is another node's. */
  verify(header: string | undefined): boolean {
    const presented = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
    if (!presented) return false;
    return [this.#current, this.#previous].some((secret) => secret !== undefined && same(linkToken(secret), presented));
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
