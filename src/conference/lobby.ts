/**
 * The lobby: people who asked to join a room where the lobby is on, waiting
 * for a moderator's decision. Each knock resolves exactly once: admitted,
 * denied, withdrawn (the knocker left), ended (the class is over), or
 * closed (the room went away and the knocker should try again). Turning the lobby off admits everyone
 * waiting, as in Jitsi.
 */
import { randomUUID } from 'node:crypto';
import { ConfabError } from '../protocol/errors.js';
import type { Knocker } from '../protocol/messages.js';
import { TypedEmitter } from '../util/typed-emitter.js';

export type LobbyDecision = 'admitted' | 'denied' | 'withdrawn' | 'closed' | 'ended';

export interface Knock {
  readonly knocker: Knocker;
  readonly decision: Promise<LobbyDecision>;
}

export interface LobbyEvents {
  /** Who is waiting now, oldest first. */
  changed: [Knocker[]];
}

/** More people than this waiting is a flood, not a class. */
export const MAX_WAITING = 500;

export class Lobby extends TypedEmitter<LobbyEvents> {
  readonly #waiting = new Map<string, { knocker: Knocker; resolve: (d: LobbyDecision) => void }>();

  constructor(public enabled = false) {
    super();
  }

  get size(): number {
    return this.#waiting.size;
  }

  knock(displayName: string, now = Date.now()): Knock {
    if (this.#waiting.size >= MAX_WAITING) throw new ConfabError('room_full', `${MAX_WAITING} people are already waiting in the lobby`);
    const knocker: Knocker = { id: randomUUID(), displayName, knockedAt: now };
    const decision = new Promise<LobbyDecision>((resolve) => this.#waiting.set(knocker.id, { knocker, resolve }));
    this.emit('changed', this.list());
    return { knocker, decision };
  }

  /** Settles one knock; false if that knock is not waiting (decided already, or gone). */
  decide(knockId: string, decision: LobbyDecision): boolean {
    const entry = this.#waiting.get(knockId);
    if (!entry) return false;
    this.#waiting.delete(knockId);
    entry.resolve(decision);
    this.emit('changed', this.list());
    return true;
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    if (!enabled) this.settleAll('admitted');
  }

  /** Everyone waiting gets the same decision (lobby turned off, room closed). */
  settleAll(decision: LobbyDecision): void {
    if (this.#waiting.size === 0) return;
    const entries = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const entry of entries) entry.resolve(decision);
    this.emit('changed', []);
  }

  list(): Knocker[] {
    return [...this.#waiting.values()].map((e) => e.knocker).sort((a, b) => a.knockedAt - b.knockedAt);
  }

  has(knockId: string): boolean {
    return this.#waiting.has(knockId);
  }
}
