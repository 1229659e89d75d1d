/**
 * Keeps each hosted class's state (room-state.ts) in Redis, so that it
 * survives its host: written a quarter second after each change (chat, a
 * hand, a mute, a role, the lock, the lobby switch), under the room's lease
 * (a node that lost the room cannot overwrite it), and deleted with the
 * lease when the class ends. A node that claims a room reads what is there
 * before the first participant is placed: the room starts with it, and each
 * participant that comes back (its page presents its old resume secret)
 * gets its place back. A returning page for which nothing was kept is told
 * (`class_state_lost`), so nobody wonders where the chat went.
 *
 * It also makes a removal the end on every replica: rejoin tickets live on
 * the replica that issued them, so the host, which every join reaches,
 * refuses a ticket issued before a moderator removed its identity (kept
 * with the class) or ended the class (`ended:<room>` in Redis).
 */
import { ConfabError, ERRORS } from '../../protocol/errors.js';
import { REJOIN_TICKET_GRACE_MS } from '../auth/rejoin-tickets.js';
import type { Participant } from '../../conference/participant.js';
import type { Room } from '../../conference/room.js';
import type { Logger } from '../../util/log.js';
import type { ReturningParticipant, RoomMemory } from '../local-room-gateway.js';
import type { JoinRequest } from '../room-gateway.js';
import type { SignalingChannel } from '../signaling-channel.js';
import type { ClusterStore } from './cluster-store.js';
import { applyToRoom, findReturning, hashSecret, parseSnapshot, snapshotOf, type RoomSnapshot } from './room-state.js';
import type { RoomLeases } from './room-leases.js';

/** Changes close together are written once. */
const SAVE_AFTER_MS = 250;
/** A class whose host died and nobody came back: its state goes after this. */
const STATE_TTL_MS = 6 * 3600_000;
/**
 * Replicas' clocks may differ (a ticket's time is its edge's, a removal's its
 * host's): a ticket issued up to this long after a removal counts as before
 * it. Refusing one too many only means the hello is admitted by its token.
 */
const CLOCK_SKEW_MS = 2000;
/** How long after a class moved here auto-owner waits for its moderators to come back (the lease, rejoins, a slow page). */
export const MODERATOR_RETURN_MS = 30_000;

export class RoomStateKeeper implements RoomMemory {
  /** What Redis had when this node claimed the room (null: nothing), kept while the room runs here. */
  readonly #loaded = new Map<string, RoomSnapshot | null>();
  /** Each participant's secret hash, by room and participant id. */
  readonly #secrets = new Map<string, Map<string, string>>();
  readonly #rooms = new Map<string, Room>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** Identities a moderator removed in each class here, with when (kept with the class). */
  readonly #removed = new Map<string, Map<string, number>>();
  /** When a moderator last ended a class in each room (as Redis had it at the claim, or as it happened here). */
  readonly #endedAt = new Map<string, number>();
  /** When each room's kept state was read here. */
  readonly #loadedAt = new Map<string, number>();

