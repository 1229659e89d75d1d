/**
 * A participant in a room: identity, role, mute state and published tracks.
 * Owned by its Room; `close()` is idempotent and unpublishes every track.
 *
 * A moderator's hard mute locks a kind: the participant cannot unmute it
 * until a moderator allows it, and a video lock also silences screen
 * shares. Locked tracks are muted here, so the media layer stops
 * forwarding them whatever the participant's client says.
 */
import { normalizeDisplayName } from '../protocol/display-name.js';
import { ConfabError } from '../protocol/errors.js';
import type { LeaveReason, MediaKind, ParticipantInfo, Role, TrackSource } from '../protocol/messages.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { PublishedTrack } from './track.js';

export type { LeaveReason, Role };

export interface ParticipantEvents {
  updated: [Participant];
  /** The role changed (the argument is the previous role); `updated` follows. */
  roleChanged: [Role];
  trackPublished: [PublishedTrack];
  trackUpdated: [PublishedTrack];
  trackUnpublished: [PublishedTrack];
  closed: [LeaveReason];
}

/** Who a participant is according to a verified token (`context.user`). */
export interface UserIdentity {
  readonly id: string | undefined;
  /** `context.user.name` as the token gave it (the display name can differ: the person may type another). */
  readonly name?: string | undefined;
  readonly email: string | undefined;
  readonly avatar: string | undefined;
}

export interface JoinOptions {
  readonly displayName: string;
  readonly role?: Role;
  readonly audioMuted?: boolean;
  readonly videoMuted?: boolean;
  /** Joins hard-muted (lecture mode is on in the room). */
  readonly audioLocked?: boolean;
  readonly videoLocked?: boolean;
  /** From a verified token; undefined in open rooms and for guests. */
  readonly user?: UserIdentity;
  /** The token's `context.features`, kept for features that read them later. */
  readonly features?: Readonly<Record<string, unknown>>;
  /** Who this is across joins (token `sub` + user id), what a moderator's block refuses; undefined: no token user id. */
  readonly identityKey?: string;
}

export class Participant extends TypedEmitter<ParticipantEvents> {
  readonly tracks = new Map<string, PublishedTrack>();
  readonly joinedAt = Date.now();
  readonly user: UserIdentity | undefined;
  readonly features: Readonly<Record<string, unknown>>;
  readonly identityKey: string | undefined;
  /** Removed and blocked by a moderator (set just before it is closed as 'removed'). */
  blocked = false;
  displayName: string;
  role: Role;
  audioMuted: boolean;
  videoMuted: boolean;
  audioLocked: boolean;
  videoLocked: boolean;
  /** Set by the room's hand queue (hand-queue.ts); null while the hand is down. */
  handRaisedAt: number | null = null;
  /** Its signaling dropped without a goodbye; it is held for a while in case it resumes (media may still flow). */
  connectionInterrupted = false;
  #closed = false;

