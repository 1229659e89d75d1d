/**
 * Cluster mode (REDIS_URL), assembled: the Redis store, this node (registry
 * entry and room leases), the cluster room gateway with its relay links
 * out, and the relay connections in. ConfabServer owns one when REDIS_URL
 * is set; without it nothing here exists and nothing needs Redis.
 */
import type { WebSocket } from 'ws';
import type { ClusterConfig } from '../../config/config.js';
import type { Logger } from '../../util/log.js';
import type { LocalRoomGateway } from '../local-room-gateway.js';
import type { ResumeRegistry } from '../session-resume.js';
import { ClusterNode } from './cluster-node.js';
import { ClusterRoomGateway } from './cluster-room-gateway.js';
import { ClusterStore } from './cluster-store.js';
import { dialer } from './dial.js';
import type { NodeInfo } from './node-info.js';
import { RelayConnection, type RelayHostServices } from './relay-connection.js';
import { RemoteRoomGateway } from './remote-room-gateway.js';
import { RoomStateKeeper } from './room-state-keeper.js';
import { clusterLiveView } from './cluster-view.js';
import type { LiveSource } from '../live-view.js';

export interface ClusterOptions {
  readonly config: ClusterConfig;
  readonly media: () => NodeInfo['media'];
  readonly version: string;
  /** The page's ping interval (PING_INTERVAL_S): links ping at most this often, and at least every 2 s. */
  readonly pingIntervalMs: number;
  /** RESUME_GRACE_S: how long a host holds a relayed participant whose link dropped. */
  readonly resumeGraceMs: number;
}

/** What /readyz shows of the cluster. */
export interface ClusterView {
  readonly node: string;
  readonly state: NodeInfo['state'];
  readonly redis: 'reachable' | 'unreachable';
  /** Totals over every live node. */
  readonly rooms: number;
  readonly participants: number;
  readonly nodes: readonly Pick<NodeInfo, 'id' | 'url' | 'state' | 'rooms' | 'participants' | 'media' | 'version'>[];
}

export class Cluster {
  readonly store: ClusterStore;
  readonly node: ClusterNode;
  readonly gateway: ClusterRoomGateway;
  readonly #relays = new Set<RelayConnection>();
  readonly #services: RelayHostServices;

  constructor(
    options: ClusterOptions,
    local: LocalRoomGateway,
    resume: ResumeRegistry,
    private readonly log: Logger,
  ) {
    const { leaseMs } = options.config;
    this.store = new ClusterStore(options.config.redisUrl, log);
    this.node = new ClusterNode(
      this.store,
      {
        leaseMs,
        media: options.media,
        version: options.version,
        load: () => local.occupancy(),
        onLeaseLost: (roomKey) => local.evict(roomKey, 'server_shutting_down', 'This class moved to another server; reconnecting.'),
      },
      log,
    );
    const pingIntervalMs = Math.min(2000, options.pingIntervalMs);
    const remote = new RemoteRoomGateway({
      dial: dialer(this.node.auth),
      pingIntervalMs,
      // A host that does not take the link back within this is gone (or its room moved): the page reconnects.
      reconnectForMs: Math.min(options.resumeGraceMs, 3000),
      log,
    });
    const keeper = new RoomStateKeeper(this.store, this.node.leases, log);
    local.remember(keeper);
    this.gateway = new ClusterRoomGateway(local, this.node, this.store, remote, leaseMs, keeper, log);
    local.on('roomClosed', (room) => this.gateway.roomClosed(room.key));
    local.on('classEnded', (room) => keeper.classEnded(room));
    this.#services = {
      hostJoin: (request, channel) => this.gateway.hostJoin(request, channel),
      edgeInterrupted: (id, on) => this.gateway.edgeInterrupted(id, on),
      linkOf: (id) => this.gateway.linkOf(id),
      resume,
      pingIntervalMs,
    };
  }

  /** Connects to Redis (waiting a little for it, then in the background) and starts the registry beat, reachable at `url`. */
  async start(url: string): Promise<void> {
    await this.store.start();
    this.node.start(url);
  }

  /** Whether another node's link may come in. */
  authorizeLink(header: string | undefined): boolean {
    return this.node.auth.verify(header);
  }

  /** A relay link from another node (already authorized). */
  acceptRelay(ws: WebSocket, description: string): void {
    const connection = new RelayConnection(ws, description, this.#services, this.log);
    this.#relays.add(connection);
    ws.once('close', () => this.#relays.delete(connection));
  }

  /** The REST API's view of every node's rooms, this node's from `local`. */
  liveView(local: LiveSource): LiveSource {
    return clusterLiveView(this.node, this.store, local, this.log);
  }

  /** Relay links into this node (one per participant relayed here from another replica). */
  get relays(): ReadonlySet<RelayConnection> {
    return this.#relays;
  }

  /** SIGTERM: this node keeps hosting its rooms (relayed joins for them included) and takes no new ones. */
  drain(): void {
    this.node.drain();
  }

  /**
   * Stopping, step one: give the rooms up (their state stays in Redis for
   * the next host) and leave the registry, so the pages told to reconnect
   * next land on a live node; cut this edge's relay links without a
   * goodbye, so their hosts hold those participants for a resume elsewhere.
   */
  async stopHosting(): Promise<void> {
    this.node.drain();
    this.gateway.remote.dropAll();
    await this.node.stop();
  }

  /** Stopping, step two: participants relayed in are told to reconnect, like the pages here. */
  closeRelays(): void {
    for (const relay of [...this.#relays]) relay.shutdown();
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  view(): ClusterView {
    const nodes = this.node.nodes.map(({ id, url, state, rooms, participants, media, version }) => ({ id, url, state, rooms, participants, media, version }));
    return {
      node: this.node.id,
      state: this.node.state,
      redis: this.node.redisReachable ? 'reachable' : 'unreachable',
      rooms: nodes.reduce((n, x) => n + x.rooms, 0),
      participants: nodes.reduce((n, x) => n + x.participants, 0),
      nodes,
    };
  }
}
