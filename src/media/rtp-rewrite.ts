/**
 * What changes in a forwarded packet's header, per subscriber, as pure
 * functions (as LiveKit's rtpmunger): a subscriber negotiated its own
 * payload types, and its decoder must see one steady stream however the
 * source pauses or changes.
 *
 * - Payload types: a Firefox publisher sends VP8 as 120, a Chromium
 *   subscriber negotiated it as 96; each packet leaves with the
 *   subscriber's number for the same codec (RTX by its `apt`).
 * - Sequence numbers stay contiguous across pauses (mute), so the
 *   subscriber's jitter buffer sees no loss to repair (RFC 3550 A.1).
 * - When a reused m-line carries another source, both sequence numbers and
 *   timestamps continue from where the previous stream stopped, one frame
 *   interval later, instead of jumping (which decoders treat as a new
 *   stream only after a long stall).
 */

/** Where a rewritten stream stands: the last packet sent downstream. */
export interface StreamPosition {
  readonly sequenceNumber: number;
  readonly timestamp: number;
}

/** One frame interval in RTP clock units: 90 kHz video at ~30 fps, 48 kHz Opus at 20 ms. */
export const FRAME_STEP = { video: 3000, audio: 960 } as const;

export class SequenceRewriter {
  #seqOffset = 0;
  #tsOffset = 0;
  #last: StreamPosition | undefined;
  /** Next packet follows a pause: re-base sequence numbers only. */
  #gap = false;
  /** Next packet is the first of a new source on a reused m-line: re-base both. */
  #switch: StreamPosition | undefined;

  constructor(
    /** FRAME_STEP of the stream's kind. */
    private readonly frameStep: number,
    /** Where the previous stream on the same m-line stopped, if it is reused. */
    continueFrom?: StreamPosition,
  ) {
    this.#switch = continueFrom;
  }

  /** Where this stream stands, to continue it on the same m-line later. */
  get position(): StreamPosition | undefined {
    return this.#last ?? this.#switch;
  }

  /** The next packet follows a pause: keep sequence numbers contiguous. */
  markGap(): void {
    this.#gap = true;
  }

  /** The downstream sequence number and timestamp for a source packet's. */
  rewrite(sequenceNumber: number, timestamp: number): StreamPosition {
    const previous = this.#switch ?? (this.#gap ? this.#last : undefined);
    if (previous) {
      this.#seqOffset = (previous.sequenceNumber + 1 - sequenceNumber) & 0xffff;
      if (this.#switch) this.#tsOffset = (previous.timestamp + this.frameStep - timestamp) >>> 0;
    }
    this.#switch = undefined;
    this.#gap = false;
    const out = { sequenceNumber: (sequenceNumber + this.#seqOffset) & 0xffff, timestamp: (timestamp + this.#tsOffset) >>> 0 };
    this.#last = out;
    return out;
  }
}

/** A codec as one side of a connection negotiated it. */
export interface NegotiatedCodec {
  readonly payloadType: number;
  /** e.g. `video/VP8`, `video/rtx`. */
  readonly mimeType: string;
  /** fmtp, e.g. `apt=96` for RTX, `packetization-mode=1;profile-level-id=42e01f` for H.264. */
  readonly parameters?: string;
}

/**
 * Publisher payload type -> subscriber payload type, for every codec both
 * negotiated (by name; H.264 also by packetization mode, which decoders
 * cannot mix); RTX maps along with the codec its `apt` names. A payload
 * type missing from the map is a codec the subscriber did not take: its
 * packets are not forwarded.
 */
export function mapPayloadTypes(publisher: readonly NegotiatedCodec[], subscriber: readonly NegotiatedCodec[]): Map<number, number> {
  const map = new Map<number, number>();
  for (const p of publisher) {
    if (isRtx(p)) continue;
    const s = subscriber.find((c) => !isRtx(c) && sameCodec(p, c));
    if (s) map.set(p.payloadType, s.payloadType);
  }
  for (const p of publisher) {
    if (!isRtx(p)) continue;
    const media = map.get(aptOf(p) ?? -1);
    const s = media === undefined ? undefined : subscriber.find((c) => isRtx(c) && aptOf(c) === media);
    if (s) map.set(p.payloadType, s.payloadType);
  }
  return map;
}

function isRtx(codec: NegotiatedCodec): boolean {
  return codec.mimeType.toLowerCase().endsWith('/rtx');
}

function aptOf(codec: NegotiatedCodec): number | undefined {
  const m = /(?:^|;)\s*apt=(\d+)/.exec(codec.parameters ?? '');
  return m ? Number(m[1]) : undefined;
}

function sameCodec(a: NegotiatedCodec, b: NegotiatedCodec): boolean {
  if (a.mimeType.toLowerCase() !== b.mimeType.toLowerCase()) return false;
  if (a.mimeType.toLowerCase() !== 'video/h264') return true;
  return packetizationMode(a) === packetizationMode(b);
}

function packetizationMode(codec: NegotiatedCodec): string {
  return /(?:^|;)\s*packetization-mode=(\d)/.exec(codec.parameters ?? '')?.[1] ?? '0';
}
