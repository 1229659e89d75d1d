/**
 * Sends a camera's simulcast layers on one m-line, as Chrome does
 * (RFC 8853): one RTP stream per rid, each with its own SSRC and sequence
 * numbers, every packet carrying the sdes:mid and sdes:rtp-stream-id header
 * extensions (RFC 8843 15, RFC 8852 3.1). Chrome stops sending them once it
 * receives an RTCP receiver report for the SSRC; sending them always is
 * allowed and keeps this simple.
 *
 * werift's RTCRtpSender sends one stream ("todo: sender simulcast
 * unsupported"), so the layers go straight to the transceiver's DTLS
 * transport (`sendRtpNow`: SRTP-protect and hand to ICE) with headers we
 * build; werift's sender writes the m-line's a=rid/a=simulcast lines
 * (transceiver option `simulcast`) and never sends on its own SSRC here.
 * RTCP for the layer SSRCs is read off the DTLS transport, since werift's
 * router drops feedback for SSRCs it does not know: PLI/FIR ask the layer
 * for a keyframe, NACK resends from a short history.
 */
import {
  GenericNack,
  PictureLossIndication,
  RTP_EXTENSION_URI,
  RtcpPayloadSpecificFeedback,
  RtcpTransportLayerFeedback,
  RtpHeader,
  serializeAbsSendTime,
  ntpTime,
  type Extension,
  type RTCDtlsTransport,
  type RTCRtpTransceiver,
  type RtcpPacket,
} from 'werift';
import { randomInt } from 'node:crypto';
import type { SyntheticRtp } from './synthetic-vp8-stream.js';

/** FMT of a Full Intra Request in a payload-specific feedback packet (RFC 5104 4.3.1.1). */
const FIR_FMT = 4;
/** Packets kept per layer for NACK: ~2 s of a 900 kbit/s top layer (~100 packets/s of 1,100 bytes), as werift's sender keeps 2 s of video. */
const HISTORY_PACKETS = 256;

interface LayerState {
  readonly rid: string;
  readonly ssrc: number;
  readonly ridPayload: Buffer;
  readonly history: (SyntheticRtp | undefined)[];
  retransmitted: number;
}

/** The header extension ids the answer gave us (RFC 8285); undefined: not negotiated. */
interface ExtensionIds {
  readonly mid: number | undefined;
  readonly rid: number | undefined;
  readonly transportCc: number | undefined;
  readonly absSendTime: number | undefined;
}

export class SimulcastSender {
  readonly #layers = new Map<string, LayerState>();
  readonly #bySsrc = new Map<number, LayerState>();
  #transport: RTCDtlsTransport | undefined;
  #unsubscribeRtcp: (() => void) | undefined;
  #ids: ExtensionIds | undefined;
  /** The negotiated extension list the ids were read from (a renegotiation replaces it). */
  #idsFrom: unknown;
  #midPayload: Buffer | undefined;

  /** `onKeyframeRequest(rid)`: a receiver lost the picture of that layer (PLI or FIR naming its SSRC). */
  constructor(
    private readonly transceiver: RTCRtpTransceiver,
    rids: readonly string[],
    private readonly onKeyframeRequest: (rid: string) => void,
  ) {
    const used = new Set([transceiver.sender.ssrc, transceiver.sender.rtxSsrc]);
    for (const rid of rids) {
      let ssrc: number;
      do ssrc = randomInt(1, 2 ** 32 - 1);
      while (used.has(ssrc));
      used.add(ssrc);
      const layer: LayerState = { rid, ssrc, ridPayload: Buffer.from(rid, 'ascii'), history: new Array(HISTORY_PACKETS), retransmitted: 0 };
      this.#layers.set(rid, layer);
      this.#bySsrc.set(ssrc, layer);
    }
  }

  /** Each layer's SSRC, by rid. */
  ssrcOf(rid: string): number | undefined {
    return this.#layers.get(rid)?.ssrc;
  }

