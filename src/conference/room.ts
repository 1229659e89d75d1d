/**
 * A room: the participants of one class. It exists while someone is in it:
 * when the last participant leaves the room closes itself, and the registry
 * forgets it. Room events re-emit participant events with the participant,
 * so the layers above listen in one place.
 */
import { randomUUID } from 'node:crypto';
import { ConfabError } from '../protocol/errors.js';
import type { ChatMessage, Knocker, MediaKind, RoomState } from '../protocol/messages.js';
import type { RoomAddress } from '../protocol/room-name.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { ChatLog } from './chat.js';
import { HandQueue } from './hand-queue.js';
import { Lobby, type Knock } from './lobby.js';
import { Participant, type JoinOptions, type LeaveReason, type Role } from './participant.js';
import { isModerator } from './permissions.js';
import type { PublishedTrack } from './track.js';

export interface RoomEvents {
  participantJoined: [Participant];
  participantUpdated: [Participant];
  participantLeft: [Participant, LeaveReason];
  /** A moderator granted a role (the second argument is the previous one). For webhooks and clients. */
  participantRoleChanged: [Participant, Role];
  /** Lock, lobby, lecture mode or subject changed. */
  stateChanged: [RoomState];
  /** A room message (everyone) or a private one (`to` set: only the sender and recipient). */
  chatMessage: [ChatMessage];
  /** Who waits in the lobby now (moderators are told). */
  lobbyChanged: [Knocker[]];
  /** A moderator ended the class (before everyone is closed with 'ended'): every way back is revoked. */
  ended: [];
  trackPublished: [Participant, PublishedTrack];
  trackUpdated: [Participant, PublishedTrack];
  trackUnpublished: [Participant, PublishedTrack];
  /** Who has the floor (src/conference/dominant-speaker.ts), or nobody (they left). */
  dominantSpeakerChanged: [string | null];
  closed: [];
}

export interface RoomLimits {
  readonly maxParticipants: number;
  /** The lobby starts on in new rooms (ENABLE_LOBBY). */
  readonly lobbyByDefault?: boolean;
}

export class Room extends TypedEmitter<RoomEvents> {
  readonly participants = new Map<string, Participant>();
  readonly createdAt = Date.now();
  readonly lobby: Lobby;
  readonly chat = new ChatLog();
  readonly hands = new HandQueue();
  #locked = false;
  /** Identities (token `sub` + user id) a moderator removed and blocked: refused until the room closes, i.e. for the rest of the class. */
  readonly #blocked = new Set<string>();
  /** Knock id -> the knocker's identity, so a block also turns away a knock from the same person. */
  readonly #knockIdentities = new Map<string, string>();
  /** Lecture mode per kind: newcomers who are not moderators join hard-muted. */
  readonly #hardMuted = { audio: false, video: false };
  #closed = false;
  /** Who has the floor, from the media's audio levels (set by the media binding); null: nobody yet, or they left. */
  #dominantSpeaker: string | null = null;

  constructor(
    readonly address: RoomAddress,
    private readonly limits: RoomLimits,
  ) {
    super();
    this.lobby = new Lobby(limits.lobbyByDefault ?? false);
    this.lobby.on('changed', (waiting) => this.emit('lobbyChanged', waiting));
  }

  #subject = '';

