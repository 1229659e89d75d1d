/**
 * Where rooms live. `RoomDirectory` is the seam for cluster mode: today the
 * LocalRoomRegistry keeps every room in this process; a Redis-backed
 * directory will place rooms on nodes and tell callers which node hosts one.
 */
import type { RoomAddress } from '../protocol/room-name.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { Room, type RoomLimits } from './room.js';

export interface RoomDirectory {
  /** The room for an address, created when the first participant arrives. */
  getOrCreate(address: RoomAddress): Room;
  get(key: string): Room | undefined;
  readonly size: number;
}

export interface RegistryEvents {
  roomCreated: [Room];
  roomClosed: [Room];
  /** The room is about to close here because it moved to another server (cluster mode): its people did not leave. */
  roomMovedAway: [Room];
  /** A moderator ended the class in this room (its rejoin tickets are revoked). */
  classEnded: [Room];
}

export class LocalRoomRegistry extends TypedEmitter<RegistryEvents> implements RoomDirectory {
  readonly rooms = new Map<string, Room>();

  constructor(private readonly limits: RoomLimits) {
    super();
  }

  get size(): number {
    return this.rooms.size;
  }

  get(key: string): Room | undefined {
    return this.rooms.get(key);
  }

  getOrCreate(address: RoomAddress): Room {
    const existing = this.rooms.get(address.key);
    if (existing && !existing.closed) return existing;
    const room = new Room(address, this.limits);
    this.rooms.set(address.key, room);
    room.once('ended', () => this.emit('classEnded', room));
    room.once('closed', () => {
      if (this.rooms.get(room.key) === room) this.rooms.delete(room.key);
      this.emit('roomClosed', room);
    });
    this.emit('roomCreated', room);
    return room;
  }

  participantCount(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.participants.size;
    return n;
  }

  /** Closes a room that moved to another server (cluster mode: its lease went elsewhere). */
  moveAway(key: string): void {
    const room = this.rooms.get(key);
    if (!room) return;
    this.emit('roomMovedAway', room);
    room.close('removed');
  }

  close(): void {
    for (const room of [...this.rooms.values()]) room.close();
  }
}
