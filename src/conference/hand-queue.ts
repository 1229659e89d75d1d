/**
 * Raised hands in the order they went up. Stamps come from the server's
 * clock but are made strictly increasing, so two hands raised in the same
 * millisecond still have a definite order, and every client sorts the queue
 * the same way from the stamps alone.
 */
export class HandQueue {
  readonly #raised = new Map<string, number>();
  #last = 0;

  /** Raises a hand (a raised hand keeps its place); returns its stamp. */
  raise(participantId: string, now = Date.now()): number {
    const existing = this.#raised.get(participantId);
    if (existing !== undefined) return existing;
    const stamp = Math.max(now, this.#last + 1);
    this.#last = stamp;
    this.#raised.set(participantId, stamp);
    return stamp;
  }

  /** Puts back a hand raised earlier (a class continuing on another server), keeping its stamp and so its place. */
  restore(participantId: string, stamp: number): void {
    this.#raised.set(participantId, stamp);
    this.#last = Math.max(this.#last, stamp);
  }

  /** Lowers a hand; false if it was not raised. */
  lower(participantId: string): boolean {
    return this.#raised.delete(participantId);
  }

  stamp(participantId: string): number | null {
    return this.#raised.get(participantId) ?? null;
  }

  /** Participant ids, first raised first. */
  order(): string[] {
    return [...this.#raised].sort((a, b) => a[1] - b[1]).map(([id]) => id);
  }

  get size(): number {
    return this.#raised.size;
  }
}
