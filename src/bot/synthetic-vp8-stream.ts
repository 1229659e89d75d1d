/**
 * One synthetic VP8 stream, as one encoder (one simulcast layer, or the
 * only one) sends it: frames of the bitrate's size split into ~1100-byte
 * RTP payloads, each with its own sequence numbers, 90 kHz timestamps,
 * PictureID and TL0PICIDX, all starting at random values as Chrome's do.
 * The content is noise; the structure is what an SFU looks at.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { vp8FrameHeader, writeVp8Descriptor, type FrameSize } from './vp8.js';

/** The largest VP8 payload (descriptor excluded) per packet; Chrome's are ~1100-1200 bytes. */
export const MAX_PACKET_PAYLOAD = 1100;
/** A keyframe every 2 s even when nobody asks (a real encoder's periodic refresh is longer; short here so tests see one soon). */
export const KEYFRAME_INTERVAL_MS = 2000;
/** Keyframes are this many times a delta frame, as with a real encoder. */
export const KEYFRAME_WEIGHT = 5;
/** The smallest frame, in bytes. */
const MIN_FRAME_BYTES = 200;
/** A repeating noise block to slice payloads from; random bytes per packet would cost more CPU than the SFU. */
const NOISE = randomBytes(64 * 1024);

function noise(length: number): Buffer {
  const start = randomInt(0, NOISE.length - length);
  return NOISE.subarray(start, start + length);
}

/** What one stream sends. */
export interface VideoStreamShape extends FrameSize {
  /** Average bitrate, kbit/s, keyframes included. */
  readonly kbps: number;
  readonly fps: number;
}

/** One RTP packet's worth, before SSRC, payload type and header extensions are added. */
export interface SyntheticRtp {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly payload: Buffer;
}

/**
 * Bytes of one frame: the average frame (kbps / 8 / fps) with a keyframe
 * every KEYFRAME_INTERVAL_MS weighing KEYFRAME_WEIGHT delta frames, so the
 * mean over an interval meets the bitrate.
 */
export function frameBytes(kbps: number, fps: number, keyframe: boolean): number {
  const framesPerKey = Math.max(1, (fps * KEYFRAME_INTERVAL_MS) / 1000);
  const average = (kbps * 1000) / 8 / fps;
  const delta = (average * framesPerKey) / (framesPerKey - 1 + KEYFRAME_WEIGHT);
  return Math.max(MIN_FRAME_BYTES, Math.round(keyframe ? delta * KEYFRAME_WEIGHT : delta));
}

export class SyntheticVp8Stream {
  #sequenceNumber = randomInt(0, 0x10000);
  #pictureId = randomInt(0, 0x8000);
  #tl0PicIdx = randomInt(0, 0x100);
  /** RTP timestamps start at a random point per stream (RFC 3550 5.1), as each of Chrome's layers does. */
  readonly #timestampBase = randomInt(0, 2 ** 32);

  constructor(readonly shape: VideoStreamShape) {}

  get nextPictureId(): number {
    return this.#pictureId;
  }

  /** The packets of the frame captured at `atMs` (ms on the sender's clock). */
  frame(atMs: number, keyframe: boolean): SyntheticRtp[] {
    const size = frameBytes(this.shape.kbps, this.shape.fps, keyframe);
    const frame = Buffer.concat([vp8FrameHeader(keyframe, size, this.shape), noise(size)]);
    const timestamp = (this.#timestampBase + Math.round(atMs * 90)) >>> 0;
    const count = Math.ceil(frame.length / MAX_PACKET_PAYLOAD);
    const chunk = Math.ceil(frame.length / count);
    const packets: SyntheticRtp[] = [];
    for (let i = 0; i < count; i++) {
      const descriptor = writeVp8Descriptor({ start: i === 0, pictureId: this.#pictureId, tl0PicIdx: this.#tl0PicIdx });
      packets.push({
        sequenceNumber: this.#sequenceNumber,
        timestamp,
        marker: i === count - 1,
        payload: Buffer.concat([descriptor, frame.subarray(i * chunk, (i + 1) * chunk)]),
      });
      this.#sequenceNumber = (this.#sequenceNumber + 1) & 0xffff;
    }
    this.#pictureId = (this.#pictureId + 1) & 0x7fff;
    this.#tl0PicIdx = (this.#tl0PicIdx + 1) & 0xff;
    return packets;
  }
}
