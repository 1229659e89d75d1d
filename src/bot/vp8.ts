/**
 * The VP8 bytes a bot writes and reads: the RTP payload descriptor
 * (RFC 7741 4.2) and the start of a frame (RFC 6386 9.1). Written by hand:
 * this runs for every video packet, and werift's bit-by-bit parser cost the
 * bot process more than its SRTP.
 */

/** What the bot puts in each packet's payload descriptor. */
export interface Vp8DescriptorFields {
  /** S: this packet starts a VP8 partition (the first packet of a frame here: one partition). */
  readonly start: boolean;
  /** 15-bit PictureID (M=1), +1 per frame; an SFU rewrites it when it switches layers. */
  readonly pictureId: number;
  /** TL0PICIDX, 8 bits: +1 per base-layer (TID 0) frame; every frame is one here. */
  readonly tl0PicIdx: number;
}

/** Bytes of the descriptor writeVp8Descriptor makes: required byte, X byte, 2 of PictureID, TL0PICIDX, TID/Y/KEYIDX. */
export const VP8_DESCRIPTOR_BYTES = 6;

/**
 * The payload descriptor Chrome writes for a camera (RFC 7741 4.2):
 * X=1; I=1 with a 15-bit PictureID; L=1 with TL0PICIDX, which needs T=1
 * (TID 0, Y=1: every frame is a base-layer frame that only needs base-layer
 * frames). No temporal layers: the server picks spatial layers only.
 */
export function writeVp8Descriptor(f: Vp8DescriptorFields): Buffer {
  const pictureId = f.pictureId & 0x7fff;
  return Buffer.from([
    0x80 | (f.start ? 0x10 : 0), // X, S, PID 0
    0xe0, // I, L, T; K=0
    0x80 | (pictureId >> 8), // M=1: 15-bit PictureID
    pictureId & 0xff,
    f.tl0PicIdx & 0xff,
    0x20, // TID 0, Y=1, KEYIDX 0
  ]);
}

/** The descriptor's fields as a receiver sees them; undefined where the packet leaves them out. */
export interface Vp8Descriptor {
  readonly start: boolean;
  readonly partitionId: number;
  readonly pictureId: number | undefined;
  readonly tl0PicIdx: number | undefined;
  /** Where the VP8 payload (the frame's bytes) starts. */
  readonly length: number;
}

/** Reads a VP8 payload descriptor (RFC 7741 4.2); undefined when the packet is too short for one. */
export function readVp8Descriptor(payload: Uint8Array): Vp8Descriptor | undefined {
  const first = payload[0];
  if (first === undefined) return undefined;
  let offset = 1;
  let pictureId: number | undefined;
  let tl0PicIdx: number | undefined;
  if (first & 0x80) {
    const ext = payload[offset++];
    if (ext === undefined) return undefined;
    if (ext & 0x80) {
      const high = payload[offset++];
      if (high === undefined) return undefined;
      if (high & 0x80) {
        const low = payload[offset++];
        if (low === undefined) return undefined;
        pictureId = ((high & 0x7f) << 8) | low;
      } else pictureId = high;
    }
    if (ext & 0x40) tl0PicIdx = payload[offset++];
    if (ext & 0x30) offset++; // TID/Y/KEYIDX
  }
  if (offset > payload.length) return undefined;
  return { start: (first & 0x10) !== 0, partitionId: first & 0x07, pictureId, tl0PicIdx, length: offset };
}

/** Picture size in pixels. */
export interface FrameSize {
  readonly width: number;
  readonly height: number;
}

/**
 * The start of a VP8 frame (RFC 6386 9.1): the 3-byte frame tag
 * (P bit 0 for a keyframe, version 0, show_frame, first partition size),
 * and on keyframes the start code 9d 01 2a and the 14-bit width and height
 * (scaling bits 0).
 */
export function vp8FrameHeader(keyframe: boolean, firstPartitionSize: number, size: FrameSize): Buffer {
  const tag = ((firstPartitionSize & 0x7ffff) << 5) | (1 << 4) /* show_frame */ | (keyframe ? 0 : 1);
  const header = Buffer.alloc(keyframe ? 10 : 3);
  header.writeUIntLE(tag, 0, 3);
  if (keyframe) {
    header.set([0x9d, 0x01, 0x2a], 3);
    header.writeUInt16LE(size.width & 0x3fff, 6);
    header.writeUInt16LE(size.height & 0x3fff, 8);
  }
  return header;
}

/** A keyframe's picture size from the RTP packet that starts it (RFC 6386 9.1); undefined for any other packet. */
export function readVp8KeyframeSize(payload: Uint8Array): FrameSize | undefined {
  const d = readVp8Descriptor(payload);
  if (!d || !d.start || d.partitionId !== 0) return undefined;
  const at = d.length;
  if (payload.length < at + 10 || (payload[at]! & 0x01) !== 0) return undefined;
  if (payload[at + 3] !== 0x9d || payload[at + 4] !== 0x01 || payload[at + 5] !== 0x2a) return undefined;
  return { width: (payload[at + 6]! | (payload[at + 7]! << 8)) & 0x3fff, height: (payload[at + 8]! | (payload[at + 9]! << 8)) & 0x3fff };
}
