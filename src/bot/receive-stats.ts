/**
 * What a bot received, per remote participant and kind. Packets are
 * attributed through the `tracks` lists of the subscribe offers
 * (mid -> participant), since the SFU rewrites nothing that names the sender.
 */
import type { RtpPacket } from 'werift';
import type { MediaKind, SubscribedTrack } from '../protocol/messages.js';
import { readVp8KeyframeSize, type FrameSize } from './vp8.js';

export interface KindStats {
  packets: number;
  bytes: number;
  /** Epoch ms of the first packet, or undefined. */
  firstPacketAt: number | undefined;
  lastPacketAt: number | undefined;
  /** Video: packets that start a keyframe (VP8 S bit and key bit). */
  keyframes: number;
  firstKeyframeAt: number | undefined;
  /** Video: the picture size in the last keyframe (RFC 6386 9.1): which simulcast layer the server forwards. */
  lastKeyframeSize: FrameSize | undefined;
  /** Video: keyframes received per picture size, keyed "640x480". */
  keyframeSizes: Record<string, number>;
  /** Video: frames completed (marker bit). */
  frames: number;
  /**
   * Packets the sequence numbers say were sent since the first one
   * (as in RTCP receiver reports); expected - packets is what stayed lost
   * after NACK/RTX repair.
   */
  expected: number;
  /** Copies of packets already counted (spurious NACK repairs); not in packets or bytes. */
  duplicates: number;
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
  lastKeyframeSize: undefined,
  keyframeSizes: {},
  frames: 0,
  expected: 0,
  duplicates: 0,
});

/** How far back duplicates are recognised, in packets (a few seconds of video). */
const DEDUPE_WINDOW = 4096;

interface SequenceState {
  first: number;
  highest: number;
  /** Extended sequence numbers seen, indexed by ext % DEDUPE_WINDOW. */
  readonly seen: Int32Array;
}

/**
 * Whether a VP8 RTP payload starts a keyframe (RFC 7741: S=1, PID=0 and the
 * frame tag's P bit clear). Parsed by hand: it runs for every video packet,
 * and werift's bit-by-bit parser cost the bot process more than its SRTP.
 */
export function isVp8KeyframeStart(payload: Buffer): boolean {
  const first = payload[0];
  if (first === undefined || (first & 0x10) === 0 || (first & 0x07) !== 0) return false;
  let offset = 1;
  if (first & 0x80) {
    const ext = payload[offset++] ?? 0;
    if (ext & 0x80) offset += (payload[offset] ?? 0) & 0x80 ? 2 : 1; // picture id, 7 or 15 bits
    if (ext & 0x40) offset++; // TL0PICIDX
    if (ext & 0x30) offset++; // TID/Y/KEYIDX
  }
  const tag = payload[offset];
  return tag !== undefined && (tag & 0x01) === 0;
}

export class ReceiveStats {
  readonly remotes = new Map<string, RemoteStats>();
  readonly #byMid = new Map<string, SubscribedTrack>();
  /** Extended (wrap-counted) first and highest sequence numbers per stream. */
  readonly #seq = new WeakMap<KindStats, SequenceState>();
  /** Packets on an m-line no offer named, or of the wrong kind (should stay 0). */
  unattributed = 0;

  /**
   * Applies a subscribe offer's track list. Mids the offer no longer lists
   * keep their last owner: a departed participant's last packets (in flight,
   * or retransmitted on NACK) still arrive after the offer that drops them.
   */
  setTracks(tracks: readonly SubscribedTrack[]): void {
    for (const track of tracks) this.#byMid.set(track.mid, track);
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
    if (!this.isNew(s, rtp.header.sequenceNumber)) {
      s.duplicates++;
      return;
    }
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
      const size = readVp8KeyframeSize(rtp.payload);
      if (size) {
        s.lastKeyframeSize = size;
        const key = `${size.width}x${size.height}`;
        s.keyframeSizes[key] = (s.keyframeSizes[key] ?? 0) + 1;
      }
    }
  }

  /** Tracks the sequence span (for `expected`) and tells a first copy from a repeat. */
  private isNew(s: KindStats, seq: number): boolean {
    let state = this.#seq.get(s);
    if (!state) {
      state = { first: seq, highest: seq, seen: new Int32Array(DEDUPE_WINDOW).fill(-1) };
      this.#seq.set(s, state);
    }
    const ahead = (seq - state.highest) & 0xffff;
    // Less than half the space ahead is new (possibly after a wrap); the rest is late or repaired.
    const ext = ahead < 0x8000 ? state.highest + ahead : state.highest - ((state.highest - seq) & 0xffff);
    if (ext > state.highest) state.highest = ext;
    // A packet from before the first one (reordered, or repaired late) widens the span from below.
    if (ext < state.first && state.first - ext < DEDUPE_WINDOW) state.first = ext;
    s.expected = state.highest - state.first + 1;
    const slot = ((ext % DEDUPE_WINDOW) + DEDUPE_WINDOW) % DEDUPE_WINDOW;
    if (state.seen[slot] === ext) return false;
    state.seen[slot] = ext;
    return true;
  }

  snapshot(): Record<string, RemoteStats> {
    const out: Record<string, RemoteStats> = {};
    const copy = (k: KindStats): KindStats => ({ ...k, keyframeSizes: { ...k.keyframeSizes } });
    for (const [id, r] of this.remotes) out[id] = { participantId: id, audio: copy(r.audio), video: copy(r.video) };
    return out;
  }
}