  state(): RoomState {
    return { locked: this.#locked, lobbyEnabled: this.lobby.enabled, hardMuted: { ...this.#hardMuted }, subject: this.#subject };
  }

  /** The meeting's subject, for everyone ('' clears it). */
  setSubject(subject: string): void {
    if (subject === this.#subject) return;
    this.#subject = subject;
    this.emit('stateChanged', this.state());
  }

  get locked(): boolean {
    return this.#locked;
  }

  setLocked(locked: boolean): void {
    if (locked === this.#locked) return;
    this.#locked = locked;
    this.emit('stateChanged', this.state());
  }

  setLobbyEnabled(enabled: boolean): void {
    if (enabled === this.lobby.enabled) return;
    this.lobby.setEnabled(enabled);
    this.emit('stateChanged', this.state());
  }

  /** Lecture mode for a kind; the participants already here are muted by moderation.ts. */
  setHardMuted(kind: MediaKind, on: boolean): void {
    if (this.#hardMuted[kind] === on) return;
    this.#hardMuted[kind] = on;
    this.emit('stateChanged', this.state());
  }

  /**
   * Asks to join through the lobby. A locked room refuses at once. A room
   * that nobody joined yet (students waiting for the teacher) is closed
   * when its last knocker gives up.
   */
  knock(displayName: string, identityKey?: string): Knock {
    if (this.#closed) throw new ConfabError('internal_error', `room ${this.key} is closed`);
    if (this.#locked) throw new ConfabError('room_locked', `room '${this.key}' is locked`);
    this.refuseBlocked(identityKey);
    const knock = this.lobby.knock(displayName);
    if (identityKey !== undefined) this.#knockIdentities.set(knock.knocker.id, identityKey);
    void knock.decision.then((decision) => {
      this.#knockIdentities.delete(knock.knocker.id);
      // Admitted knockers are about to join: only someone leaving the lobby can leave the room empty.
      if (decision !== 'admitted' && this.participants.size === 0 && this.lobby.size === 0) this.close();
    });
    return knock;
  }

  /** A hand raised before the class moved here, back in its place in the queue. */
  restoreHand(participant: Participant, stamp: number): void {
    this.hands.restore(participant.id, stamp);
    participant.setHandRaisedAt(stamp);
  }

  setHandRaised(participant: Participant, raised: boolean): void {
    if (raised) participant.setHandRaisedAt(this.hands.raise(participant.id));
    else if (this.hands.lower(participant.id)) participant.setHandRaisedAt(null);
  }

  /** Posts a chat message; a private one needs its recipient in the room. */
  postChat(from: Participant, text: string, to?: string): ChatMessage {
    if (to !== undefined && !this.participants.has(to)) throw new ConfabError('participant_not_found', `no participant ${to} in this room`);
    const message = this.chat.post(from, text, to);
    this.emit('chatMessage', message);
    return message;
  }

  get key(): string {
    return this.address.key;
  }

  /** Someone in the room moderates (the lobby waits for one; auto-owner promotes only without one). */
  get hasModerator(): boolean {
    return [...this.participants.values()].some(isModerator);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * A moderator removes `participant` and blocks their identity for the rest
   * of the class: every participant and knock with it goes too. Without an
   * identity there is nothing to block: `participant_not_blockable`, and
   * nobody is removed.
   */
  removeAndBlock(participant: Participant): void {
    const identity = participant.identityKey;
    if (identity === undefined) {
      throw new ConfabError('participant_not_blockable', `${participant.displayName || 'this participant'} joined without a token user id: there is nothing to block them by`);
    }
    this.#blocked.add(identity);
    for (const [knockId, knocker] of this.#knockIdentities) if (knocker === identity) this.lobby.decide(knockId, 'denied');
    for (const p of [...this.participants.values()]) {
      if (p.identityKey !== identity) continue;
      p.blocked = true;
      p.close('removed');
    }
  }

  /** The identities blocked in this class (cluster mode keeps them with the class's state). */
  blockedIdentities(): string[] {
    return [...this.#blocked];
  }

  /** Blocks identities again in a class that moved here from another server (no one here to remove yet). */
  restoreBlocked(identities: Iterable<string>): void {
    for (const identity of identities) this.#blocked.add(identity);
  }

  /** Throws `blocked_by_moderator` for an identity a moderator blocked in this room. */
  refuseBlocked(identityKey: string | undefined): void {
    if (identityKey !== undefined && this.#blocked.has(identityKey)) {
      throw new ConfabError('blocked_by_moderator', `a moderator removed you from room '${this.key}' and blocked you from joining it again until the class ends`);
    }
  }

  /**
   * Places a participant. A locked room refuses unless `bypassLock` (a
   * token moderator, or someone a moderator admitted from the lobby); a
   * blocked identity is refused whatever else. `id` keeps the id a
   * participant had before its class moved to this server.
   */
  join(options: JoinOptions, { bypassLock = false, id }: { bypassLock?: boolean; id?: string } = {}): Participant {
    if (this.#closed) throw new ConfabError('internal_error', `room ${this.key} is closed`);
    this.refuseBlocked(options.identityKey);
    if (this.#locked && !bypassLock) throw new ConfabError('room_locked', `room '${this.key}' is locked`);
    if (this.participants.size >= this.limits.maxParticipants) {
      throw new ConfabError('room_full', `room '${this.key}' is full (${this.limits.maxParticipants} participants)`);
    }
    const lecture = options.role !== 'moderator';
    if (id !== undefined && this.participants.has(id)) throw new ConfabError('internal_error', `participant ${id} is already in room ${this.key}`);
    const participant = new Participant(id ?? randomUUID(), {
      ...options,
      audioLocked: options.audioLocked ?? (lecture && this.#hardMuted.audio),
      videoLocked: options.videoLocked ?? (lecture && this.#hardMuted.video),
    });
    this.participants.set(participant.id, participant);
    participant.on('updated', (p) => this.emit('participantUpdated', p));
    participant.on('roleChanged', (previous) => this.emit('participantRoleChanged', participant, previous));
    participant.on('trackPublished', (t) => this.emit('trackPublished', participant, t));
    participant.on('trackUpdated', (t) => this.emit('trackUpdated', participant, t));
    participant.on('trackUnpublished', (t) => this.emit('trackUnpublished', participant, t));
    participant.once('closed', (reason) => this.onParticipantClosed(participant, reason));
    this.emit('participantJoined', participant);
    return participant;
  }

  /** Everyone else in the room, for presence lists. */
  others(participantId: string): Participant[] {
    return [...this.participants.values()].filter((p) => p.id !== participantId);
  }

  /** Ends the class for everyone: each participant leaves with 'ended', knockers are turned away. */
  end(): void {
    if (this.#closed) return;
    this.emit('ended');
    this.lobby.settleAll('ended');
    this.close('ended');
  }

  get dominantSpeaker(): string | null {
    return this.#dominantSpeaker;
  }

  /** The media heard someone take the floor (or the one who had it left). */
  setDominantSpeaker(participantId: string | null): void {
    if (this.#closed || participantId === this.#dominantSpeaker) return;
    if (participantId !== null && !this.participants.has(participantId)) return;
    this.#dominantSpeaker = participantId;
    this.emit('dominantSpeakerChanged', participantId);
  }

  /** Closes the room; whoever waits in the lobby is told to try again ('closed'). */
  close(reason: LeaveReason = 'removed'): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of [...this.participants.values()]) p.close(reason);
    this.lobby.settleAll('closed');
    this.emit('closed');
    this.removeAllListeners();
  }

  private onParticipantClosed(participant: Participant, reason: LeaveReason): void {
    this.participants.delete(participant.id);
    this.hands.lower(participant.id);
    this.emit('participantLeft', participant, reason);
    if (this.#dominantSpeaker === participant.id) this.setDominantSpeaker(null);
    // People still waiting in the lobby keep the room, and its rules, until a moderator comes or they give up (knock()).
    if (this.participants.size === 0 && this.lobby.size === 0) this.close();
  }
}
