/**
 * Builds the media workers from the configuration: each with one UDP (and
 * TCP) port for everyone on it like Jitsi's bridge, or a port per peer
 * connection (range mode).
 */
import { networkInterfaces } from 'node:os';
import type { Config } from '../config/config.js';
import { nativeSrtpAvailable } from '../media/native-srtp.js';
import { MediaWorkerPool } from '../media/worker/media-worker-pool.js';
import type { WorkerSettings } from '../media/worker/worker-protocol.js';

export interface MediaSetup {
  readonly pool: MediaWorkerPool;
  /**
   * For the start-up log and the cluster's node record: each worker's UDP
   * and TCP media port once bound (single mode), and whose SRTP encrypts.
   */
  boundPorts(): { mediaUdpPorts: (number | undefined)[]; mediaTcpPorts: (number | undefined)[]; srtp: 'libsrtp' | 'werift' };
}

/**
 * MEDIA_WORKERS media workers; in single mode worker i has UDP port
 * MEDIA_UDP_PORT + i and TCP port MEDIA_TCP_PORT + i (0: any free ones), as
 * mediasoup's WebRtcServer has one per worker: Node 20 cannot hand a flow's
 * packets to one thread out of a shared port (SO_REUSEPORT with connected
 * per-flow sockets needs Node >= 22.12), and a port per worker keeps every
 * packet of a peer connection on the thread that owns it.
 */
export function createMediaWorkers(config: Config): MediaSetup {
  const m = config.media;
  // MEDIA_SRTP: libsrtp when the addon is built (auto) or required (native); werift's own otherwise.
  const srtp = m.srtp !== 'js' && nativeSrtpAvailable() ? 'libsrtp' : 'werift';
  const transports: WorkerSettings['transport'][] = [];
  if (m.portMode === 'range') {
    const network = { advertiseIps: m.advertiseIps, bindAddress: m.bindAddress, portRange: m.portRange, simulatedLossPercent: m.simulatedLossPercent, srtp: m.srtp, transportCc: m.transportCc };
    for (let i = 0; i < m.workers; i++) transports.push({ mode: 'range', network });
  } else {
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
    const nth = (first: number, i: number): number => (first === 0 ? 0 : first + i);
    for (let i = 0; i < m.workers; i++) {
      transports.push({
        mode: 'single',
        mux: {
          advertiseIps,
          bindAddresses,
          udpPort: nth(m.udpPort, i),
          tcpPort: m.tcpPort === undefined ? undefined : nth(m.tcpPort, i),
          simulatedLossPercent: m.simulatedLossPercent,
          srtp: m.srtp,
          transportCc: m.transportCc,
        },
      });
    }
  }
  const pool = new MediaWorkerPool(transports);
  return {
    pool,
    boundPorts: () => ({ mediaUdpPorts: pool.workers.map((w) => w.udpPort), mediaTcpPorts: pool.workers.map((w) => w.tcpPort), srtp }),
  };
}

/** The host's IPv4 addresses, loopback last (a browser on this machine can always use it). */
function hostAddresses(): string[] {
  const ips = Object.values(networkInterfaces())
    .flat()
    .filter((i): i is NonNullable<typeof i> => !!i && i.family === 'IPv4')
    .map((i) => i.address);
  return [...new Set([...ips.filter((ip) => ip !== '127.0.0.1'), '127.0.0.1'])];
}
