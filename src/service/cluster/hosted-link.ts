/**
 * A participant in a room this node hosts, in cluster mode: the room's own
 * LocalParticipantLink, with "connection interrupted" made of two parts.
 * The session's carrier (the page's WebSocket here, or a relay link from an
 * edge) dropping is one; the page's connection to that edge dropping (the
 * edge says so on the link) is the other. Whichever carrier resumes the
 * session next has the page back, so a resume clears both.
 */
import type { LocalParticipantLink } from '../participant-link.js';
import type { ParticipantLink, RoomMessage } from '../room-gateway.js';

export class HostedLink implements ParticipantLink {
  #carrierLost = false;
  #edgeLost = false;

  constructor(readonly inner: LocalParticipantLink) {}

  get participantId(): string {
    return this.inner.participantId;
  }

  handle(message: RoomMessage): Promise<void> {
    return this.inner.handle(message);
  }

  leave(reason: 'left' | 'disconnected'): void {
    this.inner.leave(reason);
  }

  setConnectionInterrupted(interrupted: boolean): void {
    this.#carrierLost = interrupted;
    if (!interrupted) this.#edgeLost = false;
    this.apply();
  }

  /** The edge relaying this participant says its page's connection dropped (true) or came back (false). */
  setEdgeInterrupted(interrupted: boolean): void {
    this.#edgeLost = interrupted;
    this.apply();
  }

  private apply(): void {
    this.inner.setConnectionInterrupted(this.#carrierLost || this.#edgeLost);
  }
}
