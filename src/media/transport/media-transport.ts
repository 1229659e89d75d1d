/**
 * How browsers reach the server's peer connections.
 *
 * - DirectTransport: each werift peer connection listens on its own UDP port
 *   (any free port, or MEDIA_PORT_MIN-MAX) and advertises it.
 * - MuxTransport (default): one public UDP port and one TCP port for
 *   everybody, as Jitsi's bridge does, so a firewall or a Kubernetes Service
 *   needs exactly those. werift has no such mode: our werift patch lets it
 *   use our IceEndpoints instead of sockets of its own, and a demultiplexer
 *   routes each browser to its peer connection by the ICE username of its
 *   first (authenticated) STUN check. One hop: packets go from the public
 *   socket straight into werift and back. The candidates we send browsers
 *   name the public addresses and ports.
 */
import { serverPeerConfigs, type MediaNetworkSettings, type ServerPeerConfigs } from '../peer-config.js';
import { RouteTable } from './route-table.js';
import { hostCandidates, readIceCredentials, replaceCandidates } from './sdp-candidates.js';
import { TcpMux } from './tcp-mux.js';
import { UdpMux } from './udp-mux.js';

export interface MediaTransport {
  /** werift configuration for the server's peer connections, by role (they negotiate different extensions: codecs.ts). */
  readonly peerConfig: ServerPeerConfigs;
  /** Takes a local description werift made; returns the SDP to send the browser. */
  localDescription(pcId: string, sdp: string): string;
  /** The peer connection closed. */
  release(pcId: string): void;
  /** Current sessions by path (udp, tcp, relay), for metrics. */
  sessionCounts(): Record<string, number>;
  start(): Promise<void>;
  close(): void;
}

export class DirectTransport implements MediaTransport {
  readonly peerConfig: ServerPeerConfigs;

  constructor(net: MediaNetworkSettings) {
    this.peerConfig = serverPeerConfigs(net);
  }

  localDescription(_pcId: string, sdp: string): string {
    return sdp;
  }

  release(): void {}

  sessionCounts(): Record<string, number> {
    return {};
  }

  async start(): Promise<void> {}

  close(): void {}
}

export interface MuxSettings {
  /** Addresses browsers reach us at (MEDIA_ADVERTISE_IPS, or the host's). */
  readonly advertiseIps: readonly string[];
  /**
   * Local addresses the media port is bound on: MEDIA_BIND_ADDRESS, or
   * every IPv4 address of the host (one socket each, so replies leave from
   * the address that was asked).
   */
  readonly bindAddresses: readonly string[];
  readonly udpPort: number;
  /** undefined: no ICE-TCP. */
  readonly tcpPort: number | undefined;
  readonly simulatedLossPercent?: number;
  /** SRTP implementation (MEDIA_SRTP). */
  readonly srtp?: 'auto' | 'native' | 'js';
  /** transport-cc on publish connections (MEDIA_TRANSPORT_CC); default on. */
  readonly transportCc?: boolean;
}

export class MuxTransport implements MediaTransport {
  readonly peerConfig: ServerPeerConfigs;
  /** Which peer connection each ufrag and remote address leads to. */
  readonly routes = new RouteTable();
  readonly #ufragByPc = new Map<string, string>();
  #udp: UdpMux | undefined;
  #tcp: TcpMux | undefined;

  constructor(private readonly settings: MuxSettings) {
    if (settings.bindAddresses.length === 0) throw new Error('the media port needs at least one local address to bind');
    const configs = serverPeerConfigs({
      advertiseIps: settings.bindAddresses,
      bindAddress: undefined,
      portRange: undefined,
      simulatedLossPercent: settings.simulatedLossPercent,
      srtp: settings.srtp,
      transportCc: settings.transportCc,
    });
    // werift "gathers" one host candidate per bound address, each on an IceEndpoint of ours
    // instead of a socket of its own (our werift patch's iceUdpTransport).
    const iceUdpTransport = async (address: string) => this.routes.createEndpoint(address);
    this.peerConfig = { publish: { ...configs.publish, iceUdpTransport }, subscribe: { ...configs.subscribe, iceUdpTransport } };
  }

  get udpPort(): number | undefined {
    return this.#udp?.port;
  }

  get tcpPort(): number | undefined {
    return this.#tcp?.port;
  }

  /** ICE-TCP connections closed for a bound, by reason (metrics); empty without ICE-TCP. */
  get tcpClosedFor(): Readonly<Record<string, number>> {
    return this.#tcp?.closedFor ?? {};
  }

  async start(): Promise<void> {
    const addresses = this.settings.bindAddresses;
    this.#udp = await UdpMux.listen(this.settings.udpPort, addresses, this.routes).catch((e: Error) => {
      throw new Error(`cannot bind the media UDP port (MEDIA_UDP_PORT, MEDIA_BIND_ADDRESS) on ${e.message}`, { cause: e });
    });
    if (this.settings.tcpPort !== undefined) {
      // One listener: a connected TCP socket answers from the address it was reached on anyway.
      const bind = addresses.length === 1 ? addresses[0]! : '0.0.0.0';
      this.#tcp = await TcpMux.listen(this.settings.tcpPort, bind, this.routes).catch((e: Error) => {
        this.#udp?.close();
        throw new Error(`cannot bind media TCP port ${bind}:${this.settings.tcpPort} (MEDIA_TCP_PORT): ${e.message}`, { cause: e });
      });
    }
  }

  localDescription(pcId: string, sdp: string): string {
    const credentials = readIceCredentials(sdp);
    if (!credentials || !this.#udp) return sdp;
    const previous = this.#ufragByPc.get(pcId);
    if (previous && previous !== credentials.ufrag) this.routes.forgetUfrag(previous);
    this.#ufragByPc.set(pcId, credentials.ufrag);
    this.routes.setCredentials(credentials.ports, credentials.ufrag, credentials.password);
    return replaceCandidates(sdp, hostCandidates(this.settings.advertiseIps, this.#udp.port, this.#tcp?.port));
  }

  release(pcId: string): void {
    const ufrag = this.#ufragByPc.get(pcId);
    if (ufrag === undefined) return;
    this.#ufragByPc.delete(pcId);
    this.routes.forgetUfrag(ufrag);
  }

  sessionCounts(): Record<string, number> {
    return this.routes.routeCounts();
  }

  close(): void {
    this.routes.close();
    this.#udp?.close();
    this.#tcp?.close();
    this.#ufragByPc.clear();
  }
}
