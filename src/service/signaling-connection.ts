/**
 * One signaling connection, whatever its transport (WebSocket or long-poll):
 * waits for a valid hello, then either continues a session whose connection
 * dropped (a resume) or starts one and joins the room through the gateway,
 * and from then on hands every message to its session
 * (signaling-session.ts), which owns everything that outlives this
 * connection. Bad input closes this connection with a specific code and
 * never touches anyone else.
 */
import { ConfabError, type ErrorCode } from '../protocol/errors.js';
import { DEFAULT_REPLAY_LIMITS } from '../protocol/replay-buffer.js';
import { PROTOCOL_VERSION, parseClientMessage, type ClientMessageOf } from '../protocol/messages.js';
import { roomAddress } from '../protocol/room-name.js';
import type { Logger } from '../util/log.js';
import type { AdmissionPolicy } from './auth/admission.js';
import type { JoinLimits } from './join-limits.js';
import type { RejoinTickets } from './auth/rejoin-tickets.js';
import type { ServiceObserver } from './observer.js';
import type { RoomGateway } from './room-gateway.js';
import type { ResumeRegistry } from './session-resume.js';
import type { SignalingChannel } from './signaling-channel.js';
import { SignalingSession, type SessionConnection } from './signaling-session.js';

export interface ConnectionOptions {
  /** Told about refused joins (metrics). */
  readonly observer?: ServiceObserver;
  readonly helloTimeoutMs: number;
  /** Asked at hello time: false while the server drains or starts. */
  readonly isAccepting: () => boolean;
  /** Verifies the hello's token (if auth is on) before the participant is placed in any room. */
  readonly admission: AdmissionPolicy;
  /** With token auth: lets a participant back in after a lost connection, though its token may have expired. */
  readonly rejoinTickets?: RejoinTickets;
  /** Holds participants whose connection dropped, for a resume; absent or grace 0: they leave at once. */
  readonly resume?: ResumeRegistry;
  /** Joins per address and per token (join-limits.ts); absent: unlimited. */
  readonly joinLimits?: JoinLimits;
}

/** Ends that revoke the participant's rejoin tickets (its resume secret dies with its session). */
const REVOKING: ReadonlySet<ErrorCode> = new Set(['removed_by_moderator', 'blocked_by_moderator', 'conference_ended']);

/** How a transport ended: `clean` when the client said goodbye (close 1000/1001) or we closed it, `lost` otherwise. */
export type TransportEnd = 'clean' | 'lost';

export class SignalingConnection implements SessionConnection {
  #closed = false;
  /** Set at hello: a new session, or the one this connection resumed. */
  #session: SignalingSession | undefined;
  /** True once the join went through (or the session was resumed): the participant is in its room. */
  #inRoom = false;
  readonly #helloTimer: NodeJS.Timeout;
  /** Tells a join in progress (waiting in the lobby) that the connection is gone. */
  readonly #gone = new AbortController();

