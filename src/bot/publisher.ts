/**
 * The bot's publish side: a werift peer connection that offers sendonly
 * Opus and VP8 m-lines and feeds them synthetic RTP once connected.
 */
import { MediaStreamTrack, RTCPeerConnection, type PeerConfig } from 'werift';
import type { TrackSource } from '../protocol/messages.js';
import { SyntheticMedia } from './synthetic-media.js';

export interface PublishOptions {
  readonly audio: boolean;
  readonly video: boolean;
  /** Video bitrate; default 500 kbit/s. */
  readonly videoKbps?: number;
  /** Video frame rate; default 25. */
  readonly fps?: number;
}

export class Publisher {
  readonly pc: RTCPeerConnection;
  readonly media: SyntheticMedia;
  readonly #sources: Record<string, TrackSource> = {};
  readonly #pendingSources: [{ mid: string | null }, TrackSource][] = [];
  #connectedAt: number | undefined;

  constructor(config: Partial<PeerConfig>, options: PublishOptions) {
    this.pc = new RTCPeerConnection(config);
    const audio = options.audio ? new MediaStreamTrack({ kind: 'audio' }) : undefined;
    const video = options.video ? new MediaStreamTrack({ kind: 'video' }) : undefined;
    this.media = new SyntheticMedia(audio, video, { kbps: options.videoKbps ?? 500, fps: options.fps ?? 25 });
    for (const [track, source] of [
      [audio, 'microphone'],
      [video, 'camera'],
    ] as const) {
      if (!track) continue;
      const transceiver = this.pc.addTransceiver(track, { direction: 'sendonly' });
      // The SFU asks for a keyframe whenever someone new subscribes or a decoder lost the picture.
      if (track.kind === 'video') transceiver.sender.onPictureLossIndication.subscribe(() => this.media.requestKeyframe());
      this.#pendingSources.push([transceiver, source]);
    }
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
    return { sdp: local.toSdp().sdp, sources: { ...this.#sources } };
  }

  async applyAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  async close(): Promise<void> {
    this.media.stop();
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
