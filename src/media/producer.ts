/**
 * A producer is one track a participant sends to the server: it receives
 * the publisher's RTP and fans it out to every sink of it (a Consumer per
 * subscriber, and a PipeSink per other media worker its room spans). While
 * paused (muted) nothing is forwarded.
 *
 * Its packets come from an input: the publisher's werift track in the
 * worker the publisher is on (`trackInput`), or a pipe from that worker in
 * another one (src/media/pipe/: the same producer, piped).
 */
import type { MediaStreamTrack, RTCRtpCodecParameters, RTCRtpReceiver, RtpPacket } from 'werift';
import type { MediaKind, TrackSource } from '../protocol/messages.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import type { ProducerInfo } from './media-api.js';
import type { PipedProducer } from './worker/worker-protocol.js';
import { mediaStats } from './media-stats.js';
import type { PublishedStream } from './path-health.js';

/** Chrome answers more than a few PLIs a second with needless keyframes. */
const MIN_KEYFRAME_REQUEST_INTERVAL_MS = 300;

export interface ProducerEvents {
  closed: [];
}

/** Where a producer's packets come from, and where its keyframe requests go. */
export interface ProducerInput {
  /** Calls `deliver` with every packet; returns how to stop. */
  subscribe(deliver: (rtp: RtpPacket) => void): () => void;
  /** Asks the publisher for a keyframe (a PLI; through the pipe: the producer in the publisher's worker does). */
  requestKeyframe(): void;
  /** Packets from the publisher itself (counted as received), not piped from another worker. */
  readonly fromPublisher: boolean;
  /** Whether it is the given werift track (a publish renegotiation finds its producers by track). */
  carries(track: MediaStreamTrack): boolean;
}

/** What a producer forwards to: a subscriber's Consumer, or a pipe to another worker. */
export interface ProducerSink {
  send(rtp: RtpPacket): void;
  /** The next packet follows a gap (a pause): keep sequence numbers contiguous, wait for a keyframe. */
  markGap(): void;
  close(): void;
}

/** The publisher's own track, in the worker it publishes to. */
export function trackInput(track: MediaStreamTrack, receiver: RTCRtpReceiver): ProducerInput {
  return {
    subscribe: (deliver) => track.onReceiveRtp.subscribe(deliver).unSubscribe,
    requestKeyframe: () => {
      if (track.ssrc !== undefined) receiver.sendRtcpPLI(track.ssrc).catch(() => undefined);
    },
    fromPublisher: true,
    carries: (other) => other === track,
  };
}

export class Producer extends TypedEmitter<ProducerEvents> implements PublishedStream {
  readonly consumers = new Set<ProducerSink>();
  packetsReceived = 0;
  /** ms timestamp of the last packet from the publisher (the publish path's health check reads it). */
  lastPacketAt: number | undefined;
  /** When it was last unmuted. */
  unpausedAt = Date.now();
  #paused = false;
  #closed = false;
  /** RFC 6464 audio levels seen since the last takeLoudness(): sum of (127 - dBov) and count. */
  #loudnessSum = 0;
  #levels = 0;
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
    private readonly input: ProducerInput,
    /** The negotiated id of the ssrc-audio-level header extension (RFC 6464), for audio from the publisher. */
    private readonly audioLevelId?: number,
  ) {
    super();
    this.#unsubscribe = input.subscribe((rtp) => this.forward(rtp));
  }

  get paused(): boolean {
    return this.#paused;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** What another worker needs to forward it (worker-protocol.ts). */
  piped(): PipedProducer {
    const codecs = this.codecs.map((c) => ({
      payloadType: c.payloadType,
      mimeType: c.mimeType,
      clockRate: c.clockRate,
      channels: c.channels,
      rtcpFeedback: c.rtcpFeedback.map((f) => ({ type: f.type, parameter: f.parameter })),
      parameters: c.parameters,
    }));
    return { ...this.info(), codecs, payloadType: this.codec.payloadType };
  }

  /** What the layers above know of it (media-api.ts). */
  info(): ProducerInfo {
    return { id: this.id, ownerId: this.ownerId, kind: this.kind, source: this.source, mimeType: this.codec.mimeType };
  }

  /** Whether this producer forwards the given werift track. */
  carries(track: MediaStreamTrack): boolean {
    return this.input.carries(track);
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
    if (this.kind !== 'video' || this.#closed) return;
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
    if (this.input.fromPublisher) mediaStats.keyframeRequests++;
    this.input.requestKeyframe();
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

  /**
   * How loud the publisher was since the last call: the mean of 127 - dBov
   * over its packets (0: silence, or muted, or no packets; Chrome's speech is
   * around 80-105). For the dominant speaker (src/conference/dominant-speaker.ts).
   */
  takeLoudness(): number {
    const loudness = this.#levels > 0 && !this.#paused ? this.#loudnessSum / this.#levels : 0;
    this.#loudnessSum = 0;
    this.#levels = 0;
    return loudness;
  }

  /** Whether it carries audio levels to report (audio from the publisher, with the extension negotiated). */
  get reportsLoudness(): boolean {
    return this.audioLevelId !== undefined && this.input.fromPublisher;
  }

  private forward(rtp: RtpPacket): void {
    this.packetsReceived++;
    this.lastPacketAt = Date.now();
    if (this.input.fromPublisher) {
      mediaStats.packetsReceived++;
      mediaStats.bytesReceived += rtp.payload.length;
    }
    if (this.audioLevelId !== undefined) {
      // One or two extensions per packet: a loop, no allocation. Level: the low 7 bits, in -dBov (RFC 6464 3).
      for (const extension of rtp.header.extensions) {
        if (extension.id !== this.audioLevelId || extension.payload.length < 1) continue;
        this.#loudnessSum += 127 - (extension.payload[0]! & 0x7f);
        this.#levels++;
        break;
      }
    }
    // Padding-only packets are Chrome's bandwidth probes, meaningless downstream.
    if (this.#paused || this.#closed || rtp.payload.length === 0) return;
    for (const consumer of this.consumers) consumer.send(rtp);
  }
}
