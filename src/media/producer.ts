/**
 * A producer is one track a participant sends to the server: it receives
 * the publisher's RTP and fans it out to every sink of it (a Consumer per
 * subscriber, and a PipeSink per other media worker its room spans). While
 * paused (muted) nothing is forwarded.
 *
 * Its packets come from an input: the publisher's werift track in the
 * worker the publisher is on (`trackInput`, or `simulcastInput` for a
 * camera sent as several layers), or a pipe from that worker in another one
 * (src/media/pipe/: the same producer, piped).
 *
 * A simulcast producer (issue 16) has one layer per rid, lowest first; every
 * packet is handed to the sinks with its layer index, and each Consumer
 * forwards one layer. The producer tracks which layers are arriving (dynacast
 * pauses some at the publisher) and how tall each is (read from its VP8
 * keyframes), and says when that changes (`layersChanged`).
 */
import type { MediaStreamTrack, RTCRtpCodecParameters, RTCRtpReceiver, RtpPacket } from 'werift';
import { vp8KeyframeSize } from './keyframe.js';
import type { MediaKind, TrackSource } from '../protocol/messages.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import type { LayerInfo, ProducerInfo } from './media-api.js';
import type { PipedProducer } from './worker/worker-protocol.js';
import { mediaStats } from './media-stats.js';
import type { PublishedStream } from './path-health.js';

/** Chrome answers more than a few PLIs a second with needless keyframes. */
const MIN_KEYFRAME_REQUEST_INTERVAL_MS = 300;
/**
 * A layer without a packet for this long is not arriving (dynacast paused
 * it, or the encoder dropped it): consumers fall back to one that is. The
 * lowest layer at 7.5 fps still sends a packet every ~130 ms.
 */
export const LAYER_TIMEOUT_MS = 1000;

export interface ProducerEvents {
  /** A layer's size changed (its first keyframe, or the encoder scaled it), or its bitrate moved (sampleBitrates). */
  layersChanged: [readonly LayerInfo[]];
  closed: [];
}

/** Where a producer's packets come from, and where its keyframe requests go. */
export interface ProducerInput {
  /** The simulcast layers' rids, lowest first; [''] for one plain stream. */
  readonly rids: readonly string[];
  /** Calls `deliver` with every packet and the index of its layer in `rids`; returns how to stop. */
  subscribe(deliver: (rtp: RtpPacket, layer: number) => void): () => void;
  /** Asks the publisher for a keyframe of one layer (a PLI; through the pipe: the producer in the publisher's worker does). */
  requestKeyframe(layer: number): void;
  /** Packets from the publisher itself (counted as received), not piped from another worker. */
  readonly fromPublisher: boolean;
  /** Whether it is the given werift track (a publish renegotiation finds its producers by track). */
  carries(track: MediaStreamTrack): boolean;
}

/** What a producer forwards to: a subscriber's Consumer, or a pipe to another worker. */
export interface ProducerSink {
  /** `layer`: the simulcast layer's index (0 without simulcast). */
  send(rtp: RtpPacket, layer: number): void;
  /** The next packet follows a gap (a pause): keep sequence numbers contiguous, wait for a keyframe. */
  markGap(): void;
  close(): void;
}

/** The publisher's own track, in the worker it publishes to. */
export function trackInput(track: MediaStreamTrack, receiver: RTCRtpReceiver): ProducerInput {
  return {
    rids: [''],
    subscribe: (deliver) => track.onReceiveRtp.subscribe((rtp) => deliver(rtp, 0)).unSubscribe,
    requestKeyframe: () => {
      if (track.ssrc !== undefined) receiver.sendRtcpPLI(track.ssrc).catch(() => undefined);
    },
    fromPublisher: true,
    carries: (other) => other === track,
  };
}

/**
 * A camera sent as simulcast: werift gives one track per rid (in the order
 * of the offer's a=simulcast line: our pages and bots list the lowest layer
 * first). A rid track learns its SSRC only from its packets, so the PLI
 * for a layer goes to the SSRC its packets came from.
 */
export function simulcastInput(tracks: readonly MediaStreamTrack[], receiver: RTCRtpReceiver): ProducerInput {
  const ssrcs: (number | undefined)[] = tracks.map((t) => t.ssrc);
  return {
    rids: tracks.map((t) => t.rid ?? ''),
    subscribe: (deliver) => {
      const offs = tracks.map(
        (track, layer) =>
          track.onReceiveRtp.subscribe((rtp) => {
            ssrcs[layer] = rtp.header.ssrc;
            deliver(rtp, layer);
          }).unSubscribe,
      );
      return () => offs.forEach((off) => off());
    },
    requestKeyframe: (layer) => {
      const ssrc = ssrcs[layer];
      if (ssrc !== undefined) receiver.sendRtcpPLI(ssrc).catch(() => undefined);
    },
    fromPublisher: true,
    carries: (other) => tracks.includes(other),
  };
}

/** A layer's state, mutable inside the producer. */
interface Layer {
  rid: string;
  width: number;
  height: number;
  /** ms timestamp of its last packet; -Infinity before any. */
  lastPacketAt: number;
  lastKeyframeRequest: number;
  pendingKeyframeTimer: NodeJS.Timeout | undefined;
  /** Payload bytes since the last bitrate sample. */
  bytes: number;
  /** bit/s at the last sample, and as last reported in `layersChanged`. */
  bitrate: number;
  reportedBitrate: number;
  /** When its size last changed. */
  sizeChangedAt: number;
}

