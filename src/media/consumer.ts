/**
 * A consumer is one producer's track sent to one subscriber, over a
 * sendonly transceiver on the subscriber's peer connection.
 *
 * Each packet is re-headed per consumer (rtp-rewrite.ts): the subscriber's
 * payload type for the codec, contiguous sequence numbers across pauses,
 * and a continuous stream when a transceiver is reused for another
 * producer. werift's sendRtp rewrites the header in place and caches the
 * packet for NACK, so each subscriber gets its own header object; the
 * publisher's header extensions are dropped because werift writes the
 * subscriber's own (mid, abs-send-time) with its negotiated ids.
 *
 * Video starts (and resumes after a pause) on a keyframe: until one comes,
 * packets are held back and the publisher is asked again every second.
 *
 * Simulcast (issue 16): the layer above sets the layer this subscriber
 * should get (`preferredLayer`, from the size of its tile). The consumer
 * forwards one layer at a time and moves to another only on a keyframe of
 * it, rewriting sequence numbers, timestamps and VP8 picture ids so the
 * decoder sees one stream (rtp-rewrite.ts). A preferred layer that is not
 * arriving (paused at the publisher, or the encoder dropped it for lack of
 * bandwidth or CPU) is stood in for by the nearest one that is, below it
 * first.
 */
import { RtcpRrPacket, RtcpSrPacket, RtpHeader, RtpPacket, type RTCRtpTransceiver, type RtcpPacket } from 'werift';
import type { MediaKind } from '../protocol/messages.js';
import { isKeyframeStart } from './keyframe.js';
import { mediaStats } from './media-stats.js';
import type { Producer } from './producer.js';
import { FRAME_STEP, mapPayloadTypes, SequenceRewriter, Vp8PictureRewriter, type NegotiatedCodec, type StreamPosition } from './rtp-rewrite.js';

export type { StreamPosition } from './rtp-rewrite.js';

/** How often to repeat a keyframe request while waiting for one. */
const KEYFRAME_RETRY_MS = 1000;

/** Told what a consumer forwards and what the subscriber's receiver reports acknowledge (a DeliveryWatch). */
export interface DeliverySink {
  sent(ssrc: number, kind: MediaKind, now: number): void;
  reported(ssrc: number, extendedHighestSequence: number, now: number): void;
  forget(ssrc: number): void;
}

export class Consumer {
  #closed = false;
  readonly #sequence: SequenceRewriter;
  /** Publisher -> subscriber payload types, for the subscriber codecs it was computed from. */
  #payloadTypes: { for: readonly NegotiatedCodec[]; map: Map<number, number> } | undefined;
  /** The layer being forwarded; -1 while waiting for a keyframe (video starts or resumes on one). */
  #current: number;
  /** The layer of the last packet sent (-1: none yet): starting on another one after a pause is a switch. */
  #lastSentLayer = -1;
  /** ms timestamp of the last packet sent, for the timestamp step of a switch. */
  #lastSentAt = 0;
  #preferred: number;
  /** Only for VP8 with simulcast: picture ids continue across layer switches. */
  readonly #vp8: Vp8PictureRewriter | undefined;
  #lastKeyframeAsk = 0;
  #lastKeyframeAskLayer = -1;
  /** Payload bytes forwarded since the last takeBytes() (the subscriber's received rate, for its bandwidth). */
  #bytes = 0;
  readonly #unsubscribers: (() => void)[] = [];