  constructor(
    readonly transport: SignalingChannel,
    private readonly gateway: RoomGateway,
    private readonly options: ConnectionOptions,
    private readonly log: Logger,
  ) {
    this.#helloTimer = setTimeout(() => {
      if (!this.#session) this.fail(new ConfabError('hello_timeout', `no hello within ${options.helloTimeoutMs / 1000} s`));
    }, options.helloTimeoutMs);
  }

  get participantId(): string | undefined {
    return this.#session?.participantId;
  }

  /** A raw text message from the transport. */
  receive(raw: string): void {
    if (this.#closed) return;
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) return this.fail(new ConfabError(parsed.tooLarge ? 'message_too_large' : 'message_malformed', parsed.error));
    const message = parsed.message;
    const session = this.#session;
    if (message.type === 'hello') {
      if (session) return this.fail(new ConfabError('message_malformed', 'hello was already received on this connection'));
      try {
        return this.hello(message);
      } catch (error) {
        // An invalid room or tenant name, most likely: refused like any bad hello.
        return this.fail(error);
      }
    }
    if (!session) return this.fail(new ConfabError('hello_required', `'${message.type}' received before hello`));
    session.receive(message, this);
  }

  /** The transport is gone: closed by the client, or found dead. */
  transportClosed(how: TransportEnd = 'lost'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#helloTimer);
    this.#gone.abort();
    const session = this.#session;
    // Still joining: the join sees the abort and undoes itself. Resumed elsewhere: not ours any more.
    if (!session || !this.#inRoom || !session.isCarriedBy(this)) return;
    const resume = this.options.resume;
    if (how === 'lost' && resume?.enabled && !session.ended) resume.suspend(session);
    else session.leave();
  }

  /**
   * The client does not take what we send as fast as it comes (a full send
   * queue, src/server/send-limits.ts): closed with `signaling_too_slow`
   * (the page reconnects by itself) and held like a dropped connection, so
   * an honest client on a bad network resumes its session.
   */
  tooSlow(why: string): void {
    if (this.#closed) return;
    const log = this.#session?.log ?? this.log;
    log.warn({ code: 'signaling_too_slow', participant: this.participantId, reason: why, via: this.transport.description }, 'signaling connection too slow: closed, held for resume');
    this.transport.close('signaling_too_slow', `the client fell too far behind: ${why}`);
    this.transportClosed('lost');
  }

  superseded(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#helloTimer);
    this.transport.close();
  }

  fail(error: unknown): void {
    if (this.#closed) return;
    const confab = error instanceof ConfabError ? error : new ConfabError('internal_error', undefined, { cause: error });
    if (confab.code === 'internal_error') this.log.error({ err: error }, 'signaling session failed');
    // Joins over the rate come in floods: counted in confab_join_failures_total{code="rate_limited"}, not logged one by one.
    else if (confab.code === 'rate_limited' && !this.#inRoom) this.log.debug({ reason: confab.message, from: this.transport.clientAddress }, 'join refused: rate limited');
    else this.log.info({ code: confab.code, reason: confab.message, participant: this.participantId }, 'signaling session refused');
    this.transport.close(confab.code, confab.message);
    if (!this.#inRoom) {
      this.options.observer?.joinRefused(confab.code);
      // A session that never got into its room ends with its connection (a join still running undoes itself).
      this.#session?.close();
    }
    // Closed by us: the participant leaves now, no resume.
    this.transportClosed('clean');
  }

  private hello(hello: ClientMessageOf<'hello'>): void {
    clearTimeout(this.#helloTimer);
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      return this.fail(
        new ConfabError('protocol_version_unsupported', `client speaks protocol version ${hello.protocolVersion}, this server speaks ${PROTOCOL_VERSION}: reload the page`),
      );
    }
    // A resume is not a new join: it goes through even while the server drains.
    if (hello.resume && this.resume(hello, hello.resume)) return;
    // Cluster mode: the session may be carried by another replica, or held by the room's host.
    if (hello.resume && this.gateway.resume && this.options.resume?.enabled && this.options.isAccepting()) return this.resumeElsewhere(hello, hello.resume);
    this.startJoin(hello);
  }

  private startJoin(hello: ClientMessageOf<'hello'>): void {
    if (!this.options.isAccepting()) return this.fail(new ConfabError('server_not_ready'));
    this.options.joinLimits?.address(this.transport.clientAddress);
    const address = roomAddress(hello.room, hello.tenant);
    const secret = this.options.resume?.enabled ? this.options.resume.newSecret() : '';
    const session = new SignalingSession(this, secret, address.key, this.log);
    this.#session = session;
    // Messages after the hello queue behind the join and run once the participant is in its room.
    session.enqueue(() => this.join(hello, session), this);
  }

  /** Continues the session of a participant whose connection dropped; false: join afresh. */
  private resume(hello: ClientMessageOf<'hello'>, request: NonNullable<ClientMessageOf<'hello'>['resume']>): boolean {
    const registry = this.options.resume;
    if (!registry?.enabled) return false;
    const session = registry.find(request.participantId, request.secret, roomAddress(hello.room, hello.tenant).key);
    if (!session) return false;
    const gapMs = session.suspendedForMs();
    if (!session.resume(this, request.received)) {
      // The client missed more than we kept (or claims more than we sent): this session cannot continue.
      registry.refused(request.participantId, `the client has ${request.received} of ${session.sentCount} messages and the rest are no longer kept`);
      session.leave();
      return false;
    }
    this.#session = session;
    this.#inRoom = true;
    registry.resumed(session, gapMs, this.transport.description);
    return true;
  }

  /**
   * Continues, through the gateway, a session this process does not hold:
   * the room's host numbered the same messages, so the client's counts
   * carry over. Not held anywhere: the same hello joins afresh.
   */
  private resumeElsewhere(hello: ClientMessageOf<'hello'>, request: NonNullable<ClientMessageOf<'hello'>['resume']>): void {
    const registry = this.options.resume!;
    const address = roomAddress(hello.room, hello.tenant);
    let linked: () => void = () => undefined;
    const continueAs = (serverReceived: number): SignalingSession => {
      const session = new SignalingSession(this, request.secret, address.key, this.log, DEFAULT_REPLAY_LIMITS, { sent: request.received, received: serverReceived });
      this.#session = session;
      // What the client sends again after `resumed` waits until the link is in place.
      session.enqueue(() => new Promise<void>((resolve) => (linked = resolve)), this);
      this.transport.send({ type: 'resumed', participantId: request.participantId, received: serverReceived });
      return session;
    };
    this.gateway.resume!({ address, participantId: request.participantId, secret: request.secret, received: request.received }, continueAs).then(
      (link) => {
        const session = this.#session;
        linked();
        if (!link || !session) {
          registry.refused(request.participantId, 'no replica holds the session');
          if (!this.#closed) this.startJoin(hello);
          return;
        }
        session.joined(link);
        registry.add(session);
        this.#inRoom = true;
        registry.resumed(session, 0, `${this.transport.description} (from another replica)`);
        // The transport died while we were resuming: hold the participant for the next try.
        if (this.#closed) registry.suspend(session);
      },
      (error: unknown) => this.fail(error),
    );
  }

  private async join(hello: ClientMessageOf<'hello'>, session: SignalingSession): Promise<void> {
    const address = roomAddress(hello.room, hello.tenant);
    const { token, rejoinTicket, resume, ...rest } = hello;
    const tickets = this.options.rejoinTickets;
    let admission = (rejoinTicket && tickets?.redeem(rejoinTicket, address.key)) || (await this.options.admission.admit(token, address));
    let ticket: string | undefined;
    let link;
    for (;;) {
      if (this.#closed) return session.close();
      if (admission.kind === 'token' && token !== undefined) this.options.joinLimits?.token(token);
      ticket = tickets && (admission.kind === 'token' || admission.kind === 'rejoin') ? tickets.issue(admission, address.key) : undefined;
      try {
        link = await this.gateway.join(
          {
            address,
            hello: rest,
            admission,
            rejoinTicket: ticket,
            resumeSecret: session.secret || undefined,
            remoteAddress: this.transport.description,
            signal: this.#gone.signal,
            returning: resume && { participantId: resume.participantId, secret: resume.secret },
            logBudget: session.logBudget,
          },
          session,
        );
        break;
      } catch (error) {
        // Cluster mode: the room's host knows the ticket predates a removal or the end of the class
        // (it was issued here, the revocation happened there): admitted by the token instead, as one
        // server admits a hello whose ticket it revoked. Once: the token's admission is no ticket.
        if (admission.kind === 'rejoin' && error instanceof ConfabError && error.code === 'rejoin_ticket_revoked') {
          if (ticket) tickets?.revoke(ticket);
          tickets?.revokeIdentity(address.key, admission.identityKey);
          admission = await this.options.admission.admit(token, address);
          continue;
        }
        if (ticket) tickets?.release(ticket);
        throw error;
      }
    }
    session.joined(link);
    // Whenever the participant's session ends for good, its rejoin ticket starts its own grace period,
    // unless a moderator removed them or ended the class: then every way back is revoked at once.
    session.onEnded(() => {
      if (!ticket || !tickets) return;
      if (session.endCode !== undefined && REVOKING.has(session.endCode)) {
        tickets.revoke(ticket);
        tickets.revokeIdentity(address.key, admission.identityKey);
      } else tickets.release(ticket);
    });
    if (this.#closed) {
      // The transport died while we were joining: undo at once.
      session.leave();
      return;
    }
    if (this.options.resume?.enabled) this.options.resume.add(session);
    this.#inRoom = true;
  }
}
