/**
 * Attendance events as the platform receives them: the JSON body of each
 * webhook request. Built from the conference domain's objects here, and only
 * here, so the wire format has one definition (docs/webhooks.md documents it).
 */
import { randomUUID } from 'node:crypto';
import type { LeaveReason, Participant, Role } from '../../conference/participant.js';
import type { Room } from '../../conference/room.js';

export const EVENT_TYPES = ['room_started', 'room_finished', 'participant_joined', 'participant_left', 'participant_role_changed'] as const;
export type WebhookEventType = (typeof EVENT_TYPES)[number];

/**
 * Why a participant left, as the platform sees it: the protocol's LeaveReason
 * (src/protocol/fields.ts) with `ended` named `class_ended`, and
 * `server_shutdown` when the server stopped (clients reconnect, and join again
 * as new participants).
 */
export type LeftReason = Exclude<LeaveReason, 'ended'> | 'class_ended' | 'server_shutdown';

/** Every domain reason has its webhook name: a reason added to the protocol does not compile until it is mapped here. */
const WEBHOOK_REASONS: Readonly<Record<LeaveReason, LeftReason>> = {
  left: 'left',
  disconnected: 'disconnected',
  removed: 'removed',
  ended: 'class_ended',
};

/** Every reason a `participant_left` event can carry (docs/webhooks.md lists them). */
export const LEFT_REASONS: readonly LeftReason[] = [...Object.values(WEBHOOK_REASONS), 'server_shutdown'];

export interface LeaveContext {
  /** The server is shutting down: whatever the domain says, people did not choose to leave. */
  readonly serverShutdown: boolean;
}

export function leftReason(domainReason: LeaveReason, context: LeaveContext): LeftReason {
  if (context.serverShutdown) return 'server_shutdown';
  return WEBHOOK_REASONS[domainReason];
}

export interface WebhookUser {
  readonly id: string | null;
  readonly name: string | null;
  readonly email: string | null;
}

export interface WebhookParticipant {
  readonly id: string;
  readonly displayName: string;
  readonly role: Role;
  readonly joinedAt: string;
  /** The token's `context.user`; null in open rooms and for guests. */
  readonly user: WebhookUser | null;
}

export interface WebhookEvent {
  /** Unique per event, the same on every retry: receivers dedupe on it. */
  readonly id: string;
  readonly type: WebhookEventType;
  readonly occurredAt: string;
  readonly room: string;
  readonly tenant: string | null;
  /** `tenant/room` or `room`: events with the same key arrive in order. */
  readonly roomKey: string;
  /** One per life of the room (room_started to room_finished); a room name is reused by later classes. */
  readonly roomSessionId: string;
  /** 1, 2, 3... within the room session: room_started is 1. */
  readonly sequence: number;
  readonly participant?: WebhookParticipant;
  readonly reason?: LeftReason;
  readonly previousRole?: Role;
  /** Seconds, on participant_left (time in the room) and room_finished (life of the room). */
  readonly durationS?: number;
  /** On room_finished: how many joins the room saw (a reconnect counts again). */
  readonly participantsJoined?: number;
}

/** What the recorder knows about one life of a room. */
export interface RoomSession {
  readonly id: string;
  sequence: number;
  joins: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const seconds = (ms: number): number => Math.max(0, Math.round(ms / 100) / 10);

export function participantView(p: Participant): WebhookParticipant {
  const u = p.user;
  return {
    id: p.id,
    displayName: p.displayName,
    role: p.role,
    joinedAt: iso(p.joinedAt),
    user: u ? { id: u.id ?? null, name: u.name ?? null, email: u.email ?? null } : null,
  };
}

/** The next event of a room session: id, time, room fields and sequence filled in. */
export function roomEvent(
  type: WebhookEventType,
  room: Room,
  session: RoomSession,
  now: number,
  extra: Omit<Partial<WebhookEvent>, 'id' | 'type' | 'occurredAt' | 'sequence'> = {},
): WebhookEvent {
  session.sequence += 1;
  return {
    id: randomUUID(),
    type,
    occurredAt: iso(now),
    room: room.address.room,
    tenant: room.address.tenant ?? null,
    roomKey: room.key,
    roomSessionId: session.id,
    sequence: session.sequence,
    ...extra,
  };
}

export function durationS(fromMs: number, toMs: number): number {
  return seconds(toMs - fromMs);
}
