/**
 * The rooms this node hosts, as leases in Redis (cluster-store.ts). A room
 * is claimed before its first participant is placed here and renewed with
 * the registry refresh; a lease renewed under another node or epoch means
 * the room moved on (this node was cut off from Redis long enough for its
 * lease to lapse and another node claimed it): the room stops here
 * (`onLost`) and its participants reconnect to the new host. While Redis is
 * unreachable nothing is renewed and nothing is given up: running classes
 * go on, and when Redis comes back (empty, after a restart) each lease that
 * is missing is claimed again.
 */
import type { Logger } from '../../util/log.js';
import type { ClusterStore } from './cluster-store.js';
import type { Lease } from './node-info.js';

export class RoomLeases {
  readonly #held = new Map<string, Lease>();

  constructor(
    private readonly store: ClusterStore,
    private readonly nodeId: string,
    private readonly leaseMs: number,
    private readonly log: Logger,
    /** The room moved to another node: stop serving it here. */
    private readonly onLost: (roomKey: string, holder: Lease | undefined) => void,
  ) {}

  /** Our lease on the room, if we hold one. */
  holds(roomKey: string): Lease | undefined {
    return this.#held.get(roomKey);
  }

  get size(): number {
    return this.#held.size;
  }

  /** Claims the room unless a live node holds it: returns the lease as it now is (ours, or the holder's). Throws while Redis is unreachable. */
  async acquire(roomKey: string): Promise<Lease> {
    const held = this.#held.get(roomKey);
    if (held) return held;
    const lease = await this.store.claim(roomKey, this.nodeId, this.leaseMs);
    if (lease.node === this.nodeId) {
      this.#held.set(roomKey, lease);
      this.log.info({ room: roomKey, epoch: lease.epoch }, 'room lease claimed: this node hosts the room');
    }
    return lease;
  }

  /** The room ended here (or this node stops): the lease is given back, with the class's stored state unless `keepState`. */
  async release(roomKey: string, options: { keepState?: boolean } = {}): Promise<void> {
    const lease = this.#held.get(roomKey);
    if (!lease) return;
    this.#held.delete(roomKey);
    await this.store.release(roomKey, lease, options).catch((error: unknown) => {
      // It lapses by itself within CLUSTER_LEASE_S.
      this.log.warn({ room: roomKey, err: error }, 'room lease not released (redis unreachable): it expires by itself');
    });
  }

  /** Every lease, at their epochs (for fenced writes of the class's state). */
  entries(): { roomKey: string; lease: Lease }[] {
    return [...this.#held].map(([roomKey, lease]) => ({ roomKey, lease }));
  }

  /** Renews every lease in one round trip. Throws RedisUnavailableError while Redis is unreachable (nothing is given up then). */
  async renewAll(): Promise<void> {
    const entries = this.entries();
    const results = await this.store.renew(entries, this.leaseMs);
    for (const [i, result] of results.entries()) {
      const { roomKey, lease } = entries[i]!;
      // Released or re-claimed while the renewal was on its way: not this renewal's business.
      if (this.#held.get(roomKey) !== lease || result === 'renewed') continue;
      if (result === 'missing') {
        // Redis lost it (a restart without persistence, or it lapsed while we could not reach Redis): claim it again.
        this.#held.delete(roomKey);
        const now = await this.acquire(roomKey);
        if (now.node === this.nodeId) {
          this.log.info({ room: roomKey, epoch: now.epoch, previousEpoch: lease.epoch }, 'room lease was missing in redis: claimed again');
          continue;
        }
        this.lost(roomKey, now);
      } else {
        this.#held.delete(roomKey);
        this.lost(roomKey, await this.store.leaseOf(roomKey).catch(() => undefined));
      }
    }
  }

  private lost(roomKey: string, holder: Lease | undefined): void {
    this.log.warn({ room: roomKey, holder: holder?.node, epoch: holder?.epoch }, 'room lease lost: another node hosts the room now; its participants here reconnect there');
    this.onLost(roomKey, holder);
  }
}
