/**
 * How browsers reach the server's peer connections.
 *
 * - DirectTransport: each werift peer connection listens on its own UDP port
 *   (any free port, or MEDIA_PORT_MIN-MAX) and advertises it.
 * - MuxTransport (default): one public UDP port and one TCP port for
 *   everybody, as Jitsi's bridge does, so a firewall or a Kubernetes Service
 *   needs exactly those. werift has no such mode, so its peer connections
 *   listen on loopback and a demultiplexer in front routes each browser to
 *   its connection by the ICE username of its first STUN check; the
 *   candidates we send browsers name the public ports.
 */
import type { PeerConfig } from 'werift';
import { serverPeerConfig, type MediaNetworkSettings } from '../peer-config.js';
import { MuxRegistry } from './mux-registry.js';
import { hostCandidates, readIceEndpoint, replaceCandidates } from './sdp-candidates.js';
import { TcpMux } from './tcp-mux.js';
import { UdpMux } from './udp-mux.js';

export interface MediaTransport {
  /** werift configuration for the server's peer connections. */
  readonly peerConfig: Partial<PeerConfig>;
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
  readonly peerConfig: Partial<PeerConfig>;

  constructor(net: MediaNetworkSettings) {
    this.peerConfig = serverPeerConfig(net);
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
  /** Address the public sockets bind to; undefined: all interfaces. */
  readonly bindAddress: string | undefined;
  readonly udpPort: number;
  /** undefined: no ICE-TCP. */
  readonly tcpPort: number | undefined;
  readonly simulatedLossPercent?: number;
}

/** werift's sockets live here; only the demultiplexer talks to them. */
const INTERNAL_ADDRESS = '127.0.0.1';

export class MuxTransport implements MediaTransport {
  readonly peerConfig: Partial<PeerConfig>;
  readonly registry = new MuxRegistry(INTERNAL_ADDRESS);
  readonly #ufragByPc = new Map<string, string>();
  #udp: UdpMux | undefined;
  #tcp: TcpMux | undefined;

  constructor(private readonly settings: MuxSettings) {
    this.peerConfig = serverPeerConfig({
      advertiseIps: [INTERNAL_ADDRESS],
      bindAddress: INTERNAL_ADDRESS,
      portRange: undefined,
      simulatedLossPercent: settings.simulatedLossPercent,
    });
  }

  get udpPort(): number | undefined {
    return this.#udp?.port;
  }

  get tcpPort(): number | undefined {
    return this.#tcp?.port;
  }

  async start(): Promise<void> {
    const bind = this.settings.bindAddress ?? '0.0.0.0';
    this.#udp = await UdpMux.listen(this.settings.udpPort, bind, this.registry).catch((e: Error) => {
      throw new Error(`cannot bind media UDP port ${bind}:${this.settings.udpPort} (MEDIA_UDP_PORT): ${e.message}`, { cause: e });
    });
    if (this.settings.tcpPort !== undefined) {
      this.#tcp = await TcpMux.listen(this.settings.tcpPort, bind, this.registry).catch((e: Error) => {
        this.#udp?.close();
        throw new Error(`cannot bind media TCP port ${bind}:${this.settings.tcpPort} (MEDIA_TCP_PORT): ${e.message}`, { cause: e });
      });
    }
  }

  localDescription(pcId: string, sdp: string): string {
    const endpoint = readIceEndpoint(sdp);
    if (!endpoint || !this.#udp) return sdp;
    const previous = this.#ufragByPc.get(pcId);
    if (previous && previous !== endpoint.ufrag) this.registry.unregister(previous);
    this.#ufragByPc.set(pcId, endpoint.ufrag);
    this.registry.register(endpoint.ufrag, { internalPort: endpoint.port, icePassword: endpoint.password });
    return replaceCandidates(sdp, hostCandidates(this.settings.advertiseIps, this.#udp.port, this.#tcp?.port));
  }

  release(pcId: string): void {
    const ufrag = this.#ufragByPc.get(pcId);
    if (ufrag === undefined) return;
    this.#ufragByPc.delete(pcId);
    this.registry.unregister(ufrag);
  }

  sessionCounts(): Record<string, number> {
    return this.registry.sessionCounts();
  }

  close(): void {
    this.registry.close();
    this.#udp?.close();
    this.#tcp?.close();
    this.#ufragByPc.clear();
  }
}
