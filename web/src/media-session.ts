/**
 * The browser's two peer connections with the SFU, for one signaling
 * session: `publish` (we offer our camera and microphone) and `subscribe`
 * (the server offers everyone else's tracks, we answer). Remote tracks are
 * attributed to participants through the `tracks` list that comes with each
 * server offer (mid -> participant), never by guessing from stream ids.
 *
 * A screen share is one more publish m-line (source 'screen'): starting it
 * renegotiates, stopping sets that m-line inactive (the server then closes
 * its producer for everyone), and the next share reuses the m-line.
 * Publish negotiations run one at a time, each waiting for its answer.
 * The camera goes out as simulcast layers (simulcast.ts); which of them are
 * active is the server's word (`video-layers`), kept across renegotiations.
 *
 * It outlives a signaling connection: after a resumed session the peer
 * connections carry on, and messages go out through the new connection.
 */
import type { ClientMessageInput, ServerMessageOf, SubscribedTrack, TrackSource } from '../../src/protocol/messages.js';
import { CameraLayers, cameraSendEncodings } from './simulcast.js';

/** Sends through whatever signaling connection is current: a resumed session swaps it under us. */
export type SendSignal = (message: ClientMessageInput) => void;

export interface RemoteTrack {
  readonly info: SubscribedTrack;
  readonly track: MediaStreamTrack;
}

export interface MediaSessionEvents {
  onRemoteTracks(tracks: RemoteTrack[]): void;
  /** `hadConnected`: it worked before and then stopped (a network change, a TURN server gone), rather than never getting through. */
  onFailed(reason: string, hadConnected: boolean): void;
}

export class MediaSession {
  readonly publishPc: RTCPeerConnection;
  subscribePc: RTCPeerConnection | undefined;
  #tracksByMid = new Map<string, SubscribedTrack>();
  readonly #remote = new Map<string, MediaStreamTrack>();
  readonly #sources = new Map<RTCRtpTransceiver, TrackSource>();
  #screen: RTCRtpTransceiver | undefined;
  /** The camera's simulcast encodings (undefined: no camera, or one plain encoding). */
  #cameraLayers: CameraLayers | undefined;
  #publishing: Promise<void> = Promise.resolve();
  #awaitingAnswer: ((sdp: string) => void) | undefined;
  #closed = false;

  constructor(
    private readonly send: SendSignal,
    private readonly iceServers: RTCIceServer[],
    private readonly events: MediaSessionEvents,
  ) {
    this.publishPc = this.createPc('publish');
  }

