/**
 * A consumer is one producer's track sent to one subscriber, over a
 * sendonly transceiver on the subscriber's peer connection.
 *
 * Each packet is re-headed per consumer: werift's sendRtp rewrites the
 * header in place and caches the packet for NACK, so sharing one object
 * between subscribers corrupts both (docs/architecture.md, "werift behaviours"). The publisher's
 * header extensions are dropped because werift writes its own.
 *
 * Video starts (and resumes after a pause) on a keyframe: until one comes,
 * packets are held back and the publisher is asked again every second.
 *
 * Sequence numbers stay contiguous downstream across pauses (mute), and when
 * a transceiver is reused for another producer both sequence numbers and
 * timestamps continue from where the previous stream stopped, so the
 * browser's jitter buffer sees one steady stream, not a jump.
 */
import { RtcpRrPacket, RtcpSrPacket, RtpHeader, RtpPacket, type RTCRtpTransceiver, type RtcpPacket } from 'werift';
import type { MediaKind } from '../protocol/messages.js';
import { isKeyframeStart } from './keyframe.js';
import { mediaStats } from './media-stats.js';
import type { Producer } from './producer.js';

/** How often to repeat a keyframe request while waiting for one. */
const KEYFRAME_RETRY_MS = 1000;

/** Where a reused transceiver's previous stream stopped. */
export interface StreamPosition {
  readonly sequenceNumber: number;
  readonly timestamp: number;
}

/** Told what a consumer forwards and what the subscriber's receiver reports acknowledge (a DeliveryWatch). */
export interface DeliverySink {
  sent(ssrc: number, kind: MediaKind, now: number): void;
  reported(ssrc: number, extendedHighestSequence: number, now: number): void;
  forget(ssrc: number): void;
}

export class Consumer {
  #closed = false;
  #seqOffset = 0;
  #tsOffset = 0;
  #last: StreamPosition | undefined;
  /** Next packet follows a pause: re-base sequence numbers only. */
  #gap = false;
  /** Next packet is the first of a new source on a reused transceiver: re-base both. */
  #switch: StreamPosition | undefined;
  #awaitingKeyframe: boolean;
  #lastKeyframeAsk = 0;
  readonly #unsubscribers: (() => void)[] = [];

  constructor(
    readonly producer: Producer,
    readonly transceiver: RTCRtpTransceiver,
    continueFrom?: StreamPosition,
    private readonly delivery?: DeliverySink,
  ) {
    this.#switch = continueFrom;
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
    return this.#last ?? this.#switch;
  }

  requestKeyframe(): void {
    if (!this.#closed) this.producer.requestKeyframe();
  }

  /** The next forwarded packet follows a gap (pause); keep sequence numbers contiguous. */
  markGap(): void {
    this.#gap = true;
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
    const previous = this.#switch ?? (this.#gap ? this.#last : undefined);
    if (previous) {
      this.#seqOffset = (previous.sequenceNumber + 1 - src.sequenceNumber) & 0xffff;
      if (this.#switch) {
        // One frame interval after the previous source's last packet.
        const step = this.producer.kind === 'video' ? 3000 : 960;
        this.#tsOffset = (previous.timestamp + step - src.timestamp) >>> 0;
      }
    }
    this.#switch = undefined;
    this.#gap = false;
    const sequenceNumber = (src.sequenceNumber + this.#seqOffset) & 0xffff;
    const timestamp = (src.timestamp + this.#tsOffset) >>> 0;
    this.#last = { sequenceNumber, timestamp };
    const header = new RtpHeader({
      marker: src.marker,
      payloadType: src.payloadType,
      sequenceNumber,
      timestamp,
      ssrc: src.ssrc,
      extensions: [],
    });
    mediaStats.packetsForwarded++;
    mediaStats.bytesForwarded += rtp.payload.length;
    const sender = this.transceiver.sender;
    this.delivery?.sent(sender.ssrc, this.producer.kind, Date.now());
    sender.sendRtp(new RtpPacket(header, rtp.payload)).catch(() => undefined);
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
