/**
 * Recognises the first packet of a keyframe in VP8 and H.264 RTP payloads.
 * A subscriber that starts (or resumes) mid-stream must get a keyframe
 * first: delta frames before it only make the decoder show garbage, then
 * stall. So consumers drop video until this says a keyframe starts.
 */

/** RFC 7741 payload descriptor, then the VP8 frame header's P bit (0 = keyframe). */
export function isVp8KeyframeStart(payload: Buffer): boolean {
  return vp8KeyframeHeaderOffset(payload) >= 0;
}

/**
 * The picture size a VP8 keyframe's first packet carries (RFC 6386 9.1: the
 * 3-byte frame tag, the start code 9d 01 2a, then 14-bit width and height,
 * little-endian, under 2 scaling bits), or undefined for any other packet.
 * Tells the server how tall each simulcast layer really is: Chrome lowers a
 * layer's resolution under CPU or bandwidth limits.
 */
export function vp8KeyframeSize(payload: Buffer): { width: number; height: number } | undefined {
  const offset = vp8KeyframeHeaderOffset(payload);
  if (offset < 0 || payload.length < offset + 10) return undefined;
  if (payload[offset + 3] !== 0x9d || payload[offset + 4] !== 0x01 || payload[offset + 5] !== 0x2a) return undefined;
  return { width: payload.readUInt16LE(offset + 6) & 0x3fff, height: payload.readUInt16LE(offset + 8) & 0x3fff };
}

/** Where the VP8 frame header starts in a packet that begins a keyframe; -1 for any other packet. */
function vp8KeyframeHeaderOffset(payload: Buffer): number {
  if (payload.length < 1) return -1;
  const b0 = payload[0]!;
  const extended = (b0 & 0x80) !== 0;
  const start = (b0 & 0x10) !== 0;
  const partition = b0 & 0x07;
  if (!start || partition !== 0) return -1;
  let offset = 1;
  if (extended) {
    if (payload.length < 2) return -1;
    const x = payload[1]!;
    offset = 2;
    if (x & 0x80) offset += payload.length > offset && (payload[offset]! & 0x80) !== 0 ? 2 : 1; // PictureID (7 or 15 bits)
    if (x & 0x40) offset += 1; // TL0PICIDX
    if (x & 0x30) offset += 1; // TID / KEYIDX
  }
  return payload.length > offset && (payload[offset]! & 0x01) === 0 ? offset : -1;
}

/** RFC 6184: an IDR slice or SPS in a single NAL unit, a STAP-A, or the first FU-A fragment. */
export function isH264KeyframeStart(payload: Buffer): boolean {
  if (payload.length < 2) return false;
  const type = payload[0]! & 0x1f;
  if (type === 5 || type === 7) return true;
  if (type === 24) {
    // STAP-A: [header][size(2)][NAL]...
    let offset = 1;
    while (offset + 2 < payload.length) {
      const size = payload.readUInt16BE(offset);
      const nal = payload[offset + 2]! & 0x1f;
      if (nal === 5 || nal === 7) return true;
      offset += 2 + size;
    }
    return false;
  }
  if (type === 28) {
    const fu = payload[1]!;
    return (fu & 0x80) !== 0 && ((fu & 0x1f) === 5 || (fu & 0x1f) === 7);
  }
  return false;
}

export function isKeyframeStart(mimeType: string, payload: Buffer): boolean {
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return isVp8KeyframeStart(payload);
    case 'video/h264':
      return isH264KeyframeStart(payload);
    default:
      // Unknown codec: cannot tell, so never hold its packets back.
      return true;
  }
}
