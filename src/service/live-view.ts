/**
 * The live view the REST API gives: rooms in progress and who is in them,
 * as plain JSON, with the same participant fields as the webhooks.
 */
import type { Room } from '../conference/room.js';
import type { RoomAddress } from '../protocol/room-name.js';
import type { ApiGrant } from './auth/api-access.js';
import { participantView, type WebhookParticipant } from './webhooks/events.js';

export interface RoomSummary {
  readonly room: string;
  readonly tenant: string | null;
  readonly roomKey: string;
  readonly createdAt: string;
  readonly participants: number;
}

export interface RoomParticipants extends Omit<RoomSummary, 'participants'> {
  readonly participants: (WebhookParticipant & { readonly audioMuted: boolean; readonly videoMuted: boolean })[];
}

/** Rooms as the registry keeps them (LocalRoomRegistry.rooms). */
export type RoomsSource = { readonly rooms: ReadonlyMap<string, Room> };

function summary(room: Room): Omit<RoomSummary, 'participants'> {
  return { room: room.address.room, tenant: room.address.tenant ?? null, roomKey: room.key, createdAt: new Date(room.createdAt).toISOString() };
}

export function visibleTo(grant: ApiGrant, address: RoomAddress): boolean {
  return grant.tenant === 'any' || grant.tenant === address.tenant;
}

/** Open rooms the grant may see, oldest first. */
export function listRooms(source: RoomsSource, grant: ApiGrant): RoomSummary[] {
  return [...source.rooms.values()]
    .filter((room) => !room.closed && visibleTo(grant, room.address))
    .sort((a, b) => a.createdAt - b.createdAt || a.key.localeCompare(b.key))
    .map((room) => ({ ...summary(room), participants: room.participants.size }));
}

/** Who is in the room now, in order of arrival; undefined when nobody is (the room does not exist). */
export function roomParticipants(source: RoomsSource, address: RoomAddress): RoomParticipants | undefined {
  const room = source.rooms.get(address.key);
  if (!room || room.closed) return undefined;
  const participants = [...room.participants.values()]
    .sort((a, b) => a.joinedAt - b.joinedAt)
    .map((p) => ({ ...participantView(p), audioMuted: p.audioMuted, videoMuted: p.videoMuted }));
  return { ...summary(room), participants };
}
