/** A track a participant publishes, as the conference sees it (no media objects). */
import type { MediaKind, TrackSource } from '../protocol/messages.js';

export interface TrackInfo {
  readonly id: string;
  readonly kind: MediaKind;
  readonly source: TrackSource;
}

export class PublishedTrack implements TrackInfo {
  /** Muted tracks are not forwarded to anyone. */
  muted = false;

  constructor(
    readonly id: string,
    readonly participantId: string,
    readonly kind: MediaKind,
    readonly source: TrackSource,
  ) {}
}
