/**
 * The single-port demultiplexer's state: which peer connection each ICE
 * ufrag names, and which remote address (a route) leads to which of its
 * endpoints. Shared by the UDP sockets and the ICE-TCP listener.
 *
 * A peer connection has one IceEndpoint per local address the media port
 * is bound on, so an answer always leaves from the address the browser
 * sent to (a reply from another address fails the browser's ICE check).
 *
 * A route exists only after a valid ICE check from that address
 * (stun-check.ts), so nothing unauthenticated costs state. Everything is
 * bounded: routes per endpoint (ROUTES_PER_ENDPOINT, the oldest evicted),
 * idle routes expire (ROUTE_IDLE_MS), a ufrag belongs to one live peer
 * connection, and everything a peer connection had goes with it.
 */
import type { Address } from 'werift';
import { IceEndpoint, type EndpointOutput } from './ice-endpoint.js';
import { checkFirstPacket, type CandidateType, type Refusal } from './stun-check.js';

export type PathKind = 'udp' | 'tcp';

/** Browsers check from a handful of candidates (host per interface, srflx, relay, TCP): room for all, not for a flood. */
export const ROUTES_PER_ENDPOINT = 8;
/** A route nobody sent through for this long goes (ICE consent checks come every ~5 s on a live path). */
export const ROUTE_IDLE_MS = 30_000;

/** One remote address (a browser's UDP port, or one ICE-TCP connection) on one local address, leading to one endpoint. */
export class Route {
  lastSeen: number;
  packetsIn = 0;
  packetsOut = 0;
  #closed = false;

  constructor(
    readonly kind: PathKind,
    readonly remote: Address,
    readonly endpoint: IceEndpoint,
    readonly candidateType: CandidateType,
    /** Sends a packet to the remote: a UDP datagram from the socket it came in on, or an RFC 4571 frame on its TCP connection. */
    private readonly write: (data: Buffer) => void,
    /** Called once when the route goes (the TCP listener closes its connection). */
    private readonly onClose: () => void,
    now: number,
  ) {
    this.lastSeen = now;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A packet from the remote, for its peer connection. */
  deliver(data: Buffer, now: number): void {
    this.lastSeen = now;
    this.packetsIn++;
    this.endpoint.onData(data, this.remote);
  }

  send(data: Buffer): void {
    this.packetsOut++;
    this.write(data);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose();
  }
}

/** A peer connection as the table knows it: its endpoints by local address, and its current ufrag. */
interface PeerState {
  readonly endpoints: Map<string, IceEndpoint>;
  ufrag: string | undefined;
  password: string;
}

export class RouteTable implements EndpointOutput {
  /** Endpoint id -> its peer connection, once a description named it. */
  readonly #peerOf = new Map<number, PeerState>();
  readonly #endpoints = new Map<number, IceEndpoint>();
  readonly #routesOf = new Map<IceEndpoint, Set<Route>>();
  readonly #ufrags = new Map<string, PeerState>();
  readonly #routes = new Map<string, Route>();
  #nextId = 1;
  /** First packets dropped, by reason; sends werift made to an address without a route. */
  readonly dropped: Record<Refusal | 'no_endpoint' | 'no_route', number> = {
    not_stun: 0,
    not_binding_request: 0,
    no_username: 0,
    unknown_ufrag: 0,
    bad_integrity: 0,
    no_endpoint: 0,
    no_route: 0,
  };
  readonly #sweep: NodeJS.Timeout;

  constructor() {
    this.#sweep = setInterval(() => this.sweep(Date.now()), ROUTE_IDLE_MS / 3);
    this.#sweep.unref();
  }

