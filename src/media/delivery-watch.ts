/**
 * Does a subscriber still receive what we forward to it? Its browser says so
 * in RTCP receiver reports (RFC 3550 6.4.2): each report block carries the
 * extended highest sequence number received on one of our streams. While we
 * keep sending and no report shows progress on any stream, the path to that
 * browser is dead, whatever its ICE state says (issue 18: media went to a
 * path the browser had abandoned, consent checks on the new one kept
 * everything "connected").
 *
 * Pure bookkeeping with the clock passed in: MediaPeer feeds it and decides
 * what to do about a stall.
 */
import type { MediaKind } from '../protocol/messages.js';

/**
 * How long forwarded media may go unacknowledged before the path counts as
 * stalled. Browsers report every ~1 s on video streams and every ~5 s (up to
 * 7.5 s randomised, RFC 3550 6.3.1) on audio-only ones (libwebrtc's report
 * intervals), so each threshold is several report intervals long.
 */
export const STALL_AFTER_MS: Readonly<Record<MediaKind, number>> = { video: 5000, audio: 12_000 };

/** A stream counts as sending while its last packet is at most this old. */
const ACTIVE_WITHIN_MS = 2000;

interface StreamState {
  readonly kind: MediaKind;
  lastSentAt: number;
  /** First packet sent since the receiver last showed progress; undefined: all acknowledged. */
  unackedSince: number | undefined;
  packetsSinceProgress: number;
  /** The last extended highest sequence number reported, as is. */
  lastReported: number | undefined;
}

export interface Stall {
  /** Since when nothing we sent was acknowledged, in ms. */
  readonly silentForMs: number;
  /** Packets sent since the last acknowledged progress. */
  readonly unacknowledgedPackets: number;
  /** Streams that were sending. */
  readonly streams: number;
  /** Whether any receiver report came in that time (reports without progress: media lost on the way). */
  readonly reportsArriving: boolean;
}

export class DeliveryWatch {
  readonly #streams = new Map<number, StreamState>();
  /** When any stream last showed progress: the receiver acknowledged something new. */
  #lastProgressAt: number;
  /** Silence is counted from here at the earliest: creation, or a reset (a repair, a new connection). */
  #countFrom: number;
  #lastReportAt = -Infinity;

  constructor(now: number) {
    this.#lastProgressAt = now;
    this.#countFrom = now;
  }

  /** We forwarded a packet on stream `ssrc` (our outbound SSRC towards this subscriber). */
  sent(ssrc: number, kind: MediaKind, now: number): void {
    let stream = this.#streams.get(ssrc);
    if (!stream) {
      stream = { kind, lastSentAt: now, unackedSince: undefined, packetsSinceProgress: 0, lastReported: undefined };
      this.#streams.set(ssrc, stream);
    }
    stream.lastSentAt = now;
    stream.unackedSince ??= now;
    stream.packetsSinceProgress++;
  }

  /** A receiver report block for stream `ssrc` with its extended highest sequence number. */
  reported(ssrc: number, extendedHighestSequence: number, now: number): void {
    this.#lastReportAt = now;
    const stream = this.#streams.get(ssrc);
    if (!stream) return;
    if (stream.lastReported !== undefined && stream.lastReported === extendedHighestSequence) return;
    const first = stream.lastReported === undefined;
    stream.lastReported = extendedHighestSequence;
    // The first report only tells where the receiver stands; any later change is progress.
    if (first && stream.packetsSinceProgress === 0) return;
    stream.unackedSince = undefined;
    stream.packetsSinceProgress = 0;
    this.#lastProgressAt = now;
  }

  /** A stream ended (its consumer closed). */
  forget(ssrc: number): void {
    this.#streams.delete(ssrc);
  }

  /**
   * Starts afresh, e.g. after a repair or on a new connection: what was
   * sent before no longer counts toward a stall. Not progress: a repair is
   * judged on acknowledgements only (lastProgressAt).
   */
  reset(now: number): void {
    for (const stream of this.#streams.values()) {
      stream.unackedSince = undefined;
      stream.packetsSinceProgress = 0;
    }
    this.#countFrom = now;
  }

  /** Whether any stream is sending now. */
  sending(now: number): boolean {
    for (const stream of this.#streams.values()) if (now - stream.lastSentAt <= ACTIVE_WITHIN_MS) return true;
    return false;
  }

  /** When the receiver last acknowledged something new on any stream (resets do not move it). */
  get lastProgressAt(): number {
    return this.#lastProgressAt;
  }

  /**
   * The stall, if the subscriber's path is stalled now: some streams are
   * sending, and nothing has been acknowledged on any stream for longer than
   * the threshold of the kinds being sent (video's when any video is).
   */
  check(now: number): Stall | undefined {
    let oldestUnacked = Infinity;
    let packets = 0;
    let streams = 0;
    let video = false;
    for (const stream of this.#streams.values()) {
      if (now - stream.lastSentAt > ACTIVE_WITHIN_MS || stream.unackedSince === undefined) continue;
      streams++;
      packets += stream.packetsSinceProgress;
      oldestUnacked = Math.min(oldestUnacked, stream.unackedSince);
      if (stream.kind === 'video') video = true;
    }
    if (streams === 0) return undefined;
    const silentSince = Math.max(this.#lastProgressAt, this.#countFrom, oldestUnacked);
    const silentForMs = now - silentSince;
    if (silentForMs <= STALL_AFTER_MS[video ? 'video' : 'audio']) return undefined;
    return { silentForMs, unacknowledgedPackets: packets, streams, reportsArriving: now - this.#lastReportAt < silentForMs };
  }
}
