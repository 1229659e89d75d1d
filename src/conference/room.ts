/**
 * A room: the participants of one class. It exists while someone is in it:
 * when the last participant leaves the room closes itself, and the registry
 * forgets it. Room events re-emit participant events with the participant,
 * so the layers above listen in one place.
 */
import { randomUUID } from 'node:crypto';
import { ConfabError } from '../protocol/errors.js';
import type { RoomAddress } from '../protocol/room-name.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { Participant, type JoinOptions, type LeaveReason } from './participant.js';
import type { PublishedTrack } from './track.js';

export interface RoomEvents {
  participantJoined: [Participant];
  participantUpdated: [Participant];
  participantLeft: [Participant, LeaveReason];
  trackPublished: [Participant, PublishedTrack];
  trackUpdated: [Participant, PublishedTrack];
  trackUnpublished: [Participant, PublishedTrack];
  closed: [];
}

export interface RoomLimits {
  readonly maxParticipants: number;
}

export class Room extends TypedEmitter<RoomEvents> {
  readonly participants = new Map<string, Participant>();
  readonly createdAt = Date.now();
  #closed = false;

  constructor(
    readonly address: RoomAddress,
    private readonly limits: RoomLimits,
  ) {
    super();
  }

  get key(): string {
    return this.address.key;
  }

  get closed(): boolean {
    return this.#closed;
  }

  join(options: JoinOptions): Participant {
    if (this.#closed) throw new ConfabError('internal_error', `room ${this.key} is closed`);
    if (this.participants.size >= this.limits.maxParticipants) {
      throw new ConfabError('room_full', `room '${this.key}' is full (${this.limits.maxParticipants} participants)`);
    }
    const participant = new Participant(randomUUID(), options);
    this.participants.set(participant.id, participant);
    participant.on('updated', (p) => this.emit('participantUpdated', p));
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

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of [...this.participants.values()]) p.close('removed');
    this.emit('closed');
    this.removeAllListeners();
  }

  private onParticipantClosed(participant: Participant, reason: LeaveReason): void {
    this.participants.delete(participant.id);
    this.emit('participantLeft', participant, reason);
    if (this.participants.size === 0) this.close();
  }
}
