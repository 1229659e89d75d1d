/**
 * The bot's publish side: a werift peer connection that offers sendonly
 * Opus and VP8 m-lines and feeds them synthetic RTP once connected. With
 * `simulcast` the camera goes out as CAMERA_SIMULCAST_LAYERS (three rids on
 * one m-line, simulcast-sender.ts), as a page's camera does.
 */
import { MediaStreamTrack, RTCPeerConnection, type PeerConfig } from 'werift';
import { CAMERA_SIMULCAST_LAYERS, type TrackSource, THUMBNAIL_MAX_FRAMERATE } from '../protocol/messages.js';
import { BOT_CAMERA, planLayers } from './simulcast-plan.js';
import { SimulcastSender } from './simulcast-sender.js';
import { stripSsrcLines } from './simulcast-sdp.js';
import { SyntheticMedia, trackSink, type VideoLayerSpec } from './synthetic-media.js';

export interface PublishOptions {
  readonly audio: boolean;
  readonly video: boolean;
  /** Video bitrate, kbit/s; with simulcast the three layers' total, split in proportion to their maxBitrate (simulcast-plan.ts). Default 500. */
  readonly videoKbps?: number;
  /** Video frame rate; default 25. */
  readonly fps?: number;
  /** Send the camera as CAMERA_SIMULCAST_LAYERS (q, h, f: 160x120, 320x240, 640x480), following the server's video-layers. */
  readonly simulcast?: boolean;
}

export class Publisher {
  readonly pc: RTCPeerConnection;
  readonly media: SyntheticMedia;
  /** The camera's layers' sender when simulcast is on. */
  readonly simulcast: SimulcastSender | undefined;
  readonly #sources: Record<string, TrackSource> = {};
  readonly #pendingSources: [{ mid: string | null }, TrackSource][] = [];
  /** The camera's mid, whose m-section loses its a=ssrc lines under simulcast. */
  #cameraTransceiver: { mid: string | null } | undefined;
  #connectedAt: number | undefined;

  constructor(config: Partial<PeerConfig>, options: PublishOptions) {
    this.pc = new RTCPeerConnection(config);
    const kbps = options.videoKbps ?? 500;
    const fps = options.fps ?? 25;
    let video: VideoLayerSpec[] = [];
    let simulcast: SimulcastSender | undefined;
    const audio = options.audio ? new MediaStreamTrack({ kind: 'audio' }) : undefined;
    if (audio) this.#pendingSources.push([this.pc.addTransceiver(audio, { direction: 'sendonly' }), 'microphone']);
    if (options.video) {
      const track = new MediaStreamTrack({ kind: 'video' });
      const rids = CAMERA_SIMULCAST_LAYERS.map((l) => l.rid);
      const transceiver = this.pc.addTransceiver(track, {
        direction: 'sendonly',
        // werift writes a=rid:<rid> send and a=simulcast:send q;h;f (lowest first, as Chrome lists them).
        ...(options.simulcast ? { simulcast: rids.map((rid) => ({ rid, direction: 'send' as const })) } : {}),
      });
      if (options.simulcast) {
        simulcast = new SimulcastSender(transceiver, rids, (rid) => this.media.requestKeyframe(rid));
        const sender = simulcast;
        video = planLayers(BOT_CAMERA, kbps).map((layer, i) => ({
          rid: layer.rid,
          // As the page: the lowest layer (thumbnails) at most THUMBNAIL_MAX_FRAMERATE.
          shape: { width: layer.width, height: layer.height, kbps: layer.kbps, fps: i === 0 ? Math.min(fps, THUMBNAIL_MAX_FRAMERATE) : fps },
          sink: (packet) => sender.send(layer.rid, packet),
        }));
      } else {
        video = [{ rid: undefined, shape: { ...BOT_CAMERA, kbps, fps }, sink: trackSink(track) }];
      }
      // The SFU asks for a keyframe whenever someone new subscribes or a decoder lost the picture. Feedback
      // naming the m-line's own SSRC reaches werift's sender (it cannot say which layer): every layer.
      transceiver.sender.onPictureLossIndication.subscribe(() => this.media.requestKeyframe());
      this.#pendingSources.push([transceiver, 'camera']);
      this.#cameraTransceiver = transceiver;
    }
    this.simulcast = simulcast;
    this.media = new SyntheticMedia(audio, video, fps);
    this.pc.connectionStateChange.subscribe((state) => {
      // Before DTLS is up werift drops what we write; start the clock when packets can flow.
      if (state === 'connected') {
        this.#connectedAt ??= Date.now();
        this.media.start();
      }
      if (state === 'closed' || state === 'failed') this.media.stop();
    });
  }

  get connectedAt(): number | undefined {
    return this.#connectedAt;
  }

  /** Our offer and its mid -> source map (mids exist only after setLocalDescription); `iceRestart`: new ICE credentials. */
  async createOffer(iceRestart = false): Promise<{ sdp: string; sources: Record<string, TrackSource> }> {
    const offer = await this.pc.createOffer({ iceRestart });
    const local = await this.pc.setLocalDescription(offer);
    for (const [transceiver, source] of this.#pendingSources) {
      if (transceiver.mid !== null) this.#sources[transceiver.mid] = source;
    }
    let sdp = local.toSdp().sdp;
    const cameraMid = this.#cameraTransceiver?.mid;
    // Like Chrome's simulcast offer: the layers are named by rid, so no a=ssrc (werift's sender's SSRC never sends).
    if (this.simulcast && cameraMid) sdp = stripSsrcLines(sdp, cameraMid);
    return { sdp, sources: { ...this.#sources } };
  }

  async applyAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  async close(): Promise<void> {
    this.media.stop();
    this.simulcast?.close();
    await this.pc.close();
  }
}

/** Resolves when the connection is up; rejects on failure, close or timeout. */
export function whenConnected(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unSubscribe();
      reject(new Error(`peer connection not connected within ${timeoutMs} ms (state ${pc.connectionState})`));
    }, timeoutMs);
    const { unSubscribe } = pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') resolve();
      else if (state === 'failed' || state === 'closed') reject(new Error(`peer connection ${state}`));
      else return;
      clearTimeout(timer);
      unSubscribe();
    });
  });
}
