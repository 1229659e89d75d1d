/**
 * The bot's subscribe side: the server offers one sendonly m-line per
 * remote track, we answer with werift and count what arrives.
 */
import { RTCPeerConnection, type MediaStreamTrack, type PeerConfig } from 'werift';
import { SerialQueue } from '../media/serial-queue.js';
import type { MediaKind, SubscribedTrack } from '../protocol/messages.js';
import { ReceiveStats } from './receive-stats.js';

export class Subscriber {
  #pc: RTCPeerConnection | undefined;
  readonly #queue = new SerialQueue();
  readonly #seenTracks = new Set<string>();
  #closed = false;

  /** `stats`: counts to go on from (a subscriber made again after the server moved our media). */
  constructor(
    private readonly config: Partial<PeerConfig>,
    readonly stats = new ReceiveStats(),
  ) {}

  get pc(): RTCPeerConnection | undefined {
    return this.#pc;
  }

  /** Applies a subscribe offer and returns the answer SDP; offers are handled one at a time, in order. */
  answer(sdp: string, tracks: readonly SubscribedTrack[]): Promise<string> {
    return this.#queue.run(async () => {
      if (this.#closed) throw new Error('subscriber is closed');
      const pc = this.ensurePc();
      this.stats.setTracks(tracks);
      await pc.setRemoteDescription({ type: 'offer', sdp });
      const answer = await pc.createAnswer();
      const local = await pc.setLocalDescription(answer);
      return local.toSdp().sdp;
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#pc?.close();
  }

  private ensurePc(): RTCPeerConnection {
    if (this.#pc) return this.#pc;
    const pc = new RTCPeerConnection(this.config);
    pc.onTrack.subscribe((track) => this.onTrack(pc, track));
    this.#pc = pc;
    return pc;
  }

  private onTrack(pc: RTCPeerConnection, track: MediaStreamTrack): void {
    // werift re-fires onTrack for the same track on every renegotiation (docs/architecture.md, "werift behaviours").
    if (this.#seenTracks.has(track.uuid)) return;
    this.#seenTracks.add(track.uuid);
    const transceiver = pc.getTransceivers().find((t) => t.receiver.tracks.includes(track));
    const kind = track.kind as MediaKind;
    // The mid is read per packet: the offer's track list is the source of truth for who sent it.
    track.onReceiveRtp.subscribe((rtp) => this.stats.record(transceiver?.mid ?? undefined, kind, rtp));
  }
}
