/**
 * A consumer is one producer's track sent to one subscriber, over a
 * sendonly transceiver on the subscriber's peer connection.
 *
 * Each packet is re-headed per consumer: werift's sendRtp rewrites the
 * header in place and caches the packet for NACK, so sharing one object
 * between subscribers corrupts both (field notes, item 1). The publisher's
 * header extensions are dropped because werift writes its own.
 */
import { RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import { mediaStats } from './media-stats.js';
import type { Producer } from './producer.js';

export class Consumer {
  #closed = false;
  /** Added to the source sequence number so a pause leaves no gap downstream. */
  #seqOffset = 0;
  #lastOutSeq: number | undefined;
  #gap = false;
  readonly #unsubscribers: (() => void)[] = [];

  constructor(
    readonly producer: Producer,
    readonly transceiver: RTCRtpTransceiver,
  ) {
    producer.consumers.add(this);
    const sender = transceiver.sender;
    // A subscriber's decoder asks for a keyframe; route it to the publisher.
    this.#unsubscribers.push(sender.onPictureLossIndication.subscribe(() => producer.requestKeyframe()).unSubscribe);
    this.#unsubscribers.push(sender.onReady.subscribe(() => producer.requestKeyframe()).unSubscribe);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The next forwarded packet follows a gap (pause); keep sequence numbers contiguous. */
  markGap(): void {
    this.#gap = true;
  }

  send(rtp: RtpPacket): void {
    if (this.#closed) return;
    const src = rtp.header;
    if (this.#gap && this.#lastOutSeq !== undefined) {
      this.#seqOffset = (this.#lastOutSeq + 1 - src.sequenceNumber) & 0xffff;
    }
    this.#gap = false;
    const sequenceNumber = (src.sequenceNumber + this.#seqOffset) & 0xffff;
    this.#lastOutSeq = sequenceNumber;
    const header = new RtpHeader({
      marker: src.marker,
      payloadType: src.payloadType,
      sequenceNumber,
      timestamp: src.timestamp,
      ssrc: src.ssrc,
      extensions: [],
    });
    const packet = new RtpPacket(header, rtp.payload);
    mediaStats.packetsForwarded++;
    mediaStats.bytesForwarded += rtp.payload.length;
    this.transceiver.sender.sendRtp(packet).catch(() => undefined);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.producer.consumers.delete(this);
    for (const off of this.#unsubscribers.splice(0)) off();
  }
}
