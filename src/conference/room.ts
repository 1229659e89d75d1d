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
import type { PublishedTrack } from './track.js';

export interface RoomEvents {
  participantJoined: [Participant];
  participantUpdated: [Participant];
  participantLeft: [Participant, LeaveReason];
  /** A moderator granted a role (the second argument is the previous one). For webhooks and clients. */
  participantRoleChanged: [Participant, Role];
  /** Lock, lobby or lecture mode changed. */
  stateChanged: [RoomState];
  /** A room message (everyone) or a private one (`to` set: only the sender and recipient). */
  chatMessage: [ChatMessage];
  /** Who waits in the lobby now (moderators are told). */
  lobbyChanged: [Knocker[]];
  trackPublished: [Participant, PublishedTrack];
  trackUpdated: [Participant, PublishedTrack];
  trackUnpublished: [Participant, PublishedTrack];
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
  /** Lecture mode per kind: newcomers who are not moderators join hard-muted. */
  readonly #hardMuted = { audio: false, video: false };
  #closed = false;

  constructor(
    readonly address: RoomAddress,
    private readonly limits: RoomLimits,
  ) {
    super();
    this.lobby = new Lobby(limits.lobbyByDefault ?? false);
    this.lobby.on('changed', (waiting) => this.emit('lobbyChanged', waiting));
  }

  state(): RoomState {
    return { locked: this.#locked, lobbyEnabled: this.lobby.enabled, hardMuted: { ...this.#hardMuted } };
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
  knock(displayName: string): Knock {
    if (this.#closed) throw new ConfabError('internal_error', `room ${this.key} is closed`);
    if (this.#locked) throw new ConfabError('room_locked', `room '${this.key}' is locked`);
    const knock = this.lobby.knock(displayName);
    void knock.decision.then((decision) => {
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

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Places a participant. A locked room refuses unless `bypassLock` (a
   * token moderator, or someone a moderator admitted from the lobby). `id`
   * keeps the id a participant had before its class moved to this server.
   */
  join(options: JoinOptions, { bypassLock = false, id }: { bypassLock?: boolean; id?: string } = {}): Participant {
    if (this.#closed) throw new ConfabError('internal_error', `room ${this.key} is closed`);
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
    this.lobby.settleAll('ended');
    this.close('ended');
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
    this.chat.forget(participant.id);
    this.emit('participantLeft', participant, reason);
    if (this.participants.size === 0) this.close();
  }
}