  /** A new transport for a werift peer connection on one local address (werift's `iceUdpTransport`). */
  createEndpoint(localAddress: string): IceEndpoint {
    const endpoint = new IceEndpoint(this.#nextId++, localAddress, this);
    this.#endpoints.set(endpoint.id, endpoint);
    this.#routesOf.set(endpoint, new Set());
    return endpoint;
  }

  /**
   * The peer connection whose endpoints are `ids` (the ports of its host
   * candidates) now uses this ufrag and password: a new description, or an
   * ICE restart (the old ufrag stops opening routes; open routes stay).
   * Throws when another live peer connection has the ufrag: it would take
   * that one's media.
   */
  setCredentials(ids: readonly number[], ufrag: string, password: string): void {
    const endpoints = ids.map((id) => this.#endpoints.get(id)).filter((e): e is IceEndpoint => e !== undefined && !e.closed);
    if (endpoints.length === 0) throw new Error(`no open ICE endpoint among ${ids.join(', ')} (its peer connection closed?)`);
    const state = this.#peerOf.get(endpoints[0]!.id) ?? { endpoints: new Map<string, IceEndpoint>(), ufrag: undefined, password };
    const owner = this.#ufrags.get(ufrag);
    if (owner && owner !== state) throw new Error(`ICE ufrag ${ufrag} is already used by another live peer connection`);
    for (const endpoint of endpoints) {
      state.endpoints.set(endpoint.localAddress, endpoint);
      this.#peerOf.set(endpoint.id, state);
    }
    if (state.ufrag !== undefined && state.ufrag !== ufrag) this.#ufrags.delete(state.ufrag);
    state.ufrag = ufrag;
    state.password = password;
    this.#ufrags.set(ufrag, state);
  }

  /** The route a packet from this remote to this local address takes, if one is open. */
  route(kind: PathKind, local: string, remote: Address): Route | undefined {
    return this.#routes.get(routeKey(kind, local, remote));
  }

  /**
   * A first packet from a new remote to local address `local`: opens a route
   * when it is a valid ICE check for one of our peer connections (and
   * delivers it), else drops it and counts why. `write` sends to that
   * remote; `onClose` runs when the route goes.
   */
  admit(kind: PathKind, local: string, remote: Address, data: Buffer, write: (data: Buffer) => void, onClose: () => void, now: number): Route | undefined {
    const check = checkFirstPacket(data, (ufrag) => {
      const peer = this.#ufrags.get(ufrag);
      return peer && { target: peer, password: peer.password };
    });
    if (!check.ok) {
      this.dropped[check.refusal]++;
      return undefined;
    }
    const endpoint = check.target.endpoints.get(local);
    if (!endpoint) {
      this.dropped.no_endpoint++;
      return undefined;
    }
    const routes = this.#routesOf.get(endpoint)!;
    if (routes.size >= ROUTES_PER_ENDPOINT) {
      let oldest: Route | undefined;
      for (const r of routes) if (!oldest || r.lastSeen < oldest.lastSeen) oldest = r;
      if (oldest) this.removeRoute(oldest);
    }
    const key = routeKey(kind, local, remote);
    const previous = this.#routes.get(key);
    if (previous) this.removeRoute(previous);
    const route = new Route(kind, remote, endpoint, check.candidateType, write, onClose, now);
    routes.add(route);
    this.#routes.set(key, route);
    route.deliver(data, now);
    return route;
  }

  /** A route's connection ended (ICE-TCP closed), or the route is evicted: forget it. */
  removeRoute(route: Route): void {
    const key = routeKey(route.kind, route.endpoint.localAddress, route.remote);
    if (this.#routes.get(key) === route) this.#routes.delete(key);
    this.#routesOf.get(route.endpoint)?.delete(route);
    route.close();
  }

  /** werift sends: only along a route of this endpoint (UDP or TCP to that address, whichever was used last). */
  send(endpoint: IceEndpoint, data: Buffer, to: Address): void {
    const udp = this.#routes.get(routeKey('udp', endpoint.localAddress, to));
    const tcp = this.#routes.get(routeKey('tcp', endpoint.localAddress, to));
    const a = udp?.endpoint === endpoint ? udp : undefined;
    const b = tcp?.endpoint === endpoint ? tcp : undefined;
    const route = a && b ? (a.lastSeen >= b.lastSeen ? a : b) : (a ?? b);
    if (!route) {
      this.dropped.no_route++;
      return;
    }
    route.send(data);
  }

  /** werift closed this transport (its peer connection closed): its routes go, and the ufrag with the last endpoint. */
  closed(endpoint: IceEndpoint): void {
    this.#endpoints.delete(endpoint.id);
    for (const route of [...(this.#routesOf.get(endpoint) ?? [])]) this.removeRoute(route);
    this.#routesOf.delete(endpoint);
    const peer = this.#peerOf.get(endpoint.id);
    this.#peerOf.delete(endpoint.id);
    if (!peer) return;
    if (peer.endpoints.get(endpoint.localAddress) === endpoint) peer.endpoints.delete(endpoint.localAddress);
    if (peer.endpoints.size === 0 && peer.ufrag !== undefined) this.forgetUfrag(peer.ufrag);
  }

  /** Stops opening routes for this ufrag (the peer connection is going). */
  forgetUfrag(ufrag: string): void {
    const peer = this.#ufrags.get(ufrag);
    if (!peer) return;
    this.#ufrags.delete(ufrag);
    if (peer.ufrag === ufrag) peer.ufrag = undefined;
  }

  /** Live peer connections whose ufrag opens routes. */
  get ufragCount(): number {
    return this.#ufrags.size;
  }

  /** Endpoints werift has open (one per peer connection and local address). */
  get endpointCount(): number {
    return this.#endpoints.size;
  }

  /** Open routes by path: udp, tcp, and relay (through a TURN server, either transport). */
  routeCounts(): Record<string, number> {
    const counts: Record<string, number> = { udp: 0, tcp: 0, relay: 0 };
    for (const r of this.#routes.values()) counts[r.candidateType === 'relay' ? 'relay' : r.kind]!++;
    return counts;
  }

  sweep(now: number): void {
    for (const route of [...this.#routes.values()]) if (now - route.lastSeen > ROUTE_IDLE_MS) this.removeRoute(route);
  }

  close(): void {
    clearInterval(this.#sweep);
    for (const route of [...this.#routes.values()]) this.removeRoute(route);
    this.#ufrags.clear();
    this.#peerOf.clear();
    this.#routesOf.clear();
    this.#endpoints.clear();
  }
}

function routeKey(kind: PathKind, local: string, [address, port]: Address): string {
  return `${kind}|${local}|${address}|${port}`;
}
