/**
 * Builds the media transport from the configuration: one UDP (and TCP) port
 * for everyone like Jitsi's bridge, or a port per peer connection.
 */
import { networkInterfaces } from 'node:os';
import type { Config } from '../config/config.js';
import { nativeSrtpAvailable } from '../media/native-srtp.js';
import { DirectTransport, MuxTransport, type MediaTransport } from '../media/transport/media-transport.js';

export interface MediaSetup {
  readonly transport: MediaTransport;
  /** For the start-up log: the one UDP and TCP media ports once bound (single mode), and whose SRTP encrypts. */
  boundPorts(): { mediaUdpPort?: number | undefined; mediaTcpPort?: number | undefined; srtp: 'libsrtp' | 'werift' };
}

/** One UDP (and TCP) port for all media by default; a port per peer connection in range mode. */
export function createMediaTransport(config: Config): MediaSetup {
  const m = config.media;
  // MEDIA_SRTP: libsrtp when the addon is built (auto) or required (native); werift's own otherwise.
  const srtp = m.srtp !== 'js' && nativeSrtpAvailable() ? 'libsrtp' : 'werift';
  if (m.portMode === 'range') return { transport: new DirectTransport(m), boundPorts: () => ({ srtp }) };
  const local = hostAddresses();
  const bindAddresses = m.bindAddress ? [m.bindAddress] : local;
  const advertiseIps = m.advertiseIps.length > 0 ? m.advertiseIps : local.filter((ip) => !ip.startsWith('169.254.'));
  // An advertised address of this host that the port is not bound on would take browsers' checks and never answer.
  const unbound = advertiseIps.filter((ip) => local.includes(ip) && !bindAddresses.includes(ip));
  if (unbound.length > 0) {
    throw new Error(
      `MEDIA_ADVERTISE_IPS lists ${unbound.join(', ')}, an address of this host that the media port is not bound on (MEDIA_BIND_ADDRESS=${m.bindAddress}): ` +
        'browsers would send there and get no answer. Advertise the bound address, or leave MEDIA_BIND_ADDRESS empty to bind every local address.',
    );
  }
  const mux = new MuxTransport({
    advertiseIps,
    bindAddresses,
    udpPort: m.udpPort,
    tcpPort: m.tcpPort,
    simulatedLossPercent: m.simulatedLossPercent,
    srtp: m.srtp,
  });
  return { transport: mux, boundPorts: () => ({ mediaUdpPort: mux.udpPort, mediaTcpPort: mux.tcpPort, srtp }) };
}

/** The host's IPv4 addresses, loopback last (a browser on this machine can always use it). */
function hostAddresses(): string[] {
  const ips = Object.values(networkInterfaces())
    .flat()
    .filter((i): i is NonNullable<typeof i> => !!i && i.family === 'IPv4')
    .map((i) => i.address);
  return [...new Set([...ips.filter((ip) => ip !== '127.0.0.1'), '127.0.0.1'])];
}
