/**
 * Synthetic RTP shaped like a browser's: VP8 frames split into ~1100-byte
 * packets with a proper payload descriptor and frame header, and 20 ms
 * Opus packets. The content is noise, but the structure (keyframe bit,
 * start-of-partition bit, marker on a frame's last packet, 90 kHz and
 * 48 kHz timestamps) is what an SFU and a depacketizer look at.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { RtpHeader, RtpPacket, type MediaStreamTrack } from 'werift';

export interface SyntheticVideoOptions {
  readonly kbps: number;
  readonly fps: number;
}

const MAX_PACKET_PAYLOAD = 1100;
const KEYFRAME_INTERVAL_MS = 2000;
/** Keyframes are this many times a delta frame, as with a real encoder. */
const KEYFRAME_WEIGHT = 5;
const OPUS_PACKET_BYTES = 80;
const OPUS_PTIME_MS = 20;
const MAX_CATCH_UP_MS = 200;
/** A repeating noise block to slice payloads from; random bytes per packet would cost more CPU than the SFU. */
const NOISE = randomBytes(64 * 1024);

function noise(length: number): Buffer {
  const start = randomInt(0, NOISE.length - length);
  return NOISE.subarray(start, start + length);
}

/** VP8 frame header (RFC 6386 9.1): frame tag, plus start code and size on keyframes. */
function vp8FrameHeader(keyframe: boolean, firstPartitionSize: number): Buffer {
  const tag = (firstPartitionSize << 5) | (1 << 4) /* show_frame */ | (keyframe ? 0 : 1);
  const header = Buffer.alloc(keyframe ? 10 : 3);
  header.writeUIntLE(tag, 0, 3);
  if (keyframe) {
    header.set([0x9d, 0x01, 0x2a], 3);
    header.writeUInt16LE(640, 6);
    header.writeUInt16LE(480, 8);
  }
  return header;
}

export class SyntheticMedia {
  readonly sent = { audio: { packets: 0, bytes: 0 }, video: { packets: 0, bytes: 0 } };
  #timer: NodeJS.Timeout | undefined;
  #videoSeq = randomInt(0, 0xffff);
  #audioSeq = randomInt(0, 0xffff);
  #pictureId = randomInt(0, 0x7fff);
  #startedAt = 0;
  #videoFrames = 0;
  #audioPackets = 0;
  #lastKeyframeAt = -Infinity;
  #keyframeRequested = true;

  constructor(
    private readonly audio: MediaStreamTrack | undefined,
    private readonly video: MediaStreamTrack | undefined,
    private readonly videoOptions: SyntheticVideoOptions,
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#startedAt = performance.now();
    // One 10 ms tick drives both streams; each catches up to where wall time says it should be.
    this.#timer = setInterval(() => this.tick(), 10);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** A subscriber lost the picture (PLI/FIR): the next frame is a keyframe. */
  requestKeyframe(): void {
    this.#keyframeRequested = true;
  }

  private tick(): void {
    const elapsed = performance.now() - this.#startedAt;
    // After a stall (GC, a busy event loop) skip ahead like a live source would, rather than burst.
    if (elapsed - this.#audioPackets * OPUS_PTIME_MS > MAX_CATCH_UP_MS) this.#audioPackets = Math.floor(elapsed / OPUS_PTIME_MS);
    const frameMs = 1000 / this.videoOptions.fps;
    if (elapsed - this.#videoFrames * frameMs > MAX_CATCH_UP_MS) this.#videoFrames = Math.floor(elapsed / frameMs);
    if (this.audio) {
      while (this.#audioPackets * OPUS_PTIME_MS <= elapsed) this.sendAudio();
    }
    if (this.video) {
      while (this.#videoFrames * frameMs <= elapsed) this.sendVideoFrame(this.#videoFrames * frameMs);
    }
  }

  private sendAudio(): void {
    const timestamp = (this.#audioPackets * 48 * OPUS_PTIME_MS) >>> 0;
    this.#audioPackets++;
    // TOC 0xfc: CELT fullband 20 ms, one frame.
    const payload = Buffer.concat([Buffer.from([0xfc]), noise(OPUS_PACKET_BYTES - 1)]);
    this.write(this.audio!, 'audio', this.#audioSeq, timestamp, false, payload);
    this.#audioSeq = (this.#audioSeq + 1) & 0xffff;
  }

  private sendVideoFrame(atMs: number): void {
    this.#videoFrames++;
    const keyframe = this.#keyframeRequested || atMs - this.#lastKeyframeAt >= KEYFRAME_INTERVAL_MS;
    if (keyframe) {
      this.#keyframeRequested = false;
      this.#lastKeyframeAt = atMs;
    }
    // Average frame size meets the bitrate; a keyframe every 2 s weighs KEYFRAME_WEIGHT deltas.
    const { kbps, fps } = this.videoOptions;
    const framesPerKey = (fps * KEYFRAME_INTERVAL_MS) / 1000;
    const average = (kbps * 1000) / 8 / fps;
    const delta = (average * framesPerKey) / (framesPerKey - 1 + KEYFRAME_WEIGHT);
    const size = Math.max(200, Math.round(keyframe ? delta * KEYFRAME_WEIGHT : delta));
    const frame = Buffer.concat([vp8FrameHeader(keyframe, Math.min(size, 0x7ffff)), noise(size)]);
    const timestamp = Math.round(atMs * 90) >>> 0;
    const count = Math.ceil(frame.length / MAX_PACKET_PAYLOAD);
    const chunk = Math.ceil(frame.length / count);
    for (let i = 0; i < count; i++) {
      // Descriptor: X=1, S on the first packet, PID 0; I=1 with a 15-bit picture id (as Chrome sends).
      const descriptor = Buffer.from([0x80 | (i === 0 ? 0x10 : 0), 0x80, 0x80 | (this.#pictureId >> 8), this.#pictureId & 0xff]);
      const payload = Buffer.concat([descriptor, frame.subarray(i * chunk, (i + 1) * chunk)]);
      this.write(this.video!, 'video', this.#videoSeq, timestamp, i === count - 1, payload);
      this.#videoSeq = (this.#videoSeq + 1) & 0xffff;
    }
    this.#pictureId = (this.#pictureId + 1) & 0x7fff;
  }

  private write(track: MediaStreamTrack, kind: 'audio' | 'video', sequenceNumber: number, timestamp: number, marker: boolean, payload: Buffer): void {
    // werift's sender rewrites ssrc and payload type to the negotiated ones.
    const header = new RtpHeader({ sequenceNumber, timestamp, marker, payloadType: 0, ssrc: 0, extensions: [] });
    track.writeRtp(new RtpPacket(header, payload));
    this.sent[kind].packets++;
    this.sent[kind].bytes += payload.length;
  }
}