  constructor(
    readonly producer: Producer,
    readonly transceiver: RTCRtpTransceiver,
    continueFrom?: StreamPosition,
    private readonly delivery?: DeliverySink,
    /** The simulcast layer to forward (index, lowest 0); default: the highest. */
    preferredLayer?: number,
  ) {
    this.#sequence = new SequenceRewriter(FRAME_STEP[producer.kind], continueFrom);
    this.#current = producer.kind === 'video' ? -1 : 0;
    this.#preferred = this.clampLayer(preferredLayer ?? producer.layerCount - 1);
    this.#vp8 = producer.layerCount > 1 && producer.codec.mimeType.toLowerCase() === 'video/vp8' ? new Vp8PictureRewriter() : undefined;
    producer.consumers.add(this);
    const sender = transceiver.sender;
    // A subscriber's decoder asks for a keyframe; route it to the publisher.
    this.#unsubscribers.push(sender.onPictureLossIndication.subscribe(() => this.requestKeyframe()).unSubscribe);
    this.#unsubscribers.push(sender.onReady.subscribe(() => this.requestKeyframe()).unSubscribe);
    if (delivery) this.#unsubscribers.push(sender.onRtcp.subscribe((packet) => this.onRtcp(packet, delivery)).unSubscribe);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Where this stream stands, to continue it on the same transceiver later. */
  get position(): StreamPosition | undefined {
    return this.#sequence.position;
  }

  /** Payload bytes forwarded since the last call. */
  takeBytes(): number {
    const bytes = this.#bytes;
    this.#bytes = 0;
    return bytes;
  }

  /** The layer being forwarded now (-1: none yet, waiting for a keyframe). */
  get currentLayer(): number {
    return this.#current;
  }

  get preferredLayer(): number {
    return this.#preferred;
  }

  /** Which simulcast layer this subscriber should get (the layer above decides, from its tile's size). */
  setPreferredLayer(layer: number): void {
    const next = this.clampLayer(layer);
    if (next === this.#preferred) return;
    this.#preferred = next;
    // Ask at once: the switch waits for the new layer's keyframe (the retry below covers a lost PLI).
    const target = this.targetLayer(Date.now());
    if (target !== this.#current) this.askForKeyframe(target, true);
  }

  /** The subscriber's decoder lost the picture (or its transport just came up): a keyframe of what it gets, or is about to. */
  requestKeyframe(): void {
    if (!this.#closed) this.producer.requestKeyframe(this.#current >= 0 ? this.#current : this.targetLayer(Date.now()));
  }

  /** The next forwarded packet follows a gap (pause); keep sequence numbers contiguous. */
  markGap(): void {
    this.#sequence.markGap();
    if (this.producer.kind === 'video') this.#current = -1;
  }

  send(rtp: RtpPacket, layer: number): void {
    if (this.#closed) return;
    if (layer !== this.#current) {
      // Another layer: only the one wanted now is taken, and only from a keyframe on.
      const now = this.producer.lastPacketAt ?? Date.now();
      const target = this.targetLayer(now);
      if (layer !== target) {
        // The layer in use went quiet (paused at the publisher): ask for the target's keyframe, once a second.
        if (this.#current >= 0 && !this.producer.isLayerLive(this.#current, now)) this.askForKeyframe(target);
        return;
      }
      // A keyframe sent before the subscriber's transport is up would be lost: keep waiting.
      const connected = this.transceiver.sender.dtlsTransport?.state === 'connected';
      if (!connected || !isKeyframeStart(this.producer.codec.mimeType, rtp.payload)) {
        this.askForKeyframe(target);
        return;
      }
      if (this.#lastSentLayer >= 0 && layer !== this.#lastSentLayer) {
        // Another RTP stream from here on: continue the numbers, the timestamp by the time since the last packet.
        this.#sequence.switchSource(((now - this.#lastSentAt) * this.producer.codec.clockRate) / 1000);
        this.#vp8?.switchSource();
      }
      this.#current = layer;
    }
    const src = rtp.header;
    const payloadType = this.payloadTypes().get(src.payloadType);
    // A codec the subscriber did not negotiate is never forwarded (its decoder would drop it anyway).
    if (payloadType === undefined) return;
    const rewritten = this.#sequence.rewrite(src.sequenceNumber, src.timestamp);
    if (!rewritten) return;
    const { sequenceNumber, timestamp } = rewritten;
    this.#lastSentLayer = layer;
    this.#lastSentAt = this.producer.lastPacketAt ?? Date.now();
    const payload = this.#vp8 ? this.#vp8.rewrite(rtp.payload) : rtp.payload;
    const sender = this.transceiver.sender;
    const header = new RtpHeader({ marker: src.marker, payloadType, sequenceNumber, timestamp, ssrc: sender.ssrc, extensions: [] });
    mediaStats.packetsForwarded++;
    mediaStats.bytesForwarded += rtp.payload.length;
    this.#bytes += rtp.payload.length;
    // Counted only when it can leave: werift drops what is sent before DTLS is up. A packet that then
    // fails to leave still counts, so a transport that keeps failing is a stall the watch repairs.
    const connected = sender.dtlsTransport?.state === 'connected';
    if (connected) this.delivery?.sent(sender.ssrc, this.producer.kind, Date.now());
    // Now, not through sendRtp's promise chain (our werift patch): one forwarded packet, no promise.
    // werift catches its cipher and socket errors and returns 0 bytes; a throw from anything else
    // must not stop the producer's other consumers either.
    let bytes = 0;
    try {
      bytes = sender.sendRtpNow(new RtpPacket(header, payload));
    } catch {
      bytes = 0;
    }
    if (connected && bytes === 0) mediaStats.sendErrors++;
  }

  /** The payload type map for the subscriber's current negotiation (recomputed when it renegotiates). */
  private payloadTypes(): Map<number, number> {
    const subscriber = this.transceiver.codecs;
    if (this.#payloadTypes?.for !== subscriber) this.#payloadTypes = { for: subscriber, map: mapPayloadTypes(this.producer.codecs, subscriber) };
    return this.#payloadTypes.map;
  }

  /** Receiver reports on our stream: how far the subscriber has received (RFC 3550 6.4.2). */
  private onRtcp(packet: RtcpPacket, delivery: DeliverySink): void {
    if (packet.type !== RtcpRrPacket.type && packet.type !== RtcpSrPacket.type) return;
    const ssrc = this.transceiver.sender.ssrc;
    for (const report of (packet as RtcpRrPacket).reports) {
      if (report.ssrc === ssrc) delivery.reported(ssrc, report.highestSequence, Date.now());
    }
  }

  /**
   * The layer to forward now: the preferred one while it arrives, else the
   * nearest arriving one below it, else above it (a picture, even a smaller
   * or larger one, beats none).
   */
  private targetLayer(now: number): number {
    const preferred = this.#preferred;
    const producer = this.producer;
    if (producer.layerCount === 1 || producer.isLayerLive(preferred, now)) return preferred;
    for (let layer = preferred - 1; layer >= 0; layer--) if (producer.isLayerLive(layer, now)) return layer;
    for (let layer = preferred + 1; layer < producer.layerCount; layer++) if (producer.isLayerLive(layer, now)) return layer;
    return preferred;
  }

  private clampLayer(layer: number): number {
    return Math.max(0, Math.min(this.producer.layerCount - 1, Math.trunc(layer)));
  }

  /** A keyframe of `layer`, at most once a second for the same layer unless `now` (a new preference: no reason to wait). */
  private askForKeyframe(layer: number, now = false): void {
    const at = Date.now();
    if (!now && layer === this.#lastKeyframeAskLayer && at - this.#lastKeyframeAsk < KEYFRAME_RETRY_MS) return;
    this.#lastKeyframeAsk = at;
    this.#lastKeyframeAskLayer = layer;
    this.producer.requestKeyframe(layer);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.producer.consumers.delete(this);
    for (const off of this.#unsubscribers.splice(0)) off();
    this.delivery?.forget(this.transceiver.sender.ssrc);
  }
}
