/**
 * A producer is one track a participant sends to the server: it receives
 * the publisher's RTP and fans it out to every Consumer of it. While paused
 * (muted) nothing is forwarded.
 */
import type { MediaStreamTrack, RTCRtpCodecParameters, RTCRtpReceiver, RtpPacket } from 'werift';
import type { MediaKind, TrackSource } from '../protocol/messages.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import type { Consumer } from './consumer.js';
import type { ProducerInfo } from './media-api.js';
import { mediaStats } from './media-stats.js';
import type { PublishedStream } from './path-health.js';

/** Chrome answers more than a few PLIs a second with needless keyframes. */
const MIN_KEYFRAME_REQUEST_INTERVAL_MS = 300;

export interface ProducerEvents {
  closed: [];
}

export class Producer extends TypedEmitter<ProducerEvents> implements PublishedStream {
  readonly consumers = new Set<Consumer>();
  packetsReceived = 0;
  /** ms timestamp of the last packet from the publisher (the publish path's health check reads it). */
  lastPacketAt: number | undefined;
  /** When it was last unmuted. */
  unpausedAt = Date.now();
  #paused = false;
  #closed = false;
  #lastKeyframeRequest = 0;
  #pendingKeyframeTimer: NodeJS.Timeout | undefined;
  readonly #unsubscribe: () => void;

  constructor(
    readonly id: string,
    readonly ownerId: string,
    readonly kind: MediaKind,
    readonly source: TrackSource,
    /** The codec the publisher sends (by the payload type of its first packet). */
    readonly codec: RTCRtpCodecParameters,
    /** Every codec negotiated on the publisher's m-line (with its RTX), to map payload types per subscriber. */
    readonly codecs: readonly RTCRtpCodecParameters[],
    private readonly track: MediaStreamTrack,
    private readonly receiver: RTCRtpReceiver,
  ) {
    super();
    this.#unsubscribe = track.onReceiveRtp.subscribe((rtp) => this.forward(rtp)).unSubscribe;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** What the layers above know of it (media-api.ts). */
  info(): ProducerInfo {
    return { id: this.id, ownerId: this.ownerId, kind: this.kind, source: this.source, mimeType: this.codec.mimeType };
  }

  /** Whether this producer forwards the given werift track. */
  carries(track: MediaStreamTrack): boolean {
    return this.track === track;
  }

  setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    if (!paused) this.unpausedAt = Date.now();
    for (const consumer of this.consumers) consumer.markGap();
    // Subscribers need a fresh keyframe to show video again.
    if (!paused) this.requestKeyframe();
  }

  /** Asks the publisher for a keyframe (PLI), coalescing bursts of requests. */
  requestKeyframe(): void {
    if (this.kind !== 'video' || this.#closed || this.track.ssrc === undefined) return;
    const now = Date.now();
    const wait = this.#lastKeyframeRequest + MIN_KEYFRAME_REQUEST_INTERVAL_MS - now;
    if (wait > 0) {
      this.#pendingKeyframeTimer ??= setTimeout(() => {
        this.#pendingKeyframeTimer = undefined;
        this.requestKeyframe();
      }, wait);
      return;
    }
    this.#lastKeyframeRequest = now;
    mediaStats.keyframeRequests++;
    this.receiver.sendRtcpPLI(this.track.ssrc).catch(() => undefined);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#pendingKeyframeTimer);
    this.#unsubscribe();
    for (const consumer of [...this.consumers]) consumer.close();
    this.emit('closed');
    this.removeAllListeners();
  }

  private forward(rtp: RtpPacket): void {
    this.packetsReceived++;
    this.lastPacketAt = Date.now();
    mediaStats.packetsReceived++;
    mediaStats.bytesReceived += rtp.payload.length;
    // Padding-only packets are Chrome's bandwidth probes, meaningless downstream.
    if (this.#paused || this.#closed || rtp.payload.length === 0) return;
    for (const consumer of this.consumers) consumer.send(rtp);
  }
}
