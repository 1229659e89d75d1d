/**
 * The codecs and RTP header extensions our peer connections negotiate.
 *
 * Audio is Opus; video is VP8 first, H.264 (constrained baseline, the profile
 * every browser decodes) second. RTX is declared right after its codec
 * (werift needs that order).
 *
 * The two connections of a participant differ in one thing, transport-wide
 * congestion control (transport-cc: the transport-wide sequence number
 * header extension of draft-holmer-rmcat-transport-wide-cc-extensions-01
 * and the `transport-cc` rtcp-fb):
 * - publish (the browser sends, we receive): negotiated (MEDIA_TRANSPORT_CC,
 *   on by default). Our patched werift acknowledges every packet with
 *   per-transport feedback, and Chrome's congestion controller (delay-based
 *   estimate and probing) reaches a camera's full rate within seconds
 *   instead of climbing from 300 kbit/s by its loss-based rule.
 * - subscribe (we send, the browser receives): left out. The feedback would
 *   go to werift's send-side estimator, which nothing here uses (we do not
 *   pace or pick layers yet) and which misreads feedback
 *   (`TransportWideCC.packetResults` counts one packet too many per
 *   run-length chunk and skips status-vector chunks, which Chrome writes
 *   whenever received and lost packets mix), while every forwarded packet
 *   would carry one more extension.
 * docs/architecture.md, "werift behaviours".
 */
import {
  RTCRtpCodecParameters,
  type RTCRtpHeaderExtensionParameters,
  useAbsSendTime,
  useNACK,
  usePLI,
  useFIR,
  useREMB,
  useSdesMid,
  useAudioLevelIndication,
  useTransportWideCC,
  useTWCC,
  useSdesRTPStreamId,
} from 'werift';

export const OPUS_PT = 111;
export const VP8_PT = 96;
export const VP8_RTX_PT = 97;
export const H264_PT = 102;
export const H264_RTX_PT = 103;

/** What a list is for: transport-cc or not (see the header comment), simulcast received or not; default without either. */
export interface CodecOptions {
  readonly transportCc?: boolean;
  /**
   * The publish connection receives simulcast: the RTP stream id extension (RFC 8852 3.1, `a=rid` of
   * RFC 8851) tells the layers apart until their SSRCs are known. Not the repaired stream id: RTX is
   * left out of simulcast m-lines (media-peer.ts says why).
   */
  readonly simulcast?: boolean;
}

const videoFeedback = (o: CodecOptions) => [useNACK(), usePLI(), useFIR(), useREMB(), ...(o.transportCc ? [useTWCC()] : [])];

export function audioCodecs(o: CodecOptions = {}): RTCRtpCodecParameters[] {
  return [
    new RTCRtpCodecParameters({
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
      payloadType: OPUS_PT,
      parameters: 'minptime=10;useinbandfec=1',
      ...(o.transportCc ? { rtcpFeedback: [useTWCC()] } : {}),
    }),
  ];
}

export function videoCodecs(o: CodecOptions = {}): RTCRtpCodecParameters[] {
  return [
    new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: VP8_PT, rtcpFeedback: videoFeedback(o) }),
    new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000, payloadType: VP8_RTX_PT, parameters: `apt=${VP8_PT}` }),
    new RTCRtpCodecParameters({
      mimeType: 'video/H264',
      clockRate: 90000,
      payloadType: H264_PT,
      rtcpFeedback: videoFeedback(o),
      parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    }),
    new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000, payloadType: H264_RTX_PT, parameters: `apt=${H264_PT}` }),
  ];
}

/**
 * The video codec list for a subscriber's m-line carrying a publisher's
 * track: only the publisher's codec (and its RTX), since an SFU forwards
 * payloads and cannot transcode.
 */
export function videoCodecsFor(mimeType: string, o: CodecOptions = {}): RTCRtpCodecParameters[] {
  const all = videoCodecs(o);
  const main = all.find((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase());
  if (!main) return all;
  const rtx = all.find((c) => c.mimeType === 'video/rtx' && c.parameters === `apt=${main.payloadType}`);
  return rtx ? [main, rtx] : [main];
}

export function headerExtensions(o: CodecOptions = {}): { audio: RTCRtpHeaderExtensionParameters[]; video: RTCRtpHeaderExtensionParameters[] } {
  const transportCc = o.transportCc ? [useTransportWideCC()] : [];
  return {
    audio: [useSdesMid(), useAudioLevelIndication(), ...transportCc],
    video: [useSdesMid(), useAbsSendTime(), ...transportCc, ...(o.simulcast ? [useSdesRTPStreamId()] : [])],
  };
}

/**
 * The room's video codec policy for mixed browsers. Every current browser
 * (Chrome, Firefox, Safari 12.1+, Edge) sends and decodes VP8, while H.264
 * is missing where Firefox has no OpenH264 plugin (Linux distributions, no
 * internet at first start): so a publisher sends VP8 whenever it offers it,
 * whatever it prefers, and every subscriber can decode every camera. A
 * publisher that offers only H.264 (some Safari/iOS versions prefer it)
 * sends H.264; subscribers that decode it receive it, the others are told
 * that this browser cannot show it (MediaPeer's trackUnavailable), never a
 * silent black tile. An SFU forwards payloads and cannot transcode.
 */
export const VIDEO_SEND_PREFERENCE = ['video/vp8', 'video/h264'] as const;

/** Every video codec the server negotiates; a subscriber that said nothing about its decoders is assumed to take these. */
export const SUPPORTED_VIDEO_CODECS: ReadonlySet<string> = new Set(VIDEO_SEND_PREFERENCE);

/**
 * Reorders a publisher's negotiated video codecs so the one the room policy
 * picks (and its RTX) comes first: the answer's first codec is the one the
 * publisher sends (RFC 3264 6.1). Returns the list unchanged when it offers
 * none of ours.
 */
export function orderForSending<T extends { mimeType: string; payloadType: number; parameters?: string }>(codecs: readonly T[]): T[] {
  const mime = (c: T): string => c.mimeType.toLowerCase();
  const chosen = VIDEO_SEND_PREFERENCE.map((m) => codecs.find((c) => mime(c) === m)).find((c) => c !== undefined);
  if (!chosen) return [...codecs];
  const rtx = codecs.find((c) => mime(c) === 'video/rtx' && new RegExp(`(^|;)\\s*apt=${chosen.payloadType}(;|$)`).test(c.parameters ?? ''));
  const first = rtx ? [chosen, rtx] : [chosen];
  return [...first, ...codecs.filter((c) => !first.includes(c))];
}

/** Normalises a client's list of decodable video codecs (mime types); undefined: what the server supports. */
export function receivableVideoCodecs(mimeTypes: readonly string[] | undefined): ReadonlySet<string> {
  return mimeTypes === undefined ? SUPPORTED_VIDEO_CODECS : new Set(mimeTypes.map((m) => m.toLowerCase()));
}
