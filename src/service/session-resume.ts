/**
 * Session resume. A participant whose signaling dropped without a goodbye
 * (a network blip, a proxy restarting, a laptop switching Wi-Fi) is not
 * removed at once: its session (signaling-session.ts) holds it in its room
 * for a grace period, media untouched, marked "connection interrupted" for
 * the others. A new connection that presents the secret from its welcome
 * continues the same session: same participant id, nobody sees a leave or a
 * join, and what either side sent meanwhile is replayed. When the grace runs
 * out, it leaves as "disconnected", as before. This registry finds sessions
 * by participant and secret, and counts and logs how resumes end.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../util/log.js';
import type { SignalingSession } from './signaling-session.js';

export type ResumeOutcome = 'resumed' | 'refused' | 'expired';

export class ResumeRegistry {
  readonly #byParticipant = new Map<string, SignalingSession>();
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
    for (const session of this.#byParticipant.values()) if (session.suspended) n++;
    return n;
  }

  newSecret(): string {
    return randomBytes(24).toString('base64url');
  }

  /** A joined participant's session, resumable until it ends. */
  add(session: SignalingSession): void {
    const id = session.participantId;
    if (id === undefined) throw new Error('only a session in its room can be resumed');
    this.#byParticipant.set(id, session);
    session.onEnded(() => {
      if (this.#byParticipant.get(id) === session) this.#byParticipant.delete(id);
    });
  }

  /** Holds a participant whose connection dropped (once the server is closing, it leaves at once). */
  suspend(session: SignalingSession): void {
    if (this.#closed) return session.leave();
    session.suspend(this.graceMs, () => {
      this.log.info({ participant: session.participantId, room: session.roomKey, graceS: this.graceMs / 1000 }, 'connection did not come back: participant leaves');
      this.onOutcome('expired');
    });
  }

  /** The session this secret continues, in this room; undefined (and counted as refused) otherwise. */
  find(participantId: string, secret: string, roomKey: string): SignalingSession | undefined {
    const session = this.#byParticipant.get(participantId);
    const ok = session !== undefined && session.roomKey === roomKey && !session.ended && sameSecret(session.secret, secret);
    if (ok) return session;
    this.refused(participantId, session ? 'wrong secret or room' : 'unknown participant: it left, or the grace period ran out');
    return undefined;
  }

  refused(participantId: string, reason: string): void {
    this.log.info({ participant: participantId, reason }, 'session resume refused: joining afresh');
    this.onOutcome('refused');
  }

  resumed(session: SignalingSession, gapMs: number, via: string): void {
    this.log.info({ participant: session.participantId, room: session.roomKey, gapMs, via }, 'session resumed');
    this.onOutcome('resumed');
  }

  /** Server shutdown: ends every held participant now. */
  close(): void {
    this.#closed = true;
    for (const session of [...this.#byParticipant.values()]) if (session.suspended) session.leave();
    this.#byParticipant.clear();
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
