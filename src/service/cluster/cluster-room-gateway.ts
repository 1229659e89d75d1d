/**
 * The room gateway in cluster mode. Whichever replica holds a participant's
 * signaling connection (the "edge") finds the room's host: the node whose
 * lease names it, or, when nobody hosts the room, the least-loaded live
 * node that takes new rooms (placement.ts), which claims the lease itself.
 * A room hosted here joins through LocalRoomGateway; a room hosted
 * elsewhere through RemoteRoomGateway's relay link. Either way the session
 * gets a ParticipantLink and never learns which.
 *
 * A host that died still holds its lease until its registry entry lapses
 * (CLUSTER_LEASE_S): a join for its room waits for that here, up to the
 * lease and two seconds more, and then lands on a live node; the class is
 * running again as soon as its pages have joined there.
 */
import { ConfabError } from '../../protocol/errors.js';
import type { Logger } from '../../util/log.js';
import type { LocalRoomGateway } from '../local-room-gateway.js';
import type { JoinRequest, ParticipantLink, ResumeRequest, RoomGateway } from '../room-gateway.js';
import type { SignalingChannel } from '../signaling-channel.js';
import type { ClusterNode } from './cluster-node.js';
import { RedisUnavailableError, type ClusterStore } from './cluster-store.js';
import { HostedLink } from './hosted-link.js';
import type { NodeInfo } from './node-info.js';
import { pickHost } from './placement.js';
import { HostUnreachableError, RedirectError } from './relay-link.js';
import type { RemoteRoomGateway } from './remote-room-gateway.js';
import type { RoomStateKeeper } from './room-state-keeper.js';

/** Between two looks at a room whose host does not answer (it is dying: its entry lapses within CLUSTER_LEASE_S). */
const RETRY_MS = 250;

export class ClusterRoomGateway implements RoomGateway {
  /** Participants of rooms hosted here, by id. */
  readonly #hosted = new Map<string, HostedLink>();
  /** Joins in progress per room hosted here: a room nobody got into gives its lease back. */
  readonly #pending = new Map<string, number>();
  /**
   * Rooms this edge placed lately, by node: the registry's load is as of
   * each node's last beat, so a burst of new classes would all go to the
   * node that was idle then. Each placement counts as one participant more
   * on its node until the registry has caught up.
   */
  readonly #placed: { node: string; at: number }[] = [];
  /** Rooms just claimed whose kept state is being read: joins wait for it. */
  readonly #loading = new Map<string, Promise<void>>();

  constructor(
    private readonly local: LocalRoomGateway,
    private readonly node: ClusterNode,
    private readonly store: ClusterStore,
    readonly remote: RemoteRoomGateway,
    private readonly leaseMs: number,
    private readonly keeper: RoomStateKeeper,
    private readonly log: Logger,
  ) {}

