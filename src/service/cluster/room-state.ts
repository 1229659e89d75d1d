/**
 * The class's state as cluster mode keeps it in Redis, so that a class whose
 * host died continues on its next host as it was: the room's chat history,
 * lock, lobby switch, lecture mode and subject, the identities a moderator
 * blocked and those a moderator removed (with when: rejoin tickets issued
 * before that are refused on any replica), and for each participant their role,
 * hard mutes, raised hand and name, found again by the resume secret their
 * page presents when it rejoins (only its SHA-256 is stored). What is not
 * kept: private chat messages (never kept anywhere), knocks waiting in the
 * lobby (the waiting pages knock again), and the media connections (the
 * pages rebuild them).
 */
import { createHash } from 'node:crypto';
import type { Room } from '../../conference/room.js';
import type { ChatMessage, Role } from '../../protocol/messages.js';

export interface SavedParticipant {
  readonly id: string;
  /** SHA-256 (hex) of the participant's resume secret. */
  readonly secretHash: string;
  readonly displayName: string;
  readonly role: Role;
  readonly audioLocked: boolean;
  readonly videoLocked: boolean;
  readonly handRaisedAt: number | null;
}

export interface RoomSnapshot {
  readonly v: 1;
  readonly savedAt: number;
  readonly locked: boolean;
  readonly lobbyEnabled: boolean;
  readonly hardMuted: { readonly audio: boolean; readonly video: boolean };
  /** Absent in snapshots from a replica without it (a rolling update): ''. */
  readonly subject?: string;
  /** Identities a moderator removed and blocked: refused for the rest of the class. */
  readonly blocked?: readonly string[];
  /** Identities a moderator removed, with when (ms): their rejoin tickets from before then are void. */
  readonly removed?: Readonly<Record<string, number>>;
  readonly chat: readonly ChatMessage[];
  readonly participants: readonly SavedParticipant[];
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The room now; `secretHashes` by participant id (participants without one cannot be found again). */
export function snapshotOf(room: Room, secretHashes: ReadonlyMap<string, string>, now = Date.now(), removed: ReadonlyMap<string, number> = new Map()): RoomSnapshot {
  const state = room.state();
  return {
    v: 1,
    savedAt: now,
    locked: state.locked,
    lobbyEnabled: state.lobbyEnabled,
    hardMuted: state.hardMuted,
    subject: state.subject,
    blocked: room.blockedIdentities(),
    removed: Object.fromEntries(removed),
    chat: room.chat.history(),
    participants: [...room.participants.values()].flatMap((p) => {
      const secretHash = secretHashes.get(p.id);
      return secretHash
        ? [{ id: p.id, secretHash, displayName: p.displayName, role: p.role, audioLocked: p.audioLocked, videoLocked: p.videoLocked, handRaisedAt: p.handRaisedAt }]
        : [];
    }),
  };
}

/** Parses what Redis holds; undefined for anything that is not a snapshot of this version. */
export function parseSnapshot(json: string | undefined): RoomSnapshot | undefined {
  if (!json) return undefined;
  try {
    const value = JSON.parse(json) as Partial<RoomSnapshot>;
    if (value.v !== 1 || !Array.isArray(value.chat) || !Array.isArray(value.participants) || typeof value.hardMuted !== 'object') return undefined;
    return value as RoomSnapshot;
  } catch {
    return undefined;
  }
}

/** Puts the room-wide part back, into a room that just started here. */
export function applyToRoom(room: Room, snapshot: RoomSnapshot): void {
  room.chat.restore(snapshot.chat);
  room.setLocked(snapshot.locked);
  room.setLobbyEnabled(snapshot.lobbyEnabled);
  room.setHardMuted('audio', snapshot.hardMuted.audio);
  room.setHardMuted('video', snapshot.hardMuted.video);
  room.setSubject(snapshot.subject ?? '');
  room.restoreBlocked(snapshot.blocked ?? []);
}

/** The saved participant a returning page is, if its secret proves it. */
export function findReturning(snapshot: RoomSnapshot, participantId: string, secret: string): SavedParticipant | undefined {
  const saved = snapshot.participants.find((p) => p.id === participantId);
  return saved && saved.secretHash === hashSecret(secret) ? saved : undefined;
}
