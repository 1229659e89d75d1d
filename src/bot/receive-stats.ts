/**
 * What a bot received, per remote participant and kind. Packets are
 * attributed through the `tracks` list of the latest subscribe offer
 * (mid -> participant), since the SFU rewrites nothing that names the sender.
 */
import { Vp8RtpPayload, type RtpPacket } from 'werift';
import type { MediaKind, SubscribedTrack } from '../protocol/messages.js';

export interface KindStats {
  packets: number;
  bytes: number;
  /** Epoch ms of the first packet, or undefined. */
  firstPacketAt: number | undefined;
  lastPacketAt: number | undefined;
  /** Video: packets that start a keyframe (VP8 S bit and key bit). */
  keyframes: number;
  firstKeyframeAt: number | undefined;
  /** Video: frames completed (marker bit). */
  frames: number;
}

export interface RemoteStats {
  readonly participantId: string;
  readonly audio: KindStats;
  readonly video: KindStats;
}

const emptyKind = (): KindStats => ({
  packets: 0,
  bytes: 0,
  firstPacketAt: undefined,
  lastPacketAt: undefined,
  keyframes: 0,
  firstKeyframeAt: undefined,
  frames: 0,
});

function isVp8KeyframeStart(payload: Buffer): boolean {
  try {
    const vp8 = Vp8RtpPayload.deSerialize(payload);
    return vp8.isPartitionHead && vp8.sBit === 1 && vp8.isKeyframe;
  } catch {
    return false;
  }
}

export class ReceiveStats {
  readonly remotes = new Map<string, RemoteStats>();
  #byMid = new Map<string, SubscribedTrack>();
  /** Packets on an m-line the latest offer does not name (should stay 0). */
  unattributed = 0;

  /** The latest subscribe offer's track list replaces the mapping. */
  setTracks(tracks: readonly SubscribedTrack[]): void {
    this.#byMid = new Map(tracks.map((t) => [t.mid, t]));
  }

  trackFor(mid: string): SubscribedTrack | undefined {
    return this.#byMid.get(mid);
  }

  record(mid: string | undefined, kind: MediaKind, rtp: RtpPacket): void {
    const track = mid === undefined ? undefined : this.#byMid.get(mid);
    if (!track || track.kind !== kind) {
      this.unattributed++;
      return;
    }
    let remote = this.remotes.get(track.participantId);
    if (!remote) {
      remote = { participantId: track.participantId, audio: emptyKind(), video: emptyKind() };
      this.remotes.set(track.participantId, remote);
    }
    const s = remote[kind];
    const now = Date.now();
    s.packets++;
    s.bytes += rtp.payload.length;
    s.firstPacketAt ??= now;
    s.lastPacketAt = now;
    if (kind !== 'video') return;
    if (rtp.header.marker) s.frames++;
    if (isVp8KeyframeStart(rtp.payload)) {
      s.keyframes++;
      s.firstKeyframeAt ??= now;
    }
  }

  snapshot(): Record<string, RemoteStats> {
    const out: Record<string, RemoteStats> = {};
    for (const [id, r] of this.remotes) out[id] = { participantId: id, audio: { ...r.audio }, video: { ...r.video } };
    return out;
  }
}
