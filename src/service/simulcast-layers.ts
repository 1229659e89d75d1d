/**
 * Which simulcast layer of a camera each subscriber gets, and which layers
 * the publisher must send at all (dynacast): the rules, as pure functions.
 * room-media.ts applies them; the worker's Consumer does the switching.
 *
 * A subscriber says how tall it shows each camera (protocol `receive-video`:
 * `constraints[participant].maxHeight`, else `maxHeight` for everyone, and
 * no limit for those on stage), as Jitsi's receiver video constraints do.
 * It gets the smallest layer at least about that tall, so a 180-pixel
 * thumbnail of a 640x480 camera gets its 160x120 layer, not 640x480: a
 * quarter of the pixels, and about a fifth of the bits (issue 16).
 */
import type { LayerInfo } from '../media/media-api.js';
import type { ReceiveVideo } from './room-media.js';

/**
 * A layer down to this fraction of the tile's height is taken as tall
 * enough: 0.66 lets a 180-pixel thumbnail take a 120-pixel layer. The browser
 * scales it up by 1.5; the next layer up would cost about three times the bits.
 */
export const UPSCALE_TOLERANCE = 0.66;

/** Assumed height of the top layer while no keyframe has told its real one (a 720p camera). */
const ASSUMED_TOP_HEIGHT = 720;

/**
 * How tall the subscriber shows `ownerId`'s camera, in device pixels:
 * undefined for no limit (on stage without a constraint, or no `maxHeight`
 * sent), 0 for not at all.
 */
export function wantedHeight(receive: ReceiveVideo, ownerId: string): number | undefined {
  const own = receive.constraints?.[ownerId]?.maxHeight;
  if (own !== undefined) return own;
  if (receive.onStage.includes(ownerId)) return undefined;
  return receive.maxHeight;
}

/**
 * The layer (index into `layers`, lowest first) for a tile `height` pixels
 * tall: the smallest whose height reaches UPSCALE_TOLERANCE of it, else
 * the highest; undefined height: the highest. Only layers seen (a keyframe
 * told their size) are chosen once any is: Chrome encodes fewer layers than
 * offered at small capture sizes (2 of 3 at 640x480, measured), and a layer
 * never sent must not be anyone's choice. Before any is seen, sizes are
 * estimated from a 720p top layer, each layer half the one above.
 */
export function layerForHeight(layers: readonly LayerInfo[], height: number | undefined): number {
  const top = layers.length - 1;
  if (top <= 0) return 0;
  const seen = layers.some((l) => l.height > 0);
  const heights = estimatedHeights(layers);
  const candidates = [...heights.keys()].filter((i) => !seen || layers[i]!.height > 0);
  if (height !== undefined) for (const i of candidates) if (heights[i]! >= height * UPSCALE_TOLERANCE) return i;
  return candidates.at(-1)!;
}

/** Each layer's height: as read, or estimated from the nearest one read (a factor 2 per layer). */
export function estimatedHeights(layers: readonly LayerInfo[]): number[] {
  const top = layers.length - 1;
  const known = layers.findIndex((l) => l.height > 0);
  return layers.map((layer, i) => {
    if (layer.height > 0) return layer.height;
    if (known < 0) return ASSUMED_TOP_HEIGHT / 2 ** (top - i);
    let nearest = known;
    for (let j = 0; j <= top; j++) if (layers[j]!.height > 0 && Math.abs(j - i) < Math.abs(nearest - i)) nearest = j;
    return layers[nearest]!.height * 2 ** (i - nearest);
  });
}

/**
 * Dynacast: the layers a publisher must send, given the layer each of its
 * subscribers gets (indices). The lowest stays on even when nobody watches:
 * a subscriber who starts watching gets a picture at once (no round trip to
 * the publisher and back), the server still sees the camera alive (the
 * publish path's stall watch), and it costs about a sixteenth of the pixels.
 * A layer not seen yet stays on too, or its size would never be known (and
 * a layer the encoder never sends costs nothing).
 */
export function activeLayers(layers: readonly LayerInfo[], chosen: Iterable<number>): number[] {
  const active = new Set<number>([0]);
  layers.forEach((layer, i) => layer.height === 0 && active.add(i));
  for (const layer of chosen) if (layer >= 0 && layer < layers.length) active.add(layer);
  return [...active].sort((a, b) => a - b);
}
