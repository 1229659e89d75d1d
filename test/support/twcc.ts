/**
 * Reading transport-cc feedback (RTCP RTPFB, FMT=15;
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 3.1) byte by byte, as a
 * browser would, independently of werift's own parser.
 */

export interface DecodedTwcc {
  base: number;
  /** 24 bits, in multiples of 64 ms. */
  referenceTime: number;
  fbPktCount: number;
  /** Per sequence number from base: 0 not received, 1 small delta, 2 large delta. */
  statuses: number[];
  /** Per sequence number, in 250 us units; null when not received. */
  deltas: (number | null)[];
  /** What is wrong with the packet's layout; empty when well-formed. */
  problems: string[];
}

/** Decodes one RTCP transport-cc feedback packet. */
export function decodeTwcc(buf: Buffer): DecodedTwcc {
  const problems: string[] = [];
  const lengthBytes = (buf.readUInt16BE(2) + 1) * 4;
  if (buf[0]! >> 6 !== 2 || (buf[0]! & 31) !== 15 || buf[1] !== 205) problems.push('not an RTPFB FMT=15 packet');
  if (lengthBytes !== buf.length) problems.push(`length field says ${lengthBytes} bytes, the packet has ${buf.length}`);
  const end = (buf[0]! >> 5) & 1 ? lengthBytes - buf[lengthBytes - 1]! : lengthBytes;
  const count = buf.readUInt16BE(14);
  const statuses: number[] = [];
  let pos = 20;
  while (statuses.length < count) {
    const chunk = buf.readUInt16BE(pos);
    pos += 2;
    if (!(chunk & 0x8000)) for (let i = 0; i < (chunk & 0x1fff); i++) statuses.push((chunk >> 13) & 3);
    else if (!(chunk & 0x4000)) for (let i = 13; i >= 0; i--) statuses.push((chunk >> i) & 1);
    else for (let i = 6; i >= 0; i--) statuses.push((chunk >> (2 * i)) & 3);
  }
  statuses.length = count;
  const deltas = statuses.map((status) => {
    pos += status === 1 ? 1 : status === 2 ? 2 : 0;
    if (pos > buf.length) return NaN;
    return status === 1 ? buf.readUInt8(pos - 1) : status === 2 ? buf.readInt16BE(pos - 2) : null;
  });
  if (pos > end || end - pos > 3) problems.push(`the deltas end at byte ${pos}, the packet's content at ${end}`);
  return { base: buf.readUInt16BE(12), referenceTime: buf.readUIntBE(16, 3), fbPktCount: buf[19]!, statuses, deltas, problems };
}

/** The packets of a (decrypted) compound RTCP packet, each with its header. */
export function splitRtcp(compound: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  for (let pos = 0; pos + 4 <= compound.length; ) {
    const length = (compound.readUInt16BE(pos + 2) + 1) * 4;
    packets.push(compound.subarray(pos, pos + length));
    pos += length;
  }
  return packets;
}

export const isTwcc = (packet: Buffer): boolean => packet.length >= 20 && packet[1] === 205 && (packet[0]! & 31) === 15;

/**
 * The arrival time each feedback reports, by 16-bit sequence number, in us
 * modulo the reference time's range (2^24 x 64 ms): the reference time plus
 * the running sum of deltas, as a sender reconstructs it.
 */
export function reportedArrivalsUs(feedback: DecodedTwcc): Map<number, number> {
  const out = new Map<number, number>();
  let us = feedback.referenceTime * 64_000;
  feedback.statuses.forEach((status, i) => {
    const delta = feedback.deltas[i];
    if (status === 0 || delta === null || delta === undefined) return;
    us += delta * 250;
    out.set((feedback.base + i) % 65_536, us);
  });
  return out;
}

/** The range the reported arrival times wrap at. */
export const REFERENCE_RANGE_US = 2 ** 24 * 64_000;
