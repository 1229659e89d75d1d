/**
 * Session resume. A participant whose signaling dropped without a goodbye
 * (a network blip, a proxy restarting, a laptop switching Wi-Fi) is not
 * removed at once: it stays in its room for a grace period, media
 * untouched, marked "connection interrupted" for the others. A new
 * connection that presents the secret from its welcome continues the same
 * session: same participant id, nobody sees a leave or a join, and what
 * either side sent meanwhile is replayed (ResumableChannel). When the grace
 * runs out, it leaves as "disconnected", as before.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../util/log.js';
import type { ResumableChannel } from './resumable-channel.js';
import type { ParticipantLink } from './room-gateway.js';
import type { SignalingChannel } from './signaling-channel.js';

/** The connection a joined participant is using now (a ParticipantSession). */
export interface SessionOwner {
  /** Another connection resumed this participant: close quietly, without leaving. */
  superseded(): void;
  /** A message this owner queued failed fatally. */
  fail(error: unknown): void;
}

export type ResumeOutcome = 'resumed' | 'refused' | 'expired';

/** A joined participant's signaling state, which outlives any one connection. */
export class JoinedParticipant {
  #owner: SessionOwner;
  #queue: Promise<void>;
  #grace: NodeJS.Timeout | undefined;
  #suspendedAt: number | undefined;

  constructor(
    readonly link: ParticipantLink,
    readonly channel: ResumableChannel,
    readonly secret: string,
    readonly roomKey: string,
    owner: SessionOwner,
    /** Messages the first connection received while it was joining, still to be handled before any later ones. */
    pending: Promise<void>,
  ) {
    this.#owner = owner;
    this.#queue = pending;
    // Ended for good (it left, its hold ran out, a moderator removed it): nothing to wait for any more.
    channel.onClosed(() => this.endHold());
  }

  get participantId(): string {
    return this.link.participantId;
  }

  get suspended(): boolean {
    return this.#suspendedAt !== undefined;
  }

  isOwnedBy(owner: SessionOwner): boolean {
    return this.#owner === owner;
  }

  /** Client messages are handled strictly in order, across connections: a slow SDP step holds the ones after it. */
  enqueue(task: () => Promise<void>, owner: SessionOwner): void {
    this.#queue = this.#queue.then(task).catch((error: unknown) => owner.fail(error));
  }

  /** The connection died: hold the participant `graceMs`, then it leaves. */
  suspend(graceMs: number, onExpired: () => void): void {
    if (this.channel.closed || this.suspended) return;
    this.channel.detach();
    this.#suspendedAt = Date.now();
    this.link.setConnectionInterrupted(true);
    this.#grace = setTimeout(() => {
      onExpired();
      this.leave();
    }, graceMs);
  }

  /**
   * A new connection continues this session; false when the replay it
   * needs is no longer available (it must then join afresh).
   */
  takeOver(owner: SessionOwner, transport: SignalingChannel, clientReceived: number): boolean {
    const previous = this.#owner;
    if (!this.channel.resume(transport, this.participantId, clientReceived)) return false;
    this.endHold();
    this.#owner = owner;
    this.link.setConnectionInterrupted(false);
    if (previous !== owner) previous.superseded();
    return true;
  }

  /** Milliseconds since the connection dropped (0 when it was still open, a half-open connection replaced). */
  suspendedForMs(): number {
    return this.#suspendedAt === undefined ? 0 : Date.now() - this.#suspendedAt;
  }

  /** Leaves the room as disconnected and ends the session for good (closing the channel ends any hold). Idempotent. */
  leave(): void {
    this.link.leave('disconnected');
    this.channel.close();
  }

  private endHold(): void {
    clearTimeout(this.#grace);
    this.#grace = undefined;
    this.#suspendedAt = undefined;
  }
}

export class ResumeRegistry {
  readonly #byParticipant = new Map<string, JoinedParticipant>();
  #closed = false;

  constructor(
    /** How long a participant whose connection dropped is held; 0 turns resume off. */
    readonly graceMs: number,
    private readonly log: Logger,
    private readonly onOutcome: (outcome: ResumeOutcome) => void = () => undefined,
  ) {}

  get enabled(): boolean {
    return this.graceMs > 0;
  }

  /** Participants held after a lost connection (metrics). */
  suspendedCount(): number {
    let n = 0;
    for (const joined of this.#byParticipant.values()) if (joined.suspended) n++;
    return n;
  }

  newSecret(): string {
    return randomBytes(24).toString('base64url');
  }

  add(joined: JoinedParticipant): void {
    this.#byParticipant.set(joined.participantId, joined);
    joined.channel.onClosed(() => {
      if (this.#byParticipant.get(joined.participantId) === joined) this.#byParticipant.delete(joined.participantId);
    });
  }

  /** Holds a participant whose connection dropped (once the server is closing, it leaves at once). */
  suspend(joined: JoinedParticipant): void {
    if (this.#closed) return joined.leave();
    joined.suspend(this.graceMs, () => {
      this.log.info({ participant: joined.participantId, room: joined.roomKey, graceS: this.graceMs / 1000 }, 'connection did not come back: participant leaves');
      this.onOutcome('expired');
    });
  }

  /** The session this secret continues, in this room; undefined (and counted as refused) otherwise. */
  find(participantId: string, secret: string, roomKey: string): JoinedParticipant | undefined {
    const joined = this.#byParticipant.get(participantId);
    const ok = joined !== undefined && joined.roomKey === roomKey && !joined.channel.closed && sameSecret(joined.secret, secret);
    if (ok) return joined;
    this.refused(participantId, joined ? 'wrong secret or room' : 'unknown participant: it left, or the grace period ran out');
    return undefined;
  }

  refused(participantId: string, reason: string): void {
    this.log.info({ participant: participantId, reason }, 'session resume refused: joining afresh');
    this.onOutcome('refused');
  }

  resumed(joined: JoinedParticipant, gapMs: number, via: string): void {
    this.log.info({ participant: joined.participantId, room: joined.roomKey, gapMs, via }, 'session resumed');
    this.onOutcome('resumed');
  }

  /** Server shutdown: ends every held participant now. */
  close(): void {
    this.#closed = true;
    for (const joined of [...this.#byParticipant.values()]) if (joined.suspended) joined.leave();
    this.#byParticipant.clear();
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
