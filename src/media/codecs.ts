/**
 * The codecs and RTP header extensions our peer connections negotiate.
 *
 * Audio is Opus; video is VP8 first, H.264 (constrained baseline, the profile
 * every browser decodes) second. RTX is declared right after its codec
 * (werift needs that order). transport-cc is deliberately absent: werift's
 * receive-side TWCC feedback drove Chrome's send rate down to ~0.3 Mbit/s
 * (docs/architecture.md, "werift behaviours"); without it Chrome keeps a sane loss-based rate.
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
} from 'werift';

export const OPUS_PT = 111;
export const VP8_PT = 96;
export const VP8_RTX_PT = 97;
export const H264_PT = 102;
export const H264_RTX_PT = 103;

const videoFeedback = () => [useNACK(), usePLI(), useFIR(), useREMB()];

export function audioCodecs(): RTCRtpCodecParameters[] {
  return [
    new RTCRtpCodecParameters({
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
      payloadType: OPUS_PT,
      parameters: 'minptime=10;useinbandfec=1',
    }),
  ];
}

export function videoCodecs(): RTCRtpCodecParameters[] {
  return [
    new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: VP8_PT, rtcpFeedback: videoFeedback() }),
    new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000, payloadType: VP8_RTX_PT, parameters: `apt=${VP8_PT}` }),
    new RTCRtpCodecParameters({
      mimeType: 'video/H264',
      clockRate: 90000,
      payloadType: H264_PT,
      rtcpFeedback: videoFeedback(),
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
export function videoCodecsFor(mimeType: string): RTCRtpCodecParameters[] {
  const all = videoCodecs();
  const main = all.find((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase());
  if (!main) return all;
  const rtx = all.find((c) => c.mimeType === 'video/rtx' && c.parameters === `apt=${main.payloadType}`);
  return rtx ? [main, rtx] : [main];
}

export function headerExtensions(): { audio: RTCRtpHeaderExtensionParameters[]; video: RTCRtpHeaderExtensionParameters[] } {
  return {
    audio: [useSdesMid(), useAudioLevelIndication()],
    video: [useSdesMid(), useAbsSendTime()],
  };
}
