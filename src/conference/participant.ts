/**
 * A participant in a room: identity, role, mute state and published tracks.
 * Owned by its Room; `close()` is idempotent and unpublishes every track.
 */
import type { MediaKind, ParticipantInfo, TrackSource } from '../protocol/messages.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { PublishedTrack } from './track.js';

export type Role = 'moderator' | 'participant';
export type LeaveReason = 'left' | 'disconnected' | 'removed' | 'replaced';

export interface ParticipantEvents {
  updated: [Participant];
  trackPublished: [PublishedTrack];
  trackUpdated: [PublishedTrack];
  trackUnpublished: [PublishedTrack];
  closed: [LeaveReason];
}

/** Who a participant is according to a verified token (`context.user`). */
export interface UserIdentity {
  readonly id: string | undefined;
  readonly email: string | undefined;
  readonly avatar: string | undefined;
}

export interface JoinOptions {
  readonly displayName: string;
  readonly role?: Role;
  readonly audioMuted?: boolean;
  readonly videoMuted?: boolean;
  /** From a verified token; undefined in open rooms and for guests. */
  readonly user?: UserIdentity;
  /** The token's `context.features`, kept for features that read them later. */
  readonly features?: Readonly<Record<string, unknown>>;
}

export class Participant extends TypedEmitter<ParticipantEvents> {
  readonly tracks = new Map<string, PublishedTrack>();
  readonly joinedAt = Date.now();
  readonly user: UserIdentity | undefined;
  readonly features: Readonly<Record<string, unknown>>;
  displayName: string;
  role: Role;
  audioMuted: boolean;
  videoMuted: boolean;
  #closed = false;

  constructor(
    readonly id: string,
    options: JoinOptions,
  ) {
    super();
    this.displayName = options.displayName;
    this.role = options.role ?? 'participant';
    this.audioMuted = options.audioMuted ?? false;
    this.videoMuted = options.videoMuted ?? false;
    this.user = options.user ? Object.freeze({ ...options.user }) : undefined;
    this.features = Object.freeze({ ...options.features });
  }

  get closed(): boolean {
    return this.#closed;
  }

  publishTrack(id: string, kind: MediaKind, source: TrackSource): PublishedTrack {
    if (this.#closed) throw new Error(`participant ${this.id} is closed`);
    const existing = this.tracks.get(id);
    if (existing) return existing;
    const track = new PublishedTrack(id, this.id, kind, source);
    track.muted = this.isMuted(track);
    this.tracks.set(id, track);
    this.emit('trackPublished', track);
    return track;
  }

  unpublishTrack(id: string): void {
    const track = this.tracks.get(id);
    if (!track) return;
    this.tracks.delete(id);
    this.emit('trackUnpublished', track);
  }

  /** Mute state applies to the microphone (audio) or camera (video); screen shares have their own life. */
  setMuted(kind: MediaKind, muted: boolean): void {
    if (this.#closed) return;
    const before = kind === 'audio' ? this.audioMuted : this.videoMuted;
    if (before === muted) return;
    if (kind === 'audio') this.audioMuted = muted;
    else this.videoMuted = muted;
    for (const track of this.tracks.values()) {
      const next = this.isMuted(track);
      if (track.muted !== next) {
        track.muted = next;
        this.emit('trackUpdated', track);
      }
    }
    this.emit('updated', this);
  }

  setDisplayName(name: string): void {
    if (this.#closed || name === this.displayName) return;
    this.displayName = name;
    this.emit('updated', this);
  }

  info(): ParticipantInfo {
    return {
      id: this.id,
      displayName: this.displayName,
      role: this.role,
      audioMuted: this.audioMuted,
      videoMuted: this.videoMuted,
      joinedAt: this.joinedAt,
    };
  }

  close(reason: LeaveReason = 'left'): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.tracks.keys()]) this.unpublishTrack(id);
    this.emit('closed', reason);
    this.removeAllListeners();
  }

  private isMuted(track: PublishedTrack): boolean {
    if (track.source === 'microphone') return this.audioMuted;
    if (track.source === 'camera') return this.videoMuted;
    return false;
  }
}
