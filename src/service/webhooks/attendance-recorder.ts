/**
 * Turns the conference domain's events into attendance events, in the order
 * they happen, and hands each to a sink (the outbox) synchronously: by the
 * time a domain event has been emitted, its webhook is recorded.
 */
import { randomUUID } from 'node:crypto';
import type { LeaveReason, Participant, Role } from '../../conference/participant.js';
import type { RegistryEvents } from '../../conference/room-registry.js';
import type { Room } from '../../conference/room.js';
import type { TypedEmitter } from '../../util/typed-emitter.js';
import { durationS, leftReason, participantView, roomEvent, type RoomSession, type WebhookEvent } from './events.js';

export type EventSink = (event: WebhookEvent) => void;

/** The registry as the recorder needs it: room lifecycle events. */
export type RoomSource = Pick<TypedEmitter<RegistryEvents>, 'on'>;

export class AttendanceRecorder {
  readonly #sessions = new WeakMap<Room, RoomSession>();
  readonly #unsubscribe: (() => void)[] = [];
  #shuttingDown = false;
  /** Rooms closing here because they moved to another server: their people's departures are this server's, not theirs. */
  readonly #movedAway = new WeakSet<Room>();

  constructor(
    private readonly sink: EventSink,
    private readonly now: () => number = Date.now,
  ) {}

  /** Follows every room the registry creates from now on. */
  attach(registry: RoomSource): void {
    this.#unsubscribe.push(
      registry.on('roomCreated', (room) => this.roomStarted(room)),
      registry.on('roomClosed', (room) => this.roomFinished(room)),
      registry.on('roomMovedAway', (room) => this.#movedAway.add(room)),
    );
  }

  /** From now on, departures are the server stopping, not people leaving. */
  serverShuttingDown(): void {
    this.#shuttingDown = true;
  }

  detach(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  private roomStarted(room: Room): void {
    const session: RoomSession = { id: randomUUID(), sequence: 0, joins: 0 };
    this.#sessions.set(room, session);
    this.sink(roomEvent('room_started', room, session, room.createdAt));
    room.on('participantJoined', (p) => this.joined(room, session, p));
    room.on('participantLeft', (p, reason) => this.left(room, session, p, reason));
    // Mute, name and hand changes are not attendance; a role change is.
    room.on('participantRoleChanged', (p, previous) => this.roleChanged(room, session, p, previous));
  }

  private joined(room: Room, session: RoomSession, p: Participant): void {
    session.joins += 1;
    this.sink(roomEvent('participant_joined', room, session, p.joinedAt, { participant: participantView(p) }));
  }

  private left(room: Room, session: RoomSession, p: Participant, reason: LeaveReason): void {
    const now = this.now();
    const why = leftReason(reason, { serverShutdown: this.#shuttingDown || this.#movedAway.has(room) });
    this.sink(roomEvent('participant_left', room, session, now, { participant: participantView(p), reason: why, durationS: durationS(p.joinedAt, now) }));
  }

  private roleChanged(room: Room, session: RoomSession, p: Participant, previous: Role): void {
    this.sink(roomEvent('participant_role_changed', room, session, this.now(), { participant: participantView(p), previousRole: previous }));
  }

  private roomFinished(room: Room): void {
    const session = this.#sessions.get(room);
    if (!session) return;
    this.#sessions.delete(room);
    const now = this.now();
    this.sink(roomEvent('room_finished', room, session, now, { durationS: durationS(room.createdAt, now), participantsJoined: session.joins }));
  }
}
