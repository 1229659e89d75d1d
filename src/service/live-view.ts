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

/**
 * Where the live view comes from: this process's rooms (localView), or in
 * cluster mode every node's, merged (src/service/cluster/cluster-view.ts).
 */
export interface LiveSource {
  /** Every open room with who is in it. */
  snapshot(): Promise<RoomParticipants[]>;
}

function summary(room: Room): Omit<RoomSummary, 'participants'> {
  return { room: room.address.room, tenant: room.address.tenant ?? null, roomKey: room.key, createdAt: new Date(room.createdAt).toISOString() };
}

/** One room now, as the API shows it. */
export function roomView(room: Room): RoomParticipants {
  const participants = [...room.participants.values()]
    .sort((a, b) => a.joinedAt - b.joinedAt)
    .map((p) => ({ ...participantView(p), audioMuted: p.audioMuted, videoMuted: p.videoMuted }));
  return { ...summary(room), participants };
}

/** This process's open rooms. */
export function localRooms(source: RoomsSource): RoomParticipants[] {
  return [...source.rooms.values()].filter((room) => !room.closed).map(roomView);
}

export function localView(source: RoomsSource): LiveSource {
  return { snapshot: () => Promise.resolve(localRooms(source)) };
}

export function visibleTo(grant: ApiGrant, address: RoomAddress): boolean {
  return grant.tenant === 'any' || grant.tenant === address.tenant;
}

/** Open rooms the grant may see, oldest first. */
export async function listRooms(source: LiveSource, grant: ApiGrant): Promise<RoomSummary[]> {
  return (await source.snapshot())
    .filter((room) => visibleTo(grant, { room: room.room, tenant: room.tenant ?? undefined, key: room.roomKey }))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.roomKey.localeCompare(b.roomKey))
    .map((room) => ({ ...room, participants: room.participants.length }));
}

/** Who is in the room now, in order of arrival; undefined when nobody is (the room does not exist). */
export async function roomParticipants(source: LiveSource, address: RoomAddress): Promise<RoomParticipants | undefined> {
  return (await source.snapshot()).find((room) => room.roomKey === address.key);
}
