/**
 * This process as a node of the cluster: its entry in the Redis registry
 * (refreshed every third of CLUSTER_LEASE_S, so it lapses within
 * CLUSTER_LEASE_S of the process dying), the leases of the rooms it hosts
 * (renewed on the same beat), the link secret, and the last listing of the
 * other nodes (for /readyz and the REST API; placement reads a fresh one).
 * Every refresh is best effort: while Redis is unreachable the node keeps
 * serving what it has and says so once.
 */
import { hostname, networkInterfaces } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../util/log.js';
import type { ClusterStore } from './cluster-store.js';
import { LinkAuth } from './link-auth.js';
import type { Lease, NodeInfo, NodeState } from './node-info.js';
import { RoomLeases } from './room-leases.js';

export interface ClusterNodeOptions {
  readonly leaseMs: number;
  /** Its advertised media address (read at every refresh: the ports are bound at start). */
  readonly media: () => NodeInfo['media'];
  readonly version: string;
  /** Rooms and participants hosted here: the load placement compares. */
  readonly load: () => { rooms: number; participants: number };
  /** A room's lease was lost: stop serving it here. */
  readonly onLeaseLost: (roomKey: string, holder: Lease | undefined) => void;
}

export class ClusterNode {
  readonly id = `${hostname()}-${randomBytes(3).toString('hex')}`;
  readonly startedAt = Date.now();
  readonly leases: RoomLeases;
  readonly auth = new LinkAuth();
  #url = '';
  #state: NodeState = 'ready';
  #nodes: NodeInfo[] = [];
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #redisOk = true;

  constructor(
    private readonly store: ClusterStore,
    private readonly options: ClusterNodeOptions,
    private readonly log: Logger,
  ) {
    this.leases = new RoomLeases(store, this.id, options.leaseMs, log, options.onLeaseLost);
    // Redis back (perhaps empty, after a restart): register and re-claim at once rather than at the next beat.
    store.onReady(() => void this.refresh());
  }

  get url(): string {
    return this.#url;
  }

  get state(): NodeState {
    return this.#state;
  }

  /** The nodes as last listed (this one included once registered). */
  get nodes(): readonly NodeInfo[] {
    return this.#nodes;
  }

  info(): NodeInfo {
    const { rooms, participants } = this.options.load();
    return { id: this.id, url: this.#url, media: this.options.media(), state: this.#state, rooms, participants, version: this.options.version, startedAt: this.startedAt };
  }

  /** Starts the beat once this node can be reached at `url`. */
  start(url: string): void {
    this.#url = url;
    this.log.info({ node: this.id, url, leaseS: this.options.leaseMs / 1000 }, 'cluster mode: this node shares rooms with the others through redis');
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), Math.max(200, Math.floor(this.options.leaseMs / 3)));
  }

  /** SIGTERM: keep hosting the rooms here, take no new ones. */
  drain(): void {
    this.#state = 'draining';
    void this.refresh();
  }

  /** One beat: registry entry, link secret, leases, listing. Never throws. */
  refresh(): Promise<void> {
    // One beat at a time: a slow Redis must not pile them up.
    this.#ticking ??= this.beat().finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  private async beat(): Promise<void> {
    if (!this.#url) return;
    try {
      await this.store.publishNode(this.info(), this.options.leaseMs);
      this.auth.update(await this.store.linkSecret());
      await this.leases.renewAll();
      this.#nodes = await this.store.listNodes();
      if (!this.#redisOk) this.log.info({ node: this.id, rooms: this.leases.size }, 'redis reachable again: registry and leases refreshed');
      this.#redisOk = true;
    } catch (error) {
      if (this.#redisOk) this.log.warn({ node: this.id, err: error }, 'cluster refresh failed: classes here go on; new joins that need redis are refused as server_not_ready until it is back');
      this.#redisOk = false;
    }
  }

  /** Whether the last beat reached Redis. */
  get redisReachable(): boolean {
    return this.#redisOk && this.store.available;
  }

  /** Stops the beat and leaves the registry; the leases still held are given back with the classes' state kept. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#ticking;
    for (const { roomKey } of this.leases.entries()) await this.leases.release(roomKey, { keepState: true });
    await this.store.removeNode(this.id).catch(() => undefined);
  }
}

/** The address other nodes reach this one on when CLUSTER_ADVERTISE_HOST is not set: the first non-loopback IPv4. */
export function defaultAdvertiseHost(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
