/**
 * How the server's werift peer connections gather candidates.
 *
 * The server is ICE-lite, as SFUs usually are (Jitsi's bridge, mediasoup):
 * browsers run the connectivity checks and the server only answers them. That
 * also means werift never contacts a STUN server, whose built-in default
 * (a public Google host) we must never reach.
 */
import type { PeerConfig } from 'werift';
import { audioCodecs, headerExtensions, videoCodecs } from './codecs.js';
import type { PcRole } from './media-api.js';
import { serverCertificate } from './dtls-certificate.js';
import { nativeSrtpAvailable, nativeSrtpSessions, nativeSrtpUnavailable } from './native-srtp.js';

export interface MediaNetworkSettings {
  /** Addresses to advertise in candidates; empty means the host's own interfaces. */
  readonly advertiseIps: readonly string[];
  /** Local IPv4 address to bind sockets on; undefined means all. */
  readonly bindAddress: string | undefined;
  /** UDP port range; undefined means any free port. */
  readonly portRange: readonly [number, number] | undefined;
  /** Testing only: % of packets dropped each way. */
  readonly simulatedLossPercent?: number;
  /** SRTP by libsrtp (native-srtp.ts) or werift; default auto: native when the addon is built. */
  readonly srtp?: 'auto' | 'native' | 'js';
  /** transport-cc on the publish connections (MEDIA_TRANSPORT_CC); default on. */
  readonly transportCc?: boolean;
}

/** A participant's two connections are configured alike but for their codecs and extensions (codecs.ts). */
export type ServerPeerConfigs = Readonly<Record<PcRole, Partial<PeerConfig>>>;

export function serverPeerConfigs(net: MediaNetworkSettings): ServerPeerConfigs {
  return { publish: serverPeerConfig(net, 'publish'), subscribe: serverPeerConfig(net, 'subscribe') };
}

export function serverPeerConfig(net: MediaNetworkSettings, role: PcRole): Partial<PeerConfig> {
  const explicit = net.advertiseIps.length > 0;
  // transport-cc only where the browser sends and we give the feedback (codecs.ts says why).
  const options = { transportCc: role === 'publish' && (net.transportCc ?? true), simulcast: role === 'publish' };
  return {
    iceLite: true,
    iceServers: [],
    bundlePolicy: 'max-bundle',
    codecs: { audio: audioCodecs(options), video: videoCodecs(options) },
    headerExtensions: headerExtensions(options),
    // With explicit addresses we advertise exactly those and nothing werift
    // finds on the host's interfaces. Without, werift lists the host's
    // interfaces but skips loopback, which a browser on the same machine
    // (the quick start) can always reach, so we add it.
    iceUseIpv4: !explicit,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: explicit ? [...net.advertiseIps] : ['127.0.0.1'],
    iceInterfaceAddresses: net.bindAddress ? { udp4: net.bindAddress } : undefined,
    icePortRange: net.portRange ? [net.portRange[0], net.portRange[1]] : undefined,
    debug: lossDebug(net.simulatedLossPercent ?? 0),
    srtpSessionFactory: srtpFactory(net.srtp ?? 'auto'),
    // One certificate for the process, made without werift's certificate library (dtls-certificate.ts).
    certificates: [serverCertificate()],
  };
}

/** libsrtp's sessions for werift (undefined: werift's own); `native` without the addon is a start-up error naming the setting. */
function srtpFactory(choice: 'auto' | 'native' | 'js'): PeerConfig['srtpSessionFactory'] {
  if (choice === 'js') return undefined;
  if (!nativeSrtpAvailable()) {
    if (choice === 'native') {
      throw new Error(`MEDIA_SRTP=native, but the libsrtp addon is not built (${nativeSrtpUnavailable}): install libsrtp2-dev and run npm install again, or set MEDIA_SRTP=auto`);
    }
    return undefined;
  }
  return nativeSrtpSessions;
}

/**
 * werift's debug loss option keeps (not drops) the given percentage: it
 * drops a packet when `value / 100 < Math.random()`. So to drop p % we pass
 * 100 - p.
 */
function lossDebug(percent: number): PeerConfig['debug'] {
  if (percent <= 0) return {};
  return { inboundPacketLoss: 100 - percent, outboundPacketLoss: 100 - percent };
}