  async join(request: JoinRequest, channel: SignalingChannel): Promise<ParticipantLink> {
    const roomKey = request.address.key;
    // A room hosted here takes joins without asking Redis: its class goes on while Redis is down.
    if (this.node.leases.holds(roomKey)) {
      try {
        return await this.hostJoin(request, channel);
      } catch (error) {
        if (!(error instanceof RedirectError)) throw error;
      }
    }
    const deadline = Date.now() + this.leaseMs + 2000;
    const unreachable = new Set<string>();
    for (;;) {
      const host = await this.hostFor(roomKey, unreachable);
      try {
        if (host === 'wait') throw new HostUnreachableError('the host holds the lease');
        if (host.id === this.node.id) return await this.hostJoin(request, channel);
        return await this.remote.join(host, request, channel);
      } catch (error) {
        if (!(error instanceof RedirectError || error instanceof HostUnreachableError)) throw error;
        if (request.signal?.aborted) throw new ConfabError('server_not_ready', 'the connection went away while joining', { cause: error });
        if (Date.now() > deadline) {
          throw new ConfabError('server_not_ready', `no node could host room '${roomKey}' now: ${error.message}`, { cause: error });
        }
        if (error instanceof HostUnreachableError && host !== 'wait') {
          this.log.info({ room: roomKey, node: host.id, reason: error.message }, 'room host unreachable: waiting for its lease to lapse');
          unreachable.add(host.id);
        }
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  async resume(request: ResumeRequest, continueAs: (serverReceived: number) => SignalingChannel): Promise<ParticipantLink | undefined> {
    const roomKey = request.address.key;
    let holder: NodeInfo | undefined;
    try {
      const lease = await this.store.leaseOf(roomKey);
      // Nobody hosts the room now, or we do (and our registry did not know the session): it is gone.
      if (!lease || lease.node === this.node.id) return undefined;
      holder = this.node.nodes.find((n) => n.id === lease.node) ?? (await this.store.nodeInfo(lease.node));
    } catch (error) {
      throw this.notReady(error);
    }
    // Its host died: the page joins afresh (the join waits for the lease to lapse and re-places the room).
    if (!holder) return undefined;
    try {
      return await this.remote.resume(holder, request, continueAs);
    } catch (error) {
      if (error instanceof HostUnreachableError) return undefined;
      throw error;
    }
  }

  /**
   * Joins a participant to a room hosted here, claiming the room if nobody
   * hosts it. Throws RedirectError when another node does, or when this one
   * drains and the room is new. Used for joins arriving here and relayed in.
   */
  async hostJoin(request: JoinRequest, channel: SignalingChannel): Promise<ParticipantLink> {
    const roomKey = request.address.key;
    this.#pending.set(roomKey, (this.#pending.get(roomKey) ?? 0) + 1);
    try {
      if (!this.node.leases.holds(roomKey)) {
        if (this.node.state === 'draining') throw new RedirectError('this node is draining: it takes no new rooms');
        let lease;
        try {
          lease = await this.node.leases.acquire(roomKey);
        } catch (error) {
          throw this.notReady(error);
        }
        if (lease.node !== this.node.id) throw new RedirectError(`node ${lease.node} hosts room '${roomKey}'`);
        // Just claimed: what the class had on its previous host, before anyone is placed.
        if (!this.local.registry.get(roomKey) && !this.#loading.has(roomKey)) {
          const loading = this.keeper.load(roomKey).finally(() => this.#loading.delete(roomKey));
          this.#loading.set(roomKey, loading);
        }
      }
      await this.#loading.get(roomKey);
      const inner = await this.local.join(request, channel);
      const link = new HostedLink(inner);
      const id = inner.participantId;
      this.#hosted.set(id, link);
      inner.participant.once('closed', () => {
        if (this.#hosted.get(id) === link) this.#hosted.delete(id);
      });
      return link;
    } finally {
      const left = (this.#pending.get(roomKey) ?? 1) - 1;
      if (left > 0) this.#pending.set(roomKey, left);
      else this.#pending.delete(roomKey);
      // Nobody got in (refused, or gave up in the lobby): the room never started here.
      if (left === 0 && !this.local.registry.get(roomKey)) void this.node.leases.release(roomKey);
    }
  }

  /** The room ended here: its lease and stored state go. */
  roomClosed(roomKey: string): void {
    if (!this.#pending.has(roomKey)) void this.node.leases.release(roomKey);
  }

  /** A participant hosted here, for its relay link. */
  linkOf(participantId: string): HostedLink | undefined {
    return this.#hosted.get(participantId);
  }

  edgeInterrupted(participantId: string, interrupted: boolean): void {
    this.#hosted.get(participantId)?.setEdgeInterrupted(interrupted);
  }

  /** The node hosting the room, one to place it on, or 'wait' while its host is registered but does not answer. */
  private async hostFor(roomKey: string, unreachable: ReadonlySet<string>): Promise<NodeInfo | 'wait'> {
    try {
      const lease = await this.store.leaseOf(roomKey);
      if (lease) {
        const holder = lease.node === this.node.id ? this.node.info() : await this.store.nodeInfo(lease.node);
        if (holder) return unreachable.has(holder.id) ? 'wait' : holder;
        // Its registry entry is gone (it died or stopped): the node we pick takes the lease over.
      }
      const nodes = await this.store.listNodes();
      const pick = pickHost(this.withRecentPlacements(nodes), roomKey, unreachable);
      if (!pick) throw new ConfabError('server_not_ready', `no node takes new rooms now (${nodes.length} registered, ${unreachable.size} unreachable)`);
      this.#placed.push({ node: pick.id, at: Date.now() });
      return nodes.find((n) => n.id === pick.id) ?? pick;
    } catch (error) {
      throw this.notReady(error);
    }
  }

  /** The registry's load plus this edge's placements since (one beat and a bit: until the nodes have told). */
  private withRecentPlacements(nodes: readonly NodeInfo[]): NodeInfo[] {
    const since = Date.now() - this.leaseMs / 2;
    while (this.#placed.length > 0 && this.#placed[0]!.at < since) this.#placed.shift();
    return nodes.map((n) => {
      const extra = this.#placed.filter((p) => p.node === n.id).length;
      return extra === 0 ? n : { ...n, rooms: n.rooms + extra, participants: n.participants + extra };
    });
  }

  private notReady(error: unknown): unknown {
    if (error instanceof RedisUnavailableError) return new ConfabError('server_not_ready', `${error.message}: new joins wait for it`, { cause: error });
    return error;
  }
}