  constructor(
    private readonly store: ClusterStore,
    private readonly leases: RoomLeases,
    private readonly log: Logger,
  ) {
    // Redis back, perhaps empty after a restart: write every class again.
    store.onReady(() => {
      for (const room of this.#rooms.values()) this.schedule(room);
    });
  }

  /** A room was just claimed here: read what its previous host kept, before anyone is placed. */
  async load(roomKey: string): Promise<void> {
    let snapshot: RoomSnapshot | undefined;
    let endedAt: number | undefined;
    try {
      [snapshot, endedAt] = await Promise.all([this.store.loadState(roomKey).then(parseSnapshot), this.store.endedAt(roomKey)]);
    } catch (error) {
      this.log.warn({ room: roomKey, err: error }, 'class state not read (redis unreachable): the class starts afresh here');
    }
    this.#loaded.set(roomKey, snapshot ?? null);
    this.#loadedAt.set(roomKey, Date.now());
    const known = this.#endedAt.get(roomKey);
    if (endedAt !== undefined && (known === undefined || endedAt > known)) this.#endedAt.set(roomKey, endedAt);
  }

  /** A moderator ended the class here: rejoin tickets from it are refused by whichever node hosts the room next. */
  classEnded(room: Room): void {
    const at = Date.now();
    this.#endedAt.set(room.key, at);
    this.store.markEnded(room.key, at, REJOIN_TICKET_GRACE_MS).catch((error: unknown) => {
      // The tickets on the replicas whose pages were in the class are revoked there as they leave
      // (conference_ended); only tickets of people who had dropped earlier stay good elsewhere.
      this.log.warn({ room: room.key, err: error }, 'end of class not recorded in redis: tickets of people who dropped earlier stay good on other replicas');
    });
  }

  refuseRevoked(room: Room, request: JoinRequest): void {
    const { admission } = request;
    if (admission.kind !== 'rejoin' || admission.ticketIssuedAt === undefined) return;
    const removedAt = admission.identityKey === undefined ? undefined : this.#removed.get(room.key)?.get(admission.identityKey);
    const cutoff = Math.max(removedAt ?? -Infinity, this.#endedAt.get(room.key) ?? -Infinity);
    if (admission.ticketIssuedAt <= cutoff + CLOCK_SKEW_MS) {
      throw new ConfabError('rejoin_ticket_revoked', removedAt !== undefined && removedAt === cutoff ? 'a moderator removed this identity from the class after the ticket was issued' : 'a moderator ended the class after the ticket was issued');
    }
  }

  awaitsModerator(room: Room): boolean {
    const snapshot = this.#loaded.get(room.key);
    if (!snapshot || Date.now() - (this.#loadedAt.get(room.key) ?? 0) > MODERATOR_RETURN_MS) return false;
    return snapshot.participants.some((p) => p.role === 'moderator' && !room.participants.has(p.id));
  }

  started(room: Room): void {
    const snapshot = this.#loaded.get(room.key);
    if (snapshot) {
      applyToRoom(room, snapshot);
      this.log.info({ room: room.key, chat: snapshot.chat.length, participants: snapshot.participants.length, savedAt: new Date(snapshot.savedAt).toISOString() }, 'class state restored: the class continues here as it was');
    }
    this.#rooms.set(room.key, room);
    this.#secrets.set(room.key, new Map());
    const removed = new Map(Object.entries(snapshot?.removed ?? {}));
    this.#removed.set(room.key, removed);
    const save = (): void => this.schedule(room);
    for (const event of ['participantJoined', 'participantUpdated', 'stateChanged', 'chatMessage'] as const) room.on(event, save);
    room.on('participantLeft', (participant, reason) => {
      // Removed by a moderator (and perhaps blocked): written at once, so that it holds even if
      // this node dies the next moment.
      if (reason === 'removed' && !room.closed && participant.identityKey !== undefined) {
        removed.set(participant.identityKey, Date.now());
        return this.saveNow(room);
      }
      this.schedule(room);
    });
    room.once('closed', () => {
      clearTimeout(this.#timers.get(room.key));
      this.#timers.delete(room.key);
      if (this.#rooms.get(room.key) === room) {
        this.#rooms.delete(room.key);
        this.#secrets.delete(room.key);
        this.#loaded.delete(room.key);
        this.#loadedAt.delete(room.key);
        this.#removed.delete(room.key);
      }
    });
  }

  returning(room: Room, request: JoinRequest): ReturningParticipant | undefined {
    const snapshot = this.#loaded.get(room.key);
    if (!request.returning || !snapshot) return undefined;
    const saved = findReturning(snapshot, request.returning.participantId, request.returning.secret);
    return saved && !room.participants.has(saved.id) ? saved : undefined;
  }

  joined(room: Room, participant: Participant, request: JoinRequest, channel: SignalingChannel): void {
    if (request.resumeSecret) this.#secrets.get(room.key)?.set(participant.id, hashSecret(request.resumeSecret));
    this.schedule(room);
    // A page that was in this class before it moved here, and nothing of the class was kept: say so.
    if (request.returning && this.#loaded.get(room.key) === null) {
      channel.send({ type: 'error', code: 'class_state_lost', message: ERRORS.class_state_lost.message, fatal: false });
    }
  }

  private schedule(room: Room): void {
    if (this.#timers.has(room.key) || room.closed) return;
    this.#timers.set(
      room.key,
      setTimeout(() => {
        this.#timers.delete(room.key);
        void this.save(room);
      }, SAVE_AFTER_MS),
    );
  }

  private saveNow(room: Room): void {
    clearTimeout(this.#timers.get(room.key));
    this.#timers.delete(room.key);
    void this.save(room);
  }

  private async save(room: Room): Promise<void> {
    const lease = this.leases.holds(room.key);
    if (!lease || room.closed) return;
    const snapshot = snapshotOf(room, this.#secrets.get(room.key) ?? new Map(), Date.now(), this.#removed.get(room.key));
    try {
      const written = await this.store.saveState(room.key, lease, JSON.stringify(snapshot), STATE_TTL_MS);
      if (!written) this.log.debug({ room: room.key }, 'class state not written: the lease moved on');
    } catch (error) {
      // Written again with the next change, or when Redis is back.
      this.log.debug({ room: room.key, err: error }, 'class state not written (redis unreachable)');
    }
  }
}
