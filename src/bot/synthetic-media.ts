/**
 * Synthetic RTP shaped like a browser's: VP8 frames (synthetic-vp8-stream.ts)
 * on one stream or on several simulcast layers, and 20 ms Opus packets. The
 * content is noise, but the structure (keyframe bit, start-of-partition bit,
 * marker on a frame's last packet, 90 kHz and 48 kHz timestamps, picture
 * size in keyframes) is what an SFU and a depacketizer look at.
 *
 * Simulcast layers follow dynacast (setActiveLayers): a layer nobody
 * receives stops, as a page sets `active: false` on that encoding, and
 * starts again with a keyframe.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { RtpHeader, RtpPacket, type MediaStreamTrack } from 'werift';
import { SyntheticVp8Stream, type SyntheticRtp, type VideoStreamShape } from './synthetic-vp8-stream.js';
import { KEYFRAME_INTERVAL_MS } from './synthetic-vp8-stream.js';

const OPUS_PACKET_BYTES = 80;
const OPUS_PTIME_MS = 20;
const MAX_CATCH_UP_MS = 200;
const OPUS_NOISE = randomBytes(16 * 1024);

/** Sends one packet of a video layer; false: not sent (the transport is not ready yet). */
export type VideoPacketSink = (packet: SyntheticRtp) => boolean;

/** One video stream to send: the only one (`rid` undefined) or a simulcast layer. */
export interface VideoLayerSpec {
  readonly rid: string | undefined;
  readonly shape: VideoStreamShape;
  readonly sink: VideoPacketSink;
}

/** What one video layer sent, for the bench and the tests. */
export interface LayerCounts {
  packets: number;
  bytes: number;
  frames: number;
  keyframes: number;
  /** Whether it is sending now (dynacast). */
  active: boolean;
  /** Times dynacast stopped it. */
  pauses: number;
}

interface VideoLayer {
  readonly spec: VideoLayerSpec;
  readonly stream: SyntheticVp8Stream;
  readonly counts: LayerCounts;
  keyframeRequested: boolean;
  lastKeyframeAt: number;
  /** Frames owed at its own rate (shape.fps) for each camera frame: a slower layer skips some, as an encoder's maxFramerate does. */
  credit: number;
}

export class SyntheticMedia {
  readonly sent = { audio: { packets: 0, bytes: 0 }, video: { packets: 0, bytes: 0 } };
  readonly #video: VideoLayer[];
  readonly #fps: number;
  #timer: NodeJS.Timeout | undefined;
  #audioSeq = randomInt(0, 0xffff);
  #startedAt = 0;
  #videoFrames = 0;
  #audioPackets = 0;

