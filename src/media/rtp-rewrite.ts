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
 * - When a subscriber switches to another simulcast layer (each layer is its
 *   own RTP stream: SSRC, sequence numbers, timestamps, VP8 picture ids),
 *   everything continues from the last packet sent, so the decoder sees one
 *   stream whose next frame is a keyframe. Sequence numbers and timestamps
 *   here; the VP8 payload descriptor's PictureID and TL0PICIDX (RFC 7741
 *   4.2) in Vp8PictureRewriter, as LiveKit's rtpmunger and vp8munger do.
 */

/** Where a rewritten stream stands: the last packet sent downstream. */
export interface StreamPosition {
  readonly sequenceNumber: number;
  readonly timestamp: number;
}

/** One frame interval in RTP clock units: 90 kHz video at ~30 fps, 48 kHz Opus at 20 ms. */
export const FRAME_STEP = { video: 3000, audio: 960 } as const;

/** Packets this far past a re-base point end the check for stragglers from before it (a 16-bit compare only holds within half the space). */
const STRAGGLER_WINDOW = 1000;

export class SequenceRewriter {
  #seqOffset = 0;
  #tsOffset = 0;
  #last: StreamPosition | undefined;
  /** Next packet follows a pause: re-base sequence numbers only. */
  #gap = false;
  /** Next packet is the first of a new source on a reused m-line, or of another layer: re-base both. */
  #switch: StreamPosition | undefined;
  /** Timestamp step for that re-base, in RTP clock units. */
  #switchStep: number;
  /** The source sequence number a re-base started at: packets older than it (reordered stragglers) are dropped, or they would reuse sent numbers. */
  #floor: number | undefined;

  constructor(
    /** FRAME_STEP of the stream's kind. */
    private readonly frameStep: number,
    /** Where the previous stream on the same m-line stopped, if it is reused. */
    continueFrom?: StreamPosition,
  ) {
    this.#switch = continueFrom;
    this.#switchStep = frameStep;
  }

  /** Where this stream stands, to continue it on the same m-line later. */
  get position(): StreamPosition | undefined {
    return this.#last ?? this.#switch;
  }

  /** The next packet follows a pause: keep sequence numbers contiguous. */
  markGap(): void {
    this.#gap = true;
  }

  /**
   * The next packet starts another stream of the same source (a simulcast
   * layer switch, on a keyframe): both numbers continue from the last sent,
   * the timestamp `step` later (RTP clock units: the time since the last
   * packet sent, so frame timing survives the switch). Before anything was
   * sent it is a plain start.
   */
  switchSource(step: number): void {
    const last = this.#last ?? this.#switch;
    if (!last) return;
    this.#switch = last;
    this.#switchStep = Math.max(1, Math.round(step));
  }

