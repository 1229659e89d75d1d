/**
 * werift configuration for a bot's peer connections.
 *
 * Codecs and header extensions are the server's own, so every m-line the
 * server offers or answers matches; transport-cc included, as Chrome offers
 * it: the server answers with it when MEDIA_TRANSPORT_CC is on, and its
 * feedback costs what a browser's would (the bot's subscribe answers follow
 * the server's offers, which never carry it: codecs.ts). With `loopbackOnly` the ICE agent binds
 * and advertises only 127.0.0.1 and queries our loopback STUN responder, so
 * no packet and no DNS lookup leaves the machine. Otherwise it uses the ICE
 * servers given (the welcome's), and the same responder when none is a STUN
 * server, so werift never falls back to a public Google host.
 */
import { RTP_EXTENSION_URI, useSdesRTPStreamId, type PeerConfig, type RTCRtpHeaderExtensionParameters } from 'werift';
import { audioCodecs, headerExtensions, videoCodecsFor } from '../media/codecs.js';
import { nativeSrtpAvailable, nativeSrtpSessions } from '../media/native-srtp.js';
import { icePathConfig, type IcePath } from './ice-path.js';

export interface BotNetworkOptions {
  /** Keep all media on 127.0.0.1 and make no outside lookups (tests, benchmark). */
  readonly loopbackOnly: boolean;
  /** ICE servers to use otherwise (e.g. the ones the server's welcome lists). */
  readonly iceServers?: readonly { urls: string | string[]; username?: string; credential?: string }[];
  /** Force media onto one path (see ice-path.ts); unset: UDP as before. A relay takes its TURN server from `iceServers`, also in loopback mode. */
  readonly icePath?: IcePath;
}

export function botPeerConfig(network: BotNetworkOptions, stunPort: number | undefined): Partial<PeerConfig> {
  return icePathConfig(basePeerConfig(network, stunPort), network.icePath, network.iceServers);
}

function basePeerConfig(network: BotNetworkOptions, stunPort: number | undefined): Partial<PeerConfig> {
  const base: Partial<PeerConfig> = {
    bundlePolicy: 'max-bundle',
    // VP8 (+RTX) only: the synthetic video is VP8.
    codecs: { audio: audioCodecs({ transportCc: true }), video: videoCodecsFor('video/VP8', { transportCc: true }) },
    headerExtensions: withRtpStreamId(headerExtensions({ transportCc: true })),
    // libsrtp when the addon is built, as the server uses it (~5x cheaper per packet than werift's
    // JavaScript SRTP): the bench's 30 bots share one process, which must not become the bottleneck.
    ...(nativeSrtpAvailable() ? { srtpSessionFactory: nativeSrtpSessions } : {}),
  };
  if (network.loopbackOnly) {
    if (stunPort === undefined) throw new Error('loopbackOnly needs the loopback STUN responder');
    return {
      ...base,
      // No interface scan: the only host candidate is loopback...
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      // ...and the server-reflexive query werift always makes goes to our responder, not to Google.
      iceServers: [{ urls: `stun:127.0.0.1:${stunPort}` }],
    };
  }
  const servers = (network.iceServers ?? []).map((s) => ({ ...s, urls: Array.isArray(s.urls) ? [...s.urls] : s.urls }));
  // With no STUN server among them werift would query stun.l.google.com; our local responder
  // answers instead (the server is ICE-lite and learns our address from our checks anyway).
  if (stunPort !== undefined && !hasStun(network.iceServers)) servers.unshift({ urls: `stun:127.0.0.1:${stunPort}` });
  return { ...base, iceServers: servers };
}

/**
 * The server's extensions plus sdes:rtp-stream-id on video (RFC 8852 3.1),
 * which a simulcast publisher needs to name its layers; Chrome offers it
 * on every video m-line too. Appended last, so the other ids stay as they
 * were; the server answers with it only when it receives simulcast.
 */
function withRtpStreamId(extensions: { audio: RTCRtpHeaderExtensionParameters[]; video: RTCRtpHeaderExtensionParameters[] }) {
  if (extensions.video.some((e) => e.uri === RTP_EXTENSION_URI.sdesRTPStreamID)) return extensions;
  return { audio: extensions.audio, video: [...extensions.video, useSdesRTPStreamId()] };
}

/** Whether any of these ICE servers is a STUN server (werift takes the first `stun:` URL). */
export function hasStun(servers: BotNetworkOptions['iceServers']): boolean {
  return (servers ?? []).some((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]).some((u) => u.startsWith('stun:')));
}
