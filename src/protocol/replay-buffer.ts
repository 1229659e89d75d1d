/**
 * The last messages one side sent, numbered, so that after a lost connection
 * the other side can say how many it received and get the rest again
 * (session resume). Both ends use it: the server for its messages to a
 * participant, the web client for its messages to the server.
 *
 * Bounded by count and size, and trimmed as the other side acknowledges
 * (with each ping and pong): a resume that would need a message already
 * dropped is refused, and the participant joins afresh instead.
 */
export interface ReplayLimits {
  readonly messages: number;
  /** Rough budget in characters of JSON. */
  readonly bytes: number;
}

export const DEFAULT_REPLAY_LIMITS: ReplayLimits = { messages: 512, bytes: 1024 * 1024 };

interface Entry<T> {
  readonly seq: number;
  readonly item: T;
  readonly bytes: number;
}

export class ReplayBuffer<T> {
  #entries: Entry<T>[] = [];
  #head = 0;
  #bytes = 0;
  #last = 0;

  constructor(
    private readonly limits: ReplayLimits = DEFAULT_REPLAY_LIMITS,
    /** Messages numbered before this buffer existed (a session continued elsewhere): the first push is `start + 1`. */
    start = 0,
  ) {
    this.#last = start;
  }

  /** Sequence number of the last message pushed (0: none yet). */
  get lastSeq(): number {
    return this.#last;
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** Records the next message; returns its sequence number (1, 2, 3...). */
  push(item: T, bytes: number): number {
    const seq = ++this.#last;
    this.#entries.push({ seq, item, bytes });
    this.#bytes += bytes;
    while (this.size > this.limits.messages || (this.#bytes > this.limits.bytes && this.size > 1)) this.dropOldest();
    // Compact now and then instead of shifting on every drop.
    if (this.#head > 256 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return seq;
  }

  /** The other side confirmed it has everything up to `received`: those need not be kept. */
  acknowledge(received: number): void {
    if (!Number.isInteger(received) || received > this.#last) return;
    while (this.size > 0 && this.#entries[this.#head]!.seq <= received) this.dropOldest();
  }

  /**
   * Messages numbered after `received`, in order; undefined when the other
   * side claims more than was sent, or some of what it missed is gone.
   */
  after(received: number): T[] | undefined {
    if (!Number.isInteger(received) || received < 0 || received > this.#last) return undefined;
    if (received === this.#last) return [];
    const first = this.#entries[this.#head];
    if (!first || first.seq > received + 1) return undefined;
    return this.#entries.slice(this.#head + (received + 1 - first.seq)).map((e) => e.item);
  }

  private dropOldest(): void {
    const e = this.#entries[this.#head++];
    if (e) this.#bytes -= e.bytes;
  }
}