  /** Offers our local tracks to the server; `preferredCodec` goes first in the video m-line. */
  async publish(stream: MediaStream | undefined, preferredCodec?: string): Promise<void> {
    for (const track of stream?.getTracks() ?? []) {
      const sendEncodings = track.kind === 'video' ? cameraSendEncodings(track) : undefined;
      const t = this.publishPc.addTransceiver(track, { direction: 'sendonly', streams: [stream!], ...(sendEncodings ? { sendEncodings } : {}) });
      if (sendEncodings) this.#cameraLayers = new CameraLayers(t.sender);
      if (track.kind === 'video' && preferredCodec) preferCodec(t, `video/${preferredCodec}`);
      this.#sources.set(t, track.kind === 'audio' ? 'microphone' : 'camera');
    }
    if (this.#sources.size > 0) await this.renegotiate();
  }

  /** Starts (a track) or stops (undefined) our screen share, renegotiating the publish connection. */
  async setScreen(track: MediaStreamTrack | undefined): Promise<void> {
    if (this.#closed) return;
    if (track) {
      if ('contentHint' in track) track.contentHint = 'detail';
      // A transceiver the browser stopped (a server that rejected the idle m-line) cannot be reused.
      if (this.#screen && !this.publishPc.getTransceivers().includes(this.#screen)) {
        this.#sources.delete(this.#screen);
        this.#screen = undefined;
      }
      if (this.#screen) {
        await this.#screen.sender.replaceTrack(track);
        this.#screen.direction = 'sendonly';
      } else {
        this.#screen = this.publishPc.addTransceiver(track, { direction: 'sendonly' });
        this.#sources.set(this.#screen, 'screen');
      }
    } else {
      if (!this.#screen || this.#screen.direction === 'inactive') return;
      this.#screen.direction = 'inactive';
      await this.#screen.sender.replaceTrack(null);
    }
    await this.renegotiate();
  }

  /** The server stopped getting our media (a path that died without ICE noticing): new ICE credentials, same connection. */
  restartPublishIce(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.publishPc.restartIce();
    return this.renegotiate();
  }

  /** Dynacast: the server says which of our camera's layers anybody receives; the others stop encoding. */
  setCameraLayers(active: readonly string[]): Promise<void> {
    return this.#cameraLayers?.setActive(active) ?? Promise.resolve();
  }

  /** The camera's simulcast state, for tests and diagnostics: undefined without simulcast. */
  get cameraLayers(): CameraLayers | undefined {
    return this.#cameraLayers;
  }

  onPublishAnswer(sdp: string): void {
    const resolve = this.#awaitingAnswer;
    this.#awaitingAnswer = undefined;
    resolve?.(sdp);
  }

  /** One publish offer/answer at a time: a screen share started while joining waits its turn. */
  private renegotiate(): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#closed) return;
      const offer = await this.publishPc.createOffer();
      await this.publishPc.setLocalDescription(offer);
      const sources: Record<string, TrackSource> = {};
      for (const [t, source] of this.#sources) if (t.mid) sources[t.mid] = source;
      const answer = new Promise<string>((resolve, reject) => {
        this.#awaitingAnswer = resolve;
        window.setTimeout(() => reject(new Error('no publish answer within 15 s')), 15_000);
      });
      this.send({ type: 'publish-offer', sdp: this.publishPc.localDescription!.sdp, sources });
      const sdp = await answer;
      if (this.#closed) return;
      await this.publishPc.setRemoteDescription({ type: 'answer', sdp });
      // What the server asked of our layers holds across renegotiations; also, an answer without simulcast leaves one encoding to fix.
      await this.#cameraLayers?.apply();
    };
    const next = this.#publishing.then(run, run);
    this.#publishing = next.catch(() => undefined);
    return next;
  }

  async onSubscribeOffer(message: ServerMessageOf<'subscribe-offer'>): Promise<void> {
    const pc = (this.subscribePc ??= this.createPc('subscribe'));
    // Update the map first: ontrack fires inside setRemoteDescription.
    this.#tracksByMid = new Map(message.tracks.map((t) => [t.mid, t]));
    await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    this.send({ type: 'subscribe-answer', sdp: pc.localDescription!.sdp });
    this.emitRemoteTracks();
  }

  /** The live remote tracks, as the latest server offer describes them. */
  remoteTracks(): RemoteTrack[] {
    const out: RemoteTrack[] = [];
    for (const [mid, info] of this.#tracksByMid) {
      const track = this.#remote.get(mid);
      if (track && track.readyState === 'live') out.push({ info, track });
    }
    return out;
  }

  /** Both peer connections are still usable (not failed or closed): worth keeping across a resume. */
  get healthy(): boolean {
    const ok = (pc: RTCPeerConnection | undefined): boolean => pc === undefined || (pc.connectionState !== 'failed' && pc.connectionState !== 'closed');
    return !this.#closed && ok(this.publishPc) && ok(this.subscribePc);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.publishPc.close();
    this.subscribePc?.close();
  }

  private createPc(role: 'publish' | 'subscribe'): RTCPeerConnection {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: 'max-bundle' });
    // No trickling: the server is ICE-lite and learns our addresses from our checks (it ignores candidates).
    let hadConnected = false;
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') hadConnected = true;
      if (pc.connectionState === 'failed' && !this.#closed) {
        this.events.onFailed(
          hadConnected ? `${role} connection failed after it had worked (the network path went away)` : `${role} connection failed (ICE or DTLS could not get through)`,
          hadConnected,
        );
      }
    };
    if (role === 'subscribe') {
      pc.ontrack = (event) => {
        const mid = event.transceiver.mid;
        if (!mid) return;
        this.#remote.set(mid, event.track);
        this.emitRemoteTracks();
      };
    }
    return pc;
  }

  private emitRemoteTracks(): void {
    if (!this.#closed) this.events.onRemoteTracks(this.remoteTracks());
  }
}

/** Puts one codec first, keeping the rest as fallbacks (the server picks what it supports). */
function preferCodec(transceiver: RTCRtpTransceiver, mimeType: string): void {
  const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
  const wanted = (c: RTCRtpCodec): boolean =>
    c.mimeType.toLowerCase() === mimeType.toLowerCase() && !/packetization-mode=0/.test(c.sdpFmtpLine ?? '');
  if (!codecs.some(wanted) || !('setCodecPreferences' in transceiver)) return;
  transceiver.setCodecPreferences([...codecs.filter(wanted), ...codecs.filter((c) => !wanted(c))]);
}