/** Sizes a keyframe may claim, per side (pixels); anything else is a forged or broken header, ignored. */
const MIN_SIDE = 16;
const MAX_SIDE = 8192;
/** A layer's size is taken again at most this often: a publisher alternating sizes in forged keyframe headers must not make every packet an event. */
const SIZE_CHANGE_INTERVAL_MS = 1000;

/** A layer's bitrate is reported again when it moved by more than this share (and BITRATE_REPORT_MIN_BPS): the allocation above needs no finer. */
const BITRATE_REPORT_SHARE = 0.25;
const BITRATE_REPORT_MIN_BPS = 20_000;

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
  readonly #layers: Layer[];
  /** Sizes are read from keyframes only for VP8 (keyframe.ts). */
  readonly #readsSize: boolean;
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
    this.#layers = input.rids.map((rid) => ({
      rid,
      width: 0,
      height: 0,
      lastPacketAt: -Infinity,
      lastKeyframeRequest: 0,
      pendingKeyframeTimer: undefined,
      bytes: 0,
      bitrate: 0,
      reportedBitrate: 0,
      sizeChangedAt: -Infinity,
    }));
    this.#readsSize = kind === 'video' && codec.mimeType.toLowerCase() === 'video/vp8';
    this.#unsubscribe = input.subscribe((rtp, layer) => this.forward(rtp, layer));
  }

  /** How many layers it has (1 without simulcast). */
  get layerCount(): number {
    return this.#layers.length;
  }

  /** Each layer's rid, size and bitrate, lowest first. */
  get layers(): LayerInfo[] {
    return this.#layers.map(({ rid, width, height, bitrate }) => ({ rid, width, height, bitrate }));
  }

  #lastBitrateSample = Date.now();

  /**
   * Measures each layer's bitrate since the last call (the router calls it
   * once a second) and says so (`layersChanged`) when one moved by more than
   * a quarter: subscribers' layers are fitted to their bandwidth from these.
   * Video only (audio is never lowered), from the publisher only (a piped
   * copy's are the original's).
   */
  sampleBitrates(now: number): void {
    if (this.kind !== 'video' || !this.input.fromPublisher || this.#closed) return;
    const seconds = (now - this.#lastBitrateSample) / 1000;
    if (seconds <= 0) return;
    this.#lastBitrateSample = now;
    let changed = false;
    for (const layer of this.#layers) {
      layer.bitrate = Math.round((layer.bytes * 8) / seconds);
      layer.bytes = 0;
      const moved = Math.abs(layer.bitrate - layer.reportedBitrate);
      if (moved > BITRATE_REPORT_MIN_BPS && moved > layer.reportedBitrate * BITRATE_REPORT_SHARE) {
        layer.reportedBitrate = layer.bitrate;
        changed = true;
      }
    }
    if (changed) this.emit('layersChanged', this.layers);
  }

  /** Whether layer `index` had a packet within LAYER_TIMEOUT_MS of `now`. */
  isLayerLive(index: number, now: number): boolean {
    const layer = this.#layers[index];
    return layer !== undefined && now - layer.lastPacketAt < LAYER_TIMEOUT_MS;
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
    return { ...this.info(), codecs, payloadType: this.codec.payloadType, rids: this.#layers.map((l) => l.rid) };
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

  /** Asks the publisher for a keyframe (PLI) of one layer, or of every layer; coalesces bursts of requests per layer. */
  requestKeyframe(layer?: number): void {
    if (this.kind !== 'video' || this.#closed) return;
    if (layer === undefined) {
      for (let i = 0; i < this.#layers.length; i++) this.requestKeyframe(i);
      return;
    }
    const state = this.#layers[layer];
    if (!state) return;
    const now = Date.now();
    const wait = state.lastKeyframeRequest + MIN_KEYFRAME_REQUEST_INTERVAL_MS - now;
    if (wait > 0) {
      state.pendingKeyframeTimer ??= setTimeout(() => {
        state.pendingKeyframeTimer = undefined;
        this.requestKeyframe(layer);
      }, wait);
      return;
    }
    state.lastKeyframeRequest = now;
    if (this.input.fromPublisher) mediaStats.keyframeRequests++;
    this.input.requestKeyframe(layer);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const layer of this.#layers) clearTimeout(layer.pendingKeyframeTimer);
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

  private forward(rtp: RtpPacket, index: number): void {
    const layer = this.#layers[index];
    if (!layer) return;
    this.packetsReceived++;
    const now = Date.now();
    this.lastPacketAt = now;
    layer.lastPacketAt = now;
    layer.bytes += rtp.payload.length;
    if (this.#readsSize) this.readSize(layer, rtp.payload, now);
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
    for (const consumer of this.consumers) consumer.send(rtp, index);
  }

  /** A keyframe's size, when it differs from what the layer had: the layer choice above may change. */
  private readSize(layer: Layer, payload: Buffer, now: number): void {
    const size = vp8KeyframeSize(payload);
    if (!size || (size.width === layer.width && size.height === layer.height)) return;
    if (size.width < MIN_SIDE || size.height < MIN_SIDE || size.width > MAX_SIDE || size.height > MAX_SIDE) return;
    if (now - layer.sizeChangedAt < SIZE_CHANGE_INTERVAL_MS) return;
    layer.sizeChangedAt = now;
    layer.width = size.width;
    layer.height = size.height;
    this.emit('layersChanged', this.layers);
  }
}
