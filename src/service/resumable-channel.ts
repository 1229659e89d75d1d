/**
 * A joined participant's signaling channel that outlives the transport
 * carrying it. Every message to the client is numbered and kept for a while
 * (ReplayBuffer); when the WebSocket or long-poll session drops without a
 * goodbye, the channel is detached and goes on recording, and a new
 * transport that presents the resume secret picks up where the client's
 * count of received messages ends. The link above it never notices.
 */
import { DEFAULT_REPLAY_LIMITS, ReplayBuffer, type ReplayLimits } from '../protocol/replay-buffer.js';
import type { ErrorCode } from '../protocol/errors.js';
import type { ServerMessage } from '../protocol/messages.js';
import type { SignalingChannel } from './signaling-channel.js';

export class ResumableChannel implements SignalingChannel {
  #transport: SignalingChannel | undefined;
  readonly #sent: ReplayBuffer<ServerMessage>;
  #closed = false;
  readonly #onClosed: (() => void)[] = [];
  /** Client messages received since its first hello, over every transport (pings aside): the client resends those after it. */
  received = 0;

  constructor(transport: SignalingChannel, limits: ReplayLimits = DEFAULT_REPLAY_LIMITS) {
    this.#transport = transport;
    this.#sent = new ReplayBuffer(limits);
  }

  get description(): string {
    return this.#transport?.description ?? 'suspended';
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Messages sent so far (the last sequence number). */
  get sentCount(): number {
    return this.#sent.lastSeq;
  }

  send(message: ServerMessage): void {
    if (this.#closed) return;
    // A pong answers one connection's ping: not part of the session, never replayed or counted.
    // It tells the client how many of its messages arrived, so it can stop keeping them.
    if (message.type === 'pong') return this.#transport?.send({ ...message, received: this.received });
    // Signaling is a few messages a second at most: the extra stringify buys an honest size budget.
    this.#sent.push(message, JSON.stringify(message).length);
    this.#transport?.send(message);
  }

  /** The session ends for good (the room removed the participant, or it left): no resume after this. */
  close(code?: ErrorCode, message?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#transport?.close(code, message);
    for (const listener of this.#onClosed.splice(0)) listener();
  }

  onClosed(listener: () => void): void {
    if (this.#closed) listener();
    else this.#onClosed.push(listener);
  }

  /** The client has our messages up to `received` (its ping said so): no need to keep them for a resume. */
  acknowledge(received: number): void {
    this.#sent.acknowledge(received);
  }

  /** Messages kept for a resume (metrics, tests). */
  get keptCount(): number {
    return this.#sent.size;
  }

  /** The transport died: keep recording what the client will have to catch up on. */
  detach(): void {
    this.#transport = undefined;
  }

  /**
   * Continues on `transport`: tells the client how many of its messages
   * arrived, then sends the ones it missed. False when that is impossible
   * (closed, or the client claims a count we cannot continue from).
   */
  resume(transport: SignalingChannel, participantId: string, clientReceived: number): boolean {
    const missed = this.#closed ? undefined : this.#sent.after(clientReceived);
    if (!missed) return false;
    this.#transport = transport;
    transport.send({ type: 'resumed', participantId, received: this.received });
    for (const message of missed) transport.send(message);
    return true;
  }
}
