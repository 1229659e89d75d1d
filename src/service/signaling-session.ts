/**
 * One participant's signaling session, from its hello until it leaves,
 * across every connection that carries it. It owns everything that must
 * survive a dropped connection:
 *
 * - what we sent: numbered and kept (ReplayBuffer) until the client's ping
 *   acknowledges it, so a new connection gets what the client missed;
 * - what we received: counted (pings aside), so the client learns in `pong`
 *   and `resumed` which of its messages to stop keeping or send again;
 * - the order of handling: the client's messages are handled one at a time,
 *   whichever connection brought them, so a slow SDP step holds the ones
 *   after it;
 * - the hold: after a connection dropped without a goodbye the participant
 *   stays in its room for the grace period (media untouched, shown as
 *   interrupted) and leaves as `disconnected` if nobody resumes it;
 * - which connection speaks for the client now (the last one to carry it).
 *
 * The room side (the participant link) sees this as its SignalingChannel and
 * never notices a reconnect. Connections (signaling-connection.ts) only parse,
 * say hello and hand messages over.
 */
import { DEFAULT_REPLAY_LIMITS, ReplayBuffer, type ReplayLimits } from '../protocol/replay-buffer.js';
import { ConfabError, isRequestOnly, type ErrorCode } from '../protocol/errors.js';
import type { ClientMessage, ServerMessage } from '../protocol/messages.js';
import type { Logger } from '../util/log.js';
import { LogBudget } from '../util/log-budget.js';
import type { ParticipantLink, RoomMessage } from './room-gateway.js';
import type { SignalingChannel } from './signaling-channel.js';

/** What a session needs from the connection carrying it. */
export interface SessionConnection {
  /** Where the session's messages go while this connection carries it. */
  readonly transport: SignalingChannel;
  /** Another connection took the session over: close quietly, without leaving. */
  superseded(): void;
  /** Handling a message this connection brought failed fatally. */
  fail(error: unknown): void;
}

/** The messages a session handles after hello: the room's, and pings, which are the session's own. */
export type SessionMessage = Exclude<ClientMessage, { type: 'hello' }>;

export class SignalingSession implements SignalingChannel {
  readonly #sent: ReplayBuffer<ServerMessage>;
  #received = 0;
  #queue: Promise<void> = Promise.resolve();
  #connection: SessionConnection;
  /** The connection's transport while it carries us; undefined while held after a drop. */
  #transport: SignalingChannel | undefined;
  #link: ParticipantLink | undefined;
  #ended = false;
  /** The error code the session ended with (removed_by_moderator, conference_ended...), if any. */
  #endCode: ErrorCode | undefined;
  readonly #onEnded: (() => void)[] = [];
  #grace: NodeJS.Timeout | undefined;
  #suspendedAt: number | undefined;
  /** Everything this participant makes the server log, here and in its room, shares one budget (log-budget.ts). */
  readonly logBudget = new LogBudget();
  /** The server's log, within this participant's budget. */
  readonly log: Logger;

  constructor(
    connection: SessionConnection,
    /** Presented in a resuming hello, it continues this session ('' when resume is off). */
    readonly secret: string,
    readonly roomKey: string,
    log: Logger,
    limits: ReplayLimits = DEFAULT_REPLAY_LIMITS,
    /**
     * Where the counts start: 0 for a new session; for a session continued
     * from another replica (cluster mode), what the client had received and
     * what the room's host had received from it.
     */
    start: { readonly sent: number; readonly received: number } = { sent: 0, received: 0 },
  ) {
    this.log = this.logBudget.wrap(log);
    this.#connection = connection;
    this.#transport = connection.transport;
    this.#sent = new ReplayBuffer(limits, start.sent);
    this.#received = start.received;
  }

  // ---- the channel the room side talks to ----

  get description(): string {
    return this.#transport?.description ?? 'suspended';
  }