  /** The downstream sequence number and timestamp for a source packet's; undefined: a straggler from before the last re-base, to drop. */
  rewrite(sequenceNumber: number, timestamp: number): StreamPosition | undefined {
    const previous = this.#switch ?? (this.#gap ? this.#last : undefined);
    if (previous) {
      this.#seqOffset = (previous.sequenceNumber + 1 - sequenceNumber) & 0xffff;
      if (this.#switch) this.#tsOffset = (previous.timestamp + this.#switchStep - timestamp) >>> 0;
      this.#floor = sequenceNumber;
    } else if (this.#floor !== undefined) {
      const ahead = (sequenceNumber - this.#floor) & 0xffff;
      if (ahead >= 0x8000) return undefined;
      if (ahead > STRAGGLER_WINDOW) this.#floor = undefined;
    }
    this.#switch = undefined;
    this.#switchStep = this.frameStep;
    this.#gap = false;
    const out = { sequenceNumber: (sequenceNumber + this.#seqOffset) & 0xffff, timestamp: (timestamp + this.#tsOffset) >>> 0 };
    // The highest sent, not the latest: a late packet (reordered, or resent on NACK: simulcast has no
    // RTX) must not make the next re-base reuse numbers the subscriber already has.
    if (previous || !this.#last || ((out.sequenceNumber - this.#last.sequenceNumber) & 0xffff) < 0x8000) this.#last = out;
    return out;
  }
}

/**
 * Where a VP8 payload descriptor (RFC 7741 4.2) keeps what a layer switch
 * must rewrite. Offsets into the payload; -1 where the field is absent.
 */
export interface Vp8Descriptor {
  readonly pictureIdOffset: number;
  /** 15-bit PictureID (M bit set), else 7-bit. */
  readonly pictureIdLong: boolean;
  readonly tl0PicIdxOffset: number;
}

/** The descriptor's rewritable fields, or undefined for a payload too short to hold what it claims. */
export function parseVp8Descriptor(payload: Buffer): Vp8Descriptor | undefined {
  return readVp8Descriptor(payload, { pictureIdOffset: -1, pictureIdLong: false, tl0PicIdxOffset: -1 });
}

type MutableDescriptor = { -readonly [K in keyof Vp8Descriptor]: Vp8Descriptor[K] };

/** parseVp8Descriptor into `into` (the rewriter reuses one: it runs for every forwarded packet). */
function readVp8Descriptor(payload: Buffer, into: MutableDescriptor): Vp8Descriptor | undefined {
  into.pictureIdOffset = -1;
  into.pictureIdLong = false;
  into.tl0PicIdxOffset = -1;
  if (payload.length < 1) return undefined;
  if ((payload[0]! & 0x80) === 0) return into;
  if (payload.length < 2) return undefined;
  const x = payload[1]!;
  let offset = 2;
  let pictureIdOffset = -1;
  let pictureIdLong = false;
  if (x & 0x80) {
    if (payload.length <= offset) return undefined;
    pictureIdOffset = offset;
    pictureIdLong = (payload[offset]! & 0x80) !== 0;
    offset += pictureIdLong ? 2 : 1;
  }
  let tl0PicIdxOffset = -1;
  if (x & 0x40) {
    tl0PicIdxOffset = offset;
    offset += 1;
  }
  if (payload.length < offset) return undefined;
  into.pictureIdOffset = pictureIdOffset;
  into.pictureIdLong = pictureIdLong;
  into.tl0PicIdxOffset = tl0PicIdxOffset;
  return into;
}

/**
 * Keeps a subscriber's VP8 PictureID and TL0PICIDX continuous across
 * simulcast layer switches: libwebrtc's receiver orders frames and finds
 * their references by PictureID, and takes a keyframe whose PictureID is
 * behind the last one for a stale frame and drops it. Packets pass
 * untouched until the first switch; after it each one is copied (the
 * producer's payload is shared by every subscriber) with its fields moved.
 */
export class Vp8PictureRewriter {
  #pictureIdOffset = 0;
  #tl0Offset = 0;
  #lastPictureId: number | undefined;
  #lastTl0: number | undefined;
  #rebase = false;
  readonly #descriptor: MutableDescriptor = { pictureIdOffset: -1, pictureIdLong: false, tl0PicIdxOffset: -1 };

  /** The next packet starts another layer (its keyframe): continue from the last picture sent. */
  switchSource(): void {
    this.#rebase = true;
  }

  /** The payload to send: the same buffer while nothing moves, else a rewritten copy. */
  rewrite(payload: Buffer): Buffer {
    const d = readVp8Descriptor(payload, this.#descriptor);
    if (!d) return payload;
    const pictureId = d.pictureIdOffset < 0 ? undefined : d.pictureIdLong ? payload.readUInt16BE(d.pictureIdOffset) & 0x7fff : payload[d.pictureIdOffset]! & 0x7f;
    const pictureIdMask = d.pictureIdLong ? 0x7fff : 0x7f;
    const tl0 = d.tl0PicIdxOffset < 0 ? undefined : payload[d.tl0PicIdxOffset]!;
    const rebase = this.#rebase;
    if (rebase) {
      this.#rebase = false;
      if (pictureId !== undefined && this.#lastPictureId !== undefined) this.#pictureIdOffset = (this.#lastPictureId + 1 - pictureId) & 0x7fff;
      if (tl0 !== undefined && this.#lastTl0 !== undefined) this.#tl0Offset = (this.#lastTl0 + 1 - tl0) & 0xff;
    }
    const outPictureId = pictureId === undefined ? undefined : (pictureId + this.#pictureIdOffset) & pictureIdMask;
    const outTl0 = tl0 === undefined ? undefined : (tl0 + this.#tl0Offset) & 0xff;
    // The highest sent (serial order), not the latest: a late packet must not make the next switch reuse a picture.
    if (outPictureId !== undefined && (rebase || this.#lastPictureId === undefined || ((outPictureId - this.#lastPictureId) & pictureIdMask) <= pictureIdMask >> 1)) this.#lastPictureId = outPictureId;
    if (outTl0 !== undefined && (rebase || this.#lastTl0 === undefined || ((outTl0 - this.#lastTl0) & 0xff) < 0x80)) this.#lastTl0 = outTl0;
    if (outPictureId === pictureId && outTl0 === tl0) return payload;
    const copy = Buffer.allocUnsafe(payload.length);
    payload.copy(copy);
    if (outPictureId !== undefined) {
      if (d.pictureIdLong) copy.writeUInt16BE(0x8000 | outPictureId, d.pictureIdOffset);
      else copy[d.pictureIdOffset] = outPictureId;
    }
    if (outTl0 !== undefined) copy[d.tl0PicIdxOffset] = outTl0;
    return copy;
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
