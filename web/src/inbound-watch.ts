/**
 * Does what others send still reach this page? Fed every second with the
 * packet counts of each remote track (getStats inbound-rtp), it tells which
 * participants' media stopped while they are unmuted, and whether nothing at
 * all arrives any more (the whole subscribe path is dead, whatever ICE says).
 *
 * The page shows "Reconnecting media…" on a stalled participant's tile and
 * reports it; for a dead subscribe path it asks the server for an ICE
 * restart. The server decides: it knows whether it still forwards anything
 * (a silent sender is that sender's publish path, which the server watches
 * and repairs), and when its own repair fails it tells the page to rebuild.
 * Pure logic with the clock passed in.
 */

/** No new packet for this long on an unmuted track: stalled (audio: 50 packets/s; video: frames at least every second). */
export const STALLED_AFTER_MS = 4000;
/** A track that never got a packet is judged only after this long (setting up, waiting for a keyframe). */
const FIRST_PACKET_GRACE_MS = 8000;

export interface InboundSample {
  /** The m-line (mid) of the remote track. */
  readonly mid: string;
  readonly participantId: string;
  readonly kind: 'audio' | 'video';
  /** packetsReceived from getStats. */
  readonly packets: number;
  /** The sender has this kind muted (the server says so): no packets expected. */
  readonly senderMuted: boolean;
}

export interface InboundVerdict {
  /** Participants with an unmuted track that stopped. */
  readonly stalled: ReadonlySet<string>;
  /** Every judged track stopped: nothing arrives from anybody. */
  readonly pathDead: boolean;
  /** The path has been dead this long, in ms (0 when it is not). */
  readonly pathDeadForMs: number;
}

interface TrackState {
  packets: number;
  /** When the count last grew, or when the track appeared or was unmuted. */
  movedAt: number;
  everReceived: boolean;
  senderMuted: boolean;
}

export class InboundWatch {
  readonly #tracks = new Map<string, TrackState>();
  #pathDeadSince: number | undefined;

  /** One look at every remote track now present; tracks not in `samples` are forgotten. */
  update(samples: readonly InboundSample[], now: number): InboundVerdict {
    const seen = new Set<string>();
    const stalled = new Set<string>();
    let judged = 0;
    let dead = 0;
    for (const sample of samples) {
      seen.add(sample.mid);
      let track = this.#tracks.get(sample.mid);
      if (!track) {
        track = { packets: sample.packets, movedAt: now, everReceived: sample.packets > 0, senderMuted: sample.senderMuted };
        this.#tracks.set(sample.mid, track);
      }
      if (sample.packets > track.packets || (track.senderMuted && !sample.senderMuted)) track.movedAt = now;
      if (sample.packets > 0) track.everReceived = true;
      track.packets = sample.packets;
      track.senderMuted = sample.senderMuted;
      if (sample.senderMuted) continue;
      const quietFor = now - track.movedAt;
      if (!track.everReceived && quietFor <= FIRST_PACKET_GRACE_MS) continue;
      judged++;
      if (quietFor > STALLED_AFTER_MS) {
        dead++;
        stalled.add(sample.participantId);
      }
    }
    for (const mid of this.#tracks.keys()) if (!seen.has(mid)) this.#tracks.delete(mid);
    const pathDead = judged > 0 && dead === judged;
    if (!pathDead) this.#pathDeadSince = undefined;
    else this.#pathDeadSince ??= now;
    return { stalled, pathDead, pathDeadForMs: pathDead ? now - this.#pathDeadSince! : 0 };
  }

  /** After a rebuild: start over. */
  reset(): void {
    this.#tracks.clear();
    this.#pathDeadSince = undefined;
  }
}
