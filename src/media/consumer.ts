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
 */
import { RtcpRrPacket, RtcpSrPacket, RtpHeader, RtpPacket, type RTCRtpTransceiver, type RtcpPacket } from 'werift';
import type { MediaKind } from '../protocol/messages.js';
import { isKeyframeStart } from './keyframe.js';
import { mediaStats } from './media-stats.js';
import type { Producer } from './producer.js';
import { FRAME_STEP, mapPayloadTypes, SequenceRewriter, type NegotiatedCodec, type StreamPosition } from './rtp-rewrite.js';

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
  #awaitingKeyframe: boolean;
  #lastKeyframeAsk = 0;
  readonly #unsubscribers: (() => void)[] = [];

  constructor(
    readonly producer: Producer,
    readonly transceiver: RTCRtpTransceiver,
    continueFrom?: StreamPosition,
    private readonly delivery?: DeliverySink,
  ) {
    this.#sequence = new SequenceRewriter(FRAME_STEP[producer.kind], continueFrom);
    this.#awaitingKeyframe = producer.kind === 'video';
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

  requestKeyframe(): void {
    if (!this.#closed) this.producer.requestKeyframe();
  }

  /** The next forwarded packet follows a gap (pause); keep sequence numbers contiguous. */
  markGap(): void {
    this.#sequence.markGap();
    if (this.producer.kind === 'video') this.#awaitingKeyframe = true;
  }

  send(rtp: RtpPacket): void {
    if (this.#closed) return;
    if (this.#awaitingKeyframe) {
      // A keyframe sent before the subscriber's transport is up would be lost: keep waiting.
      const connected = this.transceiver.sender.dtlsTransport?.state === 'connected';
      if (!connected || !isKeyframeStart(this.producer.codec.mimeType, rtp.payload)) {
        this.askForKeyframe();
        return;
      }
      this.#awaitingKeyframe = false;
    }
    const src = rtp.header;
    const payloadType = this.payloadTypes().get(src.payloadType);
    // A codec the subscriber did not negotiate is never forwarded (its decoder would drop it anyway).
    if (payloadType === undefined) return;
    const { sequenceNumber, timestamp } = this.#sequence.rewrite(src.sequenceNumber, src.timestamp);
    const sender = this.transceiver.sender;
    const header = new RtpHeader({ marker: src.marker, payloadType, sequenceNumber, timestamp, ssrc: sender.ssrc, extensions: [] });
    mediaStats.packetsForwarded++;
    mediaStats.bytesForwarded += rtp.payload.length;
    // Counted only when it can leave: werift drops what is sent before DTLS is up. A packet that then
    // fails to leave still counts, so a transport that keeps failing is a stall the watch repairs.
    const connected = sender.dtlsTransport?.state === 'connected';
    if (connected) this.delivery?.sent(sender.ssrc, this.producer.kind, Date.now());
    // Now, not through sendRtp's promise chain (our werift patch): one forwarded packet, no promise.
    // werift catches its cipher and socket errors and returns 0 bytes; a throw from anything else
    // must not stop the producer's other consumers either.
    let bytes = 0;
    try {
      bytes = sender.sendRtpNow(new RtpPacket(header, rtp.payload));
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

  private askForKeyframe(): void {
    const now = Date.now();
    if (now - this.#lastKeyframeAsk < KEYFRAME_RETRY_MS) return;
    this.#lastKeyframeAsk = now;
    this.producer.requestKeyframe();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.producer.consumers.delete(this);
    for (const off of this.#unsubscribers.splice(0)) off();
    this.delivery?.forget(this.transceiver.sender.ssrc);
  }
}
