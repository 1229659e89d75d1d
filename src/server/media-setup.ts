/**
 * Builds the media transport from the configuration: one UDP (and TCP) port
 * for everyone like Jitsi's bridge, or a port per peer connection.
 */
import { networkInterfaces } from 'node:os';
import type { Config } from '../config/config.js';
import { DirectTransport, MuxTransport, type MediaTransport } from '../media/transport/media-transport.js';

export interface MediaSetup {
  readonly transport: MediaTransport;
  /** For the start-up log: the one UDP and TCP media ports once bound (single mode); nothing in range mode. */
  boundPorts(): { mediaUdpPort?: number | undefined; mediaTcpPort?: number | undefined };
}

/** One UDP (and TCP) port for all media by default; a port per peer connection in range mode. */
export function createMediaTransport(config: Config): MediaSetup {
  const m = config.media;
  if (m.portMode === 'range') return { transport: new DirectTransport(m), boundPorts: () => ({}) };
  const mux = new MuxTransport({
    advertiseIps: m.advertiseIps.length > 0 ? m.advertiseIps : hostAddresses(),
    bindAddress: m.bindAddress,
    udpPort: m.udpPort,
    tcpPort: m.tcpPort,
    simulatedLossPercent: m.simulatedLossPercent,
  });
  return { transport: mux, boundPorts: () => ({ mediaUdpPort: mux.udpPort, mediaTcpPort: mux.tcpPort }) };
}

/** The host's IPv4 addresses, loopback included (a browser on this machine can always use it). */
function hostAddresses(): string[] {
  const ips = Object.values(networkInterfaces())
    .flat()
    .filter((i): i is NonNullable<typeof i> => !!i && i.family === 'IPv4' && !i.address.startsWith('169.254.'))
    .map((i) => i.address);
  return [...ips.filter((ip) => ip !== '127.0.0.1'), '127.0.0.1'];
}
