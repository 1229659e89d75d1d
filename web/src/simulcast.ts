/**
 * The camera's simulcast (issue 16): which layers it sends, and which of
 * them are active (the server's `video-layers`, dynacast).
 *
 * How many layers: Chromium encodes at most as many simulcast layers as its
 * table allows for the capture size (libwebrtc's legacy layer limit, by
 * pixel count) and drops the TOP ones beyond that, keeping the rest at their
 * own scale. Measured with Debian's Chromium 156 and the fake camera, asking
 * for q/h/f (1/4, 1/2, 1):
 *
 *   capture    layers encoded
 *   320x240    1: q only, 80x60 (h and f framesEncoded stay 0)
 *   480x360    2: q 120x90, h 240x180 (no full-size layer)
 *   640x480    2: q 160x120, h 320x240
 *   960x720    3: q 240x180, h 480x360, f 960x720
 *
 * So asking for all three from a 480x360 camera would never send the
 * camera's own resolution. The page asks for as many layers as Chromium will
 * encode, the TOP ones of CAMERA_SIMULCAST_LAYERS: 480x360 sends h and f
 * (240x180, 480x360); below 480x270 a camera sends one plain encoding, as
 * without simulcast. Firefox has no such table; it gets the same layers.
 */
import { CAMERA_SIMULCAST_LAYERS, THUMBNAIL_MAX_FRAMERATE, type SimulcastLayer } from '../../src/protocol/messages.js';

/** libwebrtc's simulcast table (simulcast.cc, kSimulcastFormats): at least this many pixels allow this many layers. */
const LAYERS_BY_PIXELS: readonly (readonly [pixels: number, layers: number])[] = [
  [960 * 540, 3],
  [480 * 270, 2],
];

/** How many simulcast layers Chromium encodes for a capture of this size. */
export function simulcastLayerCount(width: number, height: number): number {
  return LAYERS_BY_PIXELS.find(([pixels]) => width * height >= pixels)?.[1] ?? 1;
}

/** The camera's layers for a capture of this size, lowest first; one layer means no simulcast. */
export function cameraLayers(width: number, height: number): readonly SimulcastLayer[] {
  const n = Math.min(simulcastLayerCount(width, height), CAMERA_SIMULCAST_LAYERS.length);
  return CAMERA_SIMULCAST_LAYERS.slice(CAMERA_SIMULCAST_LAYERS.length - n);
}

/**
 * sendEncodings for a camera track, or undefined for one plain encoding (a
 * small camera, or a size the browser does not report). The lowest layer
 * keeps its own scale: with h and f, h is 1/2 of the camera.
 */
export function cameraSendEncodings(track: MediaStreamTrack): RTCRtpEncodingParameters[] | undefined {
  const { width, height } = track.getSettings();
  if (!width || !height) return undefined;
  const layers = cameraLayers(width, height);
  if (layers.length < 2) return undefined;
  // The lowest layer is the thumbnail: at most THUMBNAIL_MAX_FRAMERATE (the stage's layers keep the camera's rate).
  return layers.map((l, i) => ({
    rid: l.rid,
    scaleResolutionDownBy: l.scaleResolutionDownBy,
    maxBitrate: l.maxBitrate,
    ...(i === 0 ? { maxFramerate: THUMBNAIL_MAX_FRAMERATE } : {}),
  }));
}

/**
 * Which encodings should be active: those the server named; undefined (the
 * server has not said yet) means all. The lowest always stays, so a camera
 * never goes dark by a list that names none of ours (the server keeps the
 * lowest active too).
 */
export function activeEncodings(rids: readonly string[], wanted: ReadonlySet<string> | undefined): boolean[] {
  const on = rids.map((rid) => wanted === undefined || wanted.has(rid));
  if (!on.some(Boolean) && on.length > 0) on[0] = true;
  return on;
}

/**
 * The camera sender's encodings, kept as the server last asked across the
 * publish connection's renegotiations (screen share, ICE restart): each
 * negotiation calls `apply()` again. setParameters calls run one at a time
 * (each needs the transaction of the getParameters just before it).
 */
export class CameraLayers {
  #wanted: ReadonlySet<string> | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly sender: RTCRtpSender) {}

  /** The server's video-layers: only these rids are sent. */
  setActive(rids: readonly string[]): Promise<void> {
    this.#wanted = new Set(rids);
    return this.apply();
  }

  /** The rids the server wants now (undefined: all), for tests and diagnostics. */
  get wanted(): readonly string[] | undefined {
    return this.#wanted && [...this.#wanted];
  }

  /** Brings the sender's encodings in line; after a negotiation too. */
  apply(): Promise<void> {
    const run = async (): Promise<void> => {
      const params = this.sender.getParameters();
      if (!params.encodings?.length) return;
      let changed = false;
      if (params.encodings.length === 1) {
        // The answer refused simulcast (a server without it): the one encoding left is our lowest, at
        // 1/2 or 1/4 of the camera; send the camera's own size instead.
        const only = params.encodings[0]!;
        if ((only.scaleResolutionDownBy ?? 1) !== 1) {
          only.scaleResolutionDownBy = 1;
          delete only.maxBitrate;
          changed = true;
        }
      } else {
        const on = activeEncodings(params.encodings.map((e) => e.rid ?? ''), this.#wanted);
        params.encodings.forEach((e, i) => {
          if (e.active !== on[i]) {
            e.active = on[i]!;
            changed = true;
          }
        });
      }
      if (changed) await this.sender.setParameters(params);
    };
    // A failure (mid-negotiation, a closed connection) is retried by the next negotiation's apply().
    this.#queue = this.#queue.then(run).catch((e: unknown) => console.warn(`confab: camera layers not applied: ${String(e)}`));
    return this.#queue;
  }
}