  constructor(
    readonly id: string,
    options: JoinOptions,
  ) {
    super();
    // Normalised on the way in already (protocol, admission); again here so no path can skip it.
    this.displayName = normalizeDisplayName(options.displayName);
    this.role = options.role ?? 'participant';
    // Lecture mode holds newcomers who are not moderators: they join muted and locked.
    this.audioLocked = this.role !== 'moderator' && (options.audioLocked ?? false);
    this.videoLocked = this.role !== 'moderator' && (options.videoLocked ?? false);
    this.audioMuted = this.audioLocked || (options.audioMuted ?? false);
    this.videoMuted = this.videoLocked || (options.videoMuted ?? false);
    this.user = options.user ? Object.freeze({ ...options.user }) : undefined;
    this.features = Object.freeze({ ...options.features });
    this.identityKey = options.identityKey;
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

  /** The participant's own mute of the microphone (audio) or camera (video); unmuting a locked kind is refused. */
  setMuted(kind: MediaKind, muted: boolean): void {
    if (this.#closed) return;
    if (!muted && this.isLocked(kind)) {
      throw new ConfabError('muted_by_moderator', `a moderator muted your ${kind === 'audio' ? 'microphone' : 'camera'}; you can unmute when a moderator allows it`);
    }
    this.setKind(kind, muted, this.isLocked(kind));
  }

  /** A moderator mutes this participant; `hard` also locks it (moderators are never locked: they could unlock themselves). */
  muteByModerator(kind: MediaKind, hard: boolean): void {
    if (this.#closed) return;
    this.setKind(kind, true, this.isLocked(kind) || (hard && this.role !== 'moderator'));
  }

  /** A moderator lifts a hard mute: the participant may unmute, and stays muted until they do. */
  allowUnmute(kind: MediaKind): void {
    if (this.#closed || !this.isLocked(kind)) return;
    this.setKind(kind, kind === 'audio' ? this.audioMuted : this.videoMuted, false);
  }

  isLocked(kind: MediaKind): boolean {
    return kind === 'audio' ? this.audioLocked : this.videoLocked;
  }

  /** Granting moderator lifts the locks (a moderator could lift them anyway). */
  setRole(role: Role): void {
    if (this.#closed || role === this.role) return;
    const previous = this.role;
    this.role = role;
    if (role === 'moderator') [this.audioLocked, this.videoLocked] = [false, false];
    this.refreshTracks();
    this.emit('roleChanged', previous);
    this.emit('updated', this);
  }

  /** Called by the room's hand queue, which owns the ordering. */
  setHandRaisedAt(at: number | null): void {
    if (this.#closed || at === this.handRaisedAt) return;
    this.handRaisedAt = at;
    this.emit('updated', this);
  }

  /** The service holds a participant whose connection dropped, and clears this when it comes back. */
  setConnectionInterrupted(interrupted: boolean): void {
    if (this.#closed || interrupted === this.connectionInterrupted) return;
    this.connectionInterrupted = interrupted;
    this.emit('updated', this);
  }

  setDisplayName(raw: string): void {
    const name = normalizeDisplayName(raw);
    if (this.#closed || name === '' || name === this.displayName) return;
    this.displayName = name;
    this.emit('updated', this);
  }

  info(): ParticipantInfo {
    const avatar = avatarUrl(this.user?.avatar);
    return {
      id: this.id,
      displayName: this.displayName,
      role: this.role,
      audioMuted: this.audioMuted,
      videoMuted: this.videoMuted,
      audioLocked: this.audioLocked,
      videoLocked: this.videoLocked,
      handRaisedAt: this.handRaisedAt,
      joinedAt: this.joinedAt,
      connectionInterrupted: this.connectionInterrupted,
      blockable: this.identityKey !== undefined,
      ...(avatar !== undefined ? { avatarUrl: avatar } : {}),
    };
  }

  close(reason: LeaveReason = 'left'): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.tracks.keys()]) this.unpublishTrack(id);
    this.emit('closed', reason);
    this.removeAllListeners();
  }

  /** Sets a kind's mute and lock; if that changed anything, re-derives track mutes and emits `updated` once. */
  private setKind(kind: MediaKind, muted: boolean, locked: boolean): void {
    if ((kind === 'audio' ? this.audioMuted : this.videoMuted) === muted && this.isLocked(kind) === locked) return;
    if (kind === 'audio') [this.audioMuted, this.audioLocked] = [muted, locked];
    else [this.videoMuted, this.videoLocked] = [muted, locked];
    this.refreshTracks();
    this.emit('updated', this);
  }

  private refreshTracks(): void {
    for (const track of this.tracks.values()) {
      const next = this.isMuted(track);
      if (track.muted !== next) {
        track.muted = next;
        this.emit('trackUpdated', track);
      }
    }
  }

  private isMuted(track: PublishedTrack): boolean {
    if (track.source === 'microphone') return this.audioMuted;
    if (track.source === 'camera') return this.videoMuted;
    return this.videoLocked;
  }
}

/** A token's avatar, if it is an http(s) URL other pages may load as an image; anything else is not shown. */
function avatarUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.length > 2048) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