  send(message: ServerMessage): void {
    if (this.#ended) return;
    // A pong answers one connection's ping: not part of the session, never replayed or counted.
    // It tells the client how many of its messages arrived, so it can stop keeping them.
    if (message.type === 'pong') return this.#transport?.send({ ...message, received: this.#received });
    // Signaling is a few messages a second at most: the extra stringify buys an honest size budget.
    this.#sent.push(message, JSON.stringify(message).length);
    this.#transport?.send(message);
  }

  /** The session ends for good (the participant left or was removed): no resume after this. Idempotent. */
  close(code?: ErrorCode, message?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#endCode = code;
    this.endHold();
    this.#transport?.close(code, message);
    for (const listener of this.#onEnded.splice(0)) listener();
  }

  // ---- the client's messages ----

  /** A message from `from`, after hello: counted now (the client will not send it again), handled in order. */
  receive(message: SessionMessage, from: SessionConnection): void {
    if (this.#ended) return;
    if (message.type !== 'ping') this.#received++;
    this.enqueue(() => this.handle(message, from), from);
  }

  /** Runs `task` after everything queued before it; a failure is `from`'s to report. */
  enqueue(task: () => Promise<void> | void, from: SessionConnection): void {
    this.#queue = this.#queue.then(task).catch((error: unknown) => from.fail(error));
  }

  /** The join went through: from now on the room handles the client's messages. */
  joined(link: ParticipantLink): void {
    this.#link = link;
  }

  private async handle(message: SessionMessage, from: SessionConnection): Promise<void> {
    // Handled even if its connection dropped since: it was counted, so a resuming client will not resend it.
    if (this.#ended) return;
    if (message.type === 'ping') {
      // Only the connection that carries the session speaks for what the client has received.
      if (message.received !== undefined && from === this.#connection) this.#sent.acknowledge(message.received);
      this.send({ type: 'pong', nonce: message.nonce });
      return;
    }
    const link = this.#link;
    if (!link) return;
    try {
      await link.handle(message satisfies RoomMessage);
    } catch (error) {
      // A failed negotiation is reported; the client may retry without losing its place. A refused
      // request (a moderator action by a participant, a locked unmute) is reported the same way.
      if (!(error instanceof ConfabError && (error.code === 'media_negotiation_failed' || isRequestOnly(error.code)))) throw error;
      if (error.code === 'media_negotiation_failed') this.log.warn({ participant: link.participantId, err: error }, 'media negotiation failed');
      else if (error.code === 'rate_limited') this.log.debug({ participant: link.participantId, request: message.type }, 'request refused: rate limited'); // counted in confab_rate_limited_total
      else this.log.info({ participant: link.participantId, code: error.code, reason: error.message, request: message.type }, 'request refused');
      this.send({ type: 'error', code: error.code, message: error.message, fatal: false });
    }
  }

  // ---- across connections ----

  get participantId(): string | undefined {
    return this.#link?.participantId;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Why the session ended, when the room ended it with a code (undefined: a goodbye, a drop, or still going). */
  get endCode(): ErrorCode | undefined {
    return this.#endCode;
  }

  get suspended(): boolean {
    return this.#suspendedAt !== undefined;
  }

  /** Messages sent so far (the last sequence number). */
  get sentCount(): number {
    return this.#sent.lastSeq;
  }

  /** Messages the client has confirmed (or that were dropped from what we keep): none of them will be asked for again. */
  get acknowledged(): number {
    return this.#sent.lastSeq - this.#sent.size;
  }

  /** Messages kept for a resume (metrics, tests). */
  get keptCount(): number {
    return this.#sent.size;
  }

  /** Client messages received since its hello, pings aside. */
  get received(): number {
    return this.#received;
  }

  isCarriedBy(connection: SessionConnection): boolean {
    return this.#connection === connection;
  }

  /** Runs when the session ends for good (at once if it has). */
  onEnded(listener: () => void): void {
    if (this.#ended) listener();
    else this.#onEnded.push(listener);
  }

  /** The connection died without a goodbye: keep recording, hold the participant `graceMs`, then it leaves. */
  suspend(graceMs: number, onExpired: () => void): void {
    if (this.#ended || this.suspended) return;
    this.#transport = undefined;
    this.#suspendedAt = Date.now();
    this.#link?.setConnectionInterrupted(true);
    this.#grace = setTimeout(() => {
      onExpired();
      this.leave();
    }, graceMs);
  }

  /** Milliseconds since the connection dropped (0 when it was still open: a half-open connection replaced). */
  suspendedForMs(): number {
    return this.#suspendedAt === undefined ? 0 : Date.now() - this.#suspendedAt;
  }

  /**
   * `connection` continues this session: it is told how many of the client's
   * messages arrived (`resumed`), then gets the ones the client missed. False
   * when that is impossible (ended, or the client has fewer than we still
   * keep, or claims more than we sent): it must then join afresh.
   */
  resume(connection: SessionConnection, clientReceived: number): boolean {
    const link = this.#link;
    const missed = this.#ended || !link ? undefined : this.#sent.after(clientReceived);
    if (!link || !missed) return false;
    const previous = this.#connection;
    this.#connection = connection;
    this.#transport = connection.transport;
    connection.transport.send({ type: 'resumed', participantId: link.participantId, received: this.#received });
    for (const message of missed) connection.transport.send(message);
    this.endHold();
    link.setConnectionInterrupted(false);
    if (previous !== connection) previous.superseded();
    return true;
  }

  /** Leaves the room as disconnected and ends the session (closing ends any hold). Idempotent. */
  leave(): void {
    this.#link?.leave('disconnected');
    this.close();
  }

  private endHold(): void {
    clearTimeout(this.#grace);
    this.#grace = undefined;
    this.#suspendedAt = undefined;
  }
}
