/**
 * Rejoin tickets: a token's expiry gates admission, not presence, so a
 * participant whose token expires during a class is not thrown out, and
 * must not be by a network blip either. On admission with a token the
 * server hands the client an opaque, single-use ticket (in `welcome`); after
 * a lost connection the client's next hello carries it, and the ticket
 * admits it again to the same room with the same identity and role claim,
 * whatever the token's `exp` says by then. A ticket lasts while its
 * participant is connected and `graceMs` after the connection ends, unless
 * a moderator removes the participant or ends the class: then it, and the
 * removed person's other tickets to that class, stop working at once. It is
 * never a token, never in a URL, and lives only in this process.
 */
import { randomBytes } from 'node:crypto';
import type { Admission } from './admission.js';

interface Entry {
  readonly admission: Admission;
  readonly roomKey: string;
  readonly issuedAt: number;
  /** Infinity while the participant is connected. */
  expiresAt: number;
}

/** How long a ticket stays good after its participant's connection ended. */
export const REJOIN_TICKET_GRACE_MS = 10 * 60_000;

export class RejoinTickets {
  readonly #tickets = new Map<string, Entry>();

  constructor(
    private readonly graceMs = REJOIN_TICKET_GRACE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#tickets.size;
  }

  /** A new ticket for a participant admitted to `roomKey`, good while it stays connected. */
  issue(admission: Admission, roomKey: string): string {
    this.purge();
    const ticket = randomBytes(24).toString('base64url');
    this.#tickets.set(ticket, { admission, roomKey, issuedAt: this.now(), expiresAt: Infinity });
    return ticket;
  }

  /** The connection ended: the ticket stays good for the grace period. */
  release(ticket: string): void {
    const entry = this.#tickets.get(ticket);
    if (entry && entry.expiresAt === Infinity) entry.expiresAt = this.now() + this.graceMs;
  }

  /** A moderator removed the participant: its ticket stops working at once. */
  revoke(ticket: string): void {
    this.#tickets.delete(ticket);
  }

  /**
   * Every ticket of this identity (token `sub` + user id) for this room: a removed
   * person's tickets from earlier connections to the same class stop working too.
   */
  revokeIdentity(roomKey: string, identityKey: string | undefined): void {
    if (identityKey === undefined) return;
    for (const [ticket, entry] of this.#tickets) if (entry.roomKey === roomKey && entry.admission.identityKey === identityKey) this.#tickets.delete(ticket);
  }

  /** The class in this room ended: nobody gets back in with a ticket from it. */
  revokeRoom(roomKey: string): void {
    for (const [ticket, entry] of this.#tickets) if (entry.roomKey === roomKey) this.#tickets.delete(ticket);
  }

  /** The admission behind a valid ticket for this room, consuming it; undefined otherwise. */
  redeem(ticket: string, roomKey: string): Admission | undefined {
    const entry = this.#tickets.get(ticket);
    if (!entry || entry.roomKey !== roomKey || entry.expiresAt <= this.now()) return undefined;
    this.#tickets.delete(ticket);
    return { ...entry.admission, kind: 'rejoin', ticketIssuedAt: entry.issuedAt };
  }

  private purge(): void {
    const now = this.now();
    for (const [ticket, entry] of this.#tickets) if (entry.expiresAt <= now) this.#tickets.delete(ticket);
  }
}
