/**
 * What each simulcast layer of a bot's camera sends: the page's
 * sendEncodings (CAMERA_SIMULCAST_LAYERS) applied to the bot's camera size
 * and bitrate.
 */
import { CAMERA_SIMULCAST_LAYERS, type SimulcastLayer } from '../protocol/messages.js';
import type { FrameSize } from './vp8.js';

/** The camera a bot pretends to have, in pixels: Chrome's fake camera's default. */
export const BOT_CAMERA: FrameSize = { width: 640, height: 480 };

export interface PlannedLayer extends FrameSize {
  readonly rid: string;
  /** kbit/s of this layer. */
  readonly kbps: number;
}

/**
 * Each layer's picture is the camera's divided by scaleResolutionDownBy,
 * rounded down as libwebrtc does (W3C webrtc-pc 5.2, RTCRtpEncodingParameters):
 * 640x480 gives 160x120, 320x240 and 640x480. The bot's total bitrate
 * `totalKbps` is split in proportion to the layers' maxBitrate, so the sum
 * of the maxBitrates gives each its maximum (with 100 : 300 : 900 kbit/s,
 * 500 kbit/s gives about 38, 115 and 346).
 */
export function planLayers(camera: FrameSize, totalKbps: number, layers: readonly SimulcastLayer[] = CAMERA_SIMULCAST_LAYERS): PlannedLayer[] {
  const sum = layers.reduce((total, layer) => total + layer.maxBitrate, 0);
  return layers.map((layer) => ({
    rid: layer.rid,
    width: Math.max(1, Math.floor(camera.width / layer.scaleResolutionDownBy)),
    height: Math.max(1, Math.floor(camera.height / layer.scaleResolutionDownBy)),
    kbps: sum > 0 ? (totalKbps * layer.maxBitrate) / sum : totalKbps / layers.length,
  }));
}