  /** Packets resent on NACK, per rid. */
  retransmissions(): Record<string, number> {
    return Object.fromEntries([...this.#layers.values()].map((l) => [l.rid, l.retransmitted]));
  }

  /**
   * Sends one packet of layer `rid`. Returns false (nothing sent) until the
   * DTLS transport is up and the answer has negotiated mid and rid.
   */
  send(rid: string, packet: SyntheticRtp): boolean {
    const layer = this.#layers.get(rid);
    if (!layer || !this.ready()) return false;
    layer.history[packet.sequenceNumber % HISTORY_PACKETS] = packet;
    return this.write(layer, packet);
  }

  close(): void {
    this.#unsubscribeRtcp?.();
    this.#unsubscribeRtcp = undefined;
  }

  /** Binds to the negotiated transport and extension ids (the first time, and again after they change). */
  private ready(): boolean {
    const transport = this.transceiver.dtlsTransport as RTCDtlsTransport | undefined;
    if (!transport || transport.state !== 'connected') return false;
    if (transport !== this.#transport) {
      this.#unsubscribeRtcp?.();
      this.#unsubscribeRtcp = transport.onRtcp.subscribe((rtcp) => this.onRtcp(rtcp)).unSubscribe;
      this.#transport = transport;
    }
    if (!this.#ids || this.#idsFrom !== this.transceiver.headerExtensions) {
      this.#idsFrom = this.transceiver.headerExtensions;
      const idOf = (uri: string): number | undefined => this.transceiver.headerExtensions.find((e) => e.uri === uri)?.id;
      this.#ids = {
        mid: idOf(RTP_EXTENSION_URI.sdesMid),
        rid: idOf(RTP_EXTENSION_URI.sdesRTPStreamID),
        transportCc: idOf(RTP_EXTENSION_URI.transportWideCC),
        absSendTime: idOf(RTP_EXTENSION_URI.absSendTime),
      };
      this.#midPayload = this.transceiver.mid === null ? undefined : Buffer.from(this.transceiver.mid, 'ascii');
    }
    // Without mid and rid the server cannot tell the layers apart: nothing to send until they are negotiated.
    return this.#ids.mid !== undefined && this.#ids.rid !== undefined && this.#midPayload !== undefined && this.transceiver.sender.codec !== undefined;
  }

  private write(layer: LayerState, packet: SyntheticRtp): boolean {
    const transport = this.#transport!;
    const ids = this.#ids!;
    const extensions: Extension[] = [
      { id: ids.mid!, payload: this.#midPayload! },
      { id: ids.rid!, payload: layer.ridPayload },
    ];
    if (ids.absSendTime !== undefined) extensions.push({ id: ids.absSendTime, payload: serializeAbsSendTime(ntpTime()) });
    if (ids.transportCc !== undefined) {
      // One transport-wide sequence for everything on this transport (werift's audio sender counts on the same field).
      transport.transportSequenceNumber = (transport.transportSequenceNumber + 1) & 0xffff;
      const seq = Buffer.alloc(2);
      seq.writeUInt16BE(transport.transportSequenceNumber);
      extensions.push({ id: ids.transportCc, payload: seq });
    }
    extensions.sort((a, b) => a.id - b.id);
    const header = new RtpHeader({
      sequenceNumber: packet.sequenceNumber,
      timestamp: packet.timestamp,
      marker: packet.marker,
      payloadType: this.transceiver.sender.codec!.payloadType,
      ssrc: layer.ssrc,
      extensions,
    });
    return transport.sendRtpNow(packet.payload, header) > 0;
  }

  private onRtcp(rtcp: RtcpPacket): void {
    if (rtcp instanceof RtcpPayloadSpecificFeedback) {
      const feedback = rtcp.feedback;
      if (feedback instanceof PictureLossIndication) this.keyframeFor(feedback.mediaSsrc);
      else if (feedback.count === FIR_FMT && 'fir' in feedback) for (const entry of feedback.fir) this.keyframeFor(entry.ssrc);
    } else if (rtcp instanceof RtcpTransportLayerFeedback && rtcp.feedback instanceof GenericNack) {
      const layer = this.#bySsrc.get(rtcp.feedback.mediaSourceSsrc);
      if (!layer || !this.ready()) return;
      for (const seq of rtcp.feedback.lost) {
        const packet = layer.history[seq % HISTORY_PACKETS];
        if (packet?.sequenceNumber !== seq) continue;
        // Resent on the layer's own SSRC (RFC 4585 allows it; the bot has no RTX stream per layer).
        if (this.write(layer, packet)) layer.retransmitted++;
      }
    }
  }

  private keyframeFor(ssrc: number): void {
    const layer = this.#bySsrc.get(ssrc);
    if (layer) this.onKeyframeRequest(layer.rid);
  }
}