  /** All video layers run at `fps` (Chrome's simulcast layers share the camera's frame rate); `clock` in ms (tests pass their own). */
  constructor(
    private readonly audio: MediaStreamTrack | undefined,
    video: readonly VideoLayerSpec[],
    fps: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.#fps = fps;
    this.#video = video.map((spec) => ({
      spec,
      stream: new SyntheticVp8Stream(spec.shape),
      counts: { packets: 0, bytes: 0, frames: 0, keyframes: 0, active: true, pauses: 0 },
      keyframeRequested: true,
      lastKeyframeAt: -Infinity,
      // The first camera frame is sent by every layer.
      credit: 1 - Math.min(1, spec.shape.fps / fps),
    }));
  }

  start(): void {
    if (this.#timer) return;
    this.#startedAt = this.clock();
    // One 10 ms tick drives every stream; each catches up to where wall time says it should be.
    this.#timer = setInterval(() => this.tick(), 10);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** A receiver lost the picture (PLI/FIR): the next frame of layer `rid` (undefined: of every layer) is a keyframe. */
  requestKeyframe(rid?: string): void {
    for (const layer of this.#video) if (rid === undefined || layer.spec.rid === rid) layer.keyframeRequested = true;
  }

  /**
   * Dynacast (the server's `video-layers`): simulcast layers in `rids` send,
   * the others stop; one that comes back starts with a keyframe, since the
   * server switches a subscriber onto a layer only at a keyframe. A stream
   * without a rid (no simulcast) always sends.
   */
  setActiveLayers(rids: readonly string[]): void {
    for (const layer of this.#video) {
      if (layer.spec.rid === undefined) continue;
      const active = rids.includes(layer.spec.rid);
      if (active === layer.counts.active) continue;
      layer.counts.active = active;
      if (active) layer.keyframeRequested = true;
      else layer.counts.pauses++;
    }
  }

  /** Per simulcast layer (by rid) what it sent, and whether it is active. */
  layers(): Record<string, LayerCounts> {
    const out: Record<string, LayerCounts> = {};
    for (const layer of this.#video) if (layer.spec.rid !== undefined) out[layer.spec.rid] = { ...layer.counts };
    return out;
  }

  private tick(): void {
    const elapsed = this.clock() - this.#startedAt;
    // After a stall (GC, a busy event loop) skip ahead like a live source would, rather than burst.
    if (elapsed - this.#audioPackets * OPUS_PTIME_MS > MAX_CATCH_UP_MS) this.#audioPackets = Math.floor(elapsed / OPUS_PTIME_MS);
    const frameMs = 1000 / this.#fps;
    if (elapsed - this.#videoFrames * frameMs > MAX_CATCH_UP_MS) this.#videoFrames = Math.floor(elapsed / frameMs);
    if (this.audio) {
      while (this.#audioPackets * OPUS_PTIME_MS <= elapsed) this.sendAudio();
    }
    if (this.#video.length > 0) {
      while (this.#videoFrames * frameMs <= elapsed) {
        const atMs = this.#videoFrames * frameMs;
        this.#videoFrames++;
        for (const layer of this.#video) {
          if (!layer.counts.active) continue;
          // Each camera frame earns the layer its share of a frame; it sends when it has earned a whole one.
          layer.credit += Math.min(1, layer.spec.shape.fps / this.#fps);
          if (layer.credit < 1) continue;
          layer.credit -= 1;
          this.sendVideoFrame(layer, atMs);
        }
      }
    }
  }

  private sendAudio(): void {
    const timestamp = (this.#audioPackets * 48 * OPUS_PTIME_MS) >>> 0;
    this.#audioPackets++;
    // TOC 0xfc: CELT fullband 20 ms, one frame.
    const start = randomInt(0, OPUS_NOISE.length - OPUS_PACKET_BYTES);
    const payload = Buffer.concat([Buffer.from([0xfc]), OPUS_NOISE.subarray(start, start + OPUS_PACKET_BYTES - 1)]);
    // werift's sender rewrites ssrc and payload type to the negotiated ones.
    const header = new RtpHeader({ sequenceNumber: this.#audioSeq, timestamp, marker: false, payloadType: 0, ssrc: 0, extensions: [] });
    this.audio!.writeRtp(new RtpPacket(header, payload));
    this.#audioSeq = (this.#audioSeq + 1) & 0xffff;
    this.sent.audio.packets++;
    this.sent.audio.bytes += payload.length;
  }

  private sendVideoFrame(layer: VideoLayer, atMs: number): void {
    const keyframe = layer.keyframeRequested || atMs - layer.lastKeyframeAt >= KEYFRAME_INTERVAL_MS;
    const packets = layer.stream.frame(atMs, keyframe);
    let sent = 0;
    for (const packet of packets) {
      if (!layer.spec.sink(packet)) continue;
      sent++;
      layer.counts.packets++;
      layer.counts.bytes += packet.payload.length;
      this.sent.video.packets++;
      this.sent.video.bytes += packet.payload.length;
    }
    if (sent === 0) return; // not connected yet: the keyframe is still owed
    layer.counts.frames++;
    if (keyframe) {
      layer.keyframeRequested = false;
      layer.lastKeyframeAt = atMs;
      layer.counts.keyframes++;
    }
  }
}

/** The sink for a stream werift's own sender carries (no simulcast): it rewrites SSRC and payload type. */
export function trackSink(track: MediaStreamTrack): VideoPacketSink {
  return (packet) => {
    const header = new RtpHeader({ sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, marker: packet.marker, payloadType: 0, ssrc: 0, extensions: [] });
    track.writeRtp(new RtpPacket(header, packet.payload));
    return true;
  };
}
