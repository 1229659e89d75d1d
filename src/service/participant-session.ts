/**
 * One signaling connection, whatever its transport: waits for a valid
 * hello, joins the room through the gateway (or resumes a session whose
 * connection dropped), then hands every message to the participant link,
 * in order. Bad input closes this connection with a specific code and
 * never touches anyone else.
 */
import { ConfabError, isRequestOnly } from '../protocol/errors.js';
import { PROTOCOL_VERSION, parseClientMessage, type ClientMessage, type ClientMessageOf } from '../protocol/messages.js';
import { roomAddress } from '../protocol/room-name.js';
import type { Logger } from '../util/log.js';
import type { AdmissionPolicy } from './auth/admission.js';
import type { RejoinTickets } from './auth/rejoin-tickets.js';
import type { ServiceObserver } from './observer.js';
import { ResumableChannel } from './resumable-channel.js';
import type { RoomGateway } from './room-gateway.js';
import { JoinedParticipant, type ResumeRegistry, type SessionOwner } from './session-resume.js';
import type { SignalingChannel } from './signaling-channel.js';

export interface SessionOptions {
  /** Told about refused joins (metrics). */
  readonly observer?: ServiceObserver;
  readonly helloTimeoutMs: number;
  readonly remoteAddress: string;
  /** Asked at hello time: false while the server drains or starts. */
  readonly isAccepting: () => boolean;
  /** Verifies the hello's token (if auth is on) before the participant is placed in any room. */
  readonly admission: AdmissionPolicy;
  /** With token auth: lets a participant back in after a lost connection, though its token may have expired. */
  readonly rejoinTickets?: RejoinTickets;
  /** Holds participants whose connection dropped, for a resume; absent or grace 0: they leave at once. */
  readonly resume?: ResumeRegistry;
}

type State = 'awaiting-hello' | 'joining' | 'joined' | 'closed';

/** How a transport ended: `clean` when the client said goodbye (close 1000/1001), `lost` otherwise. */
export type TransportEnd = 'clean' | 'lost';

export class ParticipantSession implements SessionOwner {
  #state: State = 'awaiting-hello';
  #joined: JoinedParticipant | undefined;
  /** Created at hello: numbers what we send and counts what we receive from then on. */
  #stream: ResumableChannel | undefined;
  #queue: Promise<void> = Promise.resolve();
  readonly #helloTimer: NodeJS.Timeout;
  /** Tells a join in progress (waiting in the lobby) that the connection is gone. */
  readonly #gone = new AbortController();

  constructor(
    private readonly channel: SignalingChannel,
    private readonly gateway: RoomGateway,
    private readonly options: SessionOptions,
    private readonly log: Logger,
  ) {
    this.#helloTimer = setTimeout(() => {
      if (this.#state === 'awaiting-hello') this.fail(new ConfabError('hello_timeout', `no hello within ${options.helloTimeoutMs / 1000} s`));
    }, options.helloTimeoutMs);
  }

  get state(): State {
    return this.#state;
  }

  get participantId(): string | undefined {
    return this.#joined?.participantId;
  }

  /** A raw text message from the transport. */
  receive(raw: string): void {
    if (this.#state === 'closed') return;
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      this.fail(new ConfabError(parsed.tooLarge ? 'message_too_large' : 'message_malformed', parsed.error));
      return;
    }
    const message = parsed.message;
    // Counted for a resume: everything after the hello but pings, which belong to this connection only.
    if (message.type === 'hello') this.#stream ??= new ResumableChannel(this.channel);
    else if (message.type !== 'ping') {
      const stream = this.#joined?.channel ?? this.#stream;
      if (stream) stream.received++;
    }
    const run = (): Promise<void> => this.dispatch(message);
    if (this.#joined) this.#joined.enqueue(run, this);
    else this.#queue = this.#queue.then(run).catch((error: unknown) => this.fail(error));
  }

  /** The transport is gone: closed by the client, or found dead. */
  transportClosed(how: TransportEnd = 'lost'): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#helloTimer);
    this.#gone.abort();
    const joined = this.#joined;
    // Not joined yet: a join in progress sees the state and undoes itself. Resumed elsewhere: not ours any more.
    if (!joined || !joined.isOwnedBy(this)) return;
    const resume = this.options.resume;
    if (how === 'lost' && resume?.enabled && !joined.channel.closed) resume.suspend(joined);
    else joined.leave();
  }

  /** Another connection resumed our participant: close this one without leaving. */
  superseded(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#helloTimer);
    this.channel.close();
  }

  private async dispatch(message: ClientMessage): Promise<void> {
    if (message.type === 'hello') {
      if (this.#state === 'closed') return;
      if (this.#state !== 'awaiting-hello') throw new ConfabError('message_malformed', 'hello was already received on this connection');
      await this.hello(message);
      return;
    }
    // Once joined, a message is handled even if its connection has dropped since: it was counted as
    // received, so a resuming client will not send it again.
    const joined = this.#joined;
    if (!joined) {
      if (this.#state === 'closed') return;
      throw new ConfabError('hello_required', `'${message.type}' received before hello`);
    }
    if (joined.channel.closed) return;
    // Only the connection that owns the session speaks for what the client has received.
    if (message.type === 'ping' && message.received !== undefined && joined.isOwnedBy(this)) joined.channel.acknowledge(message.received);
    const link = joined.link;
    try {
      await link.handle(message);
    } catch (error) {
      // A failed negotiation is reported; the client may retry without losing its place. A refused
      // request (a moderator action by a participant, a locked unmute) is reported the same way.
      if (error instanceof ConfabError && (error.code === 'media_negotiation_failed' || isRequestOnly(error.code))) {
        if (error.code === 'media_negotiation_failed') this.log.warn({ participant: link.participantId, err: error }, 'media negotiation failed');
        else this.log.info({ participant: link.participantId, code: error.code, reason: error.message, request: message.type }, 'request refused');
        joined.channel.send({ type: 'error', code: error.code, message: error.message, fatal: false });
        return;
      }
      throw error;
    }
  }

  private async hello(hello: ClientMessageOf<'hello'>): Promise<void> {
    clearTimeout(this.#helloTimer);
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      throw new ConfabError(
        'protocol_version_unsupported',
        `client speaks protocol version ${hello.protocolVersion}, this server speaks ${PROTOCOL_VERSION}: reload the page`,
      );
    }
    // A resume is not a new join: it goes through even while the server drains.
    if (hello.resume && this.resume(hello, hello.resume)) return;
    if (!this.options.isAccepting()) throw new ConfabError('server_not_ready');
    await this.join(hello);
  }

  /** Continues the session of a participant whose connection dropped; false: join afresh. */
  private resume(hello: ClientMessageOf<'hello'>, request: NonNullable<ClientMessageOf<'hello'>['resume']>): boolean {
    const registry = this.options.resume;
    if (!registry?.enabled) return false;
    const joined = registry.find(request.participantId, request.secret, roomAddress(hello.room, hello.tenant).key);
    if (!joined) return false;
    const gapMs = joined.suspendedForMs();
    if (!joined.takeOver(this, this.channel, request.received)) {
      // The client missed more than we kept (or claims more than we sent): this session cannot continue.
      registry.refused(joined.participantId, `the client has ${request.received} of ${joined.channel.sentCount} messages and the rest are no longer kept`);
      joined.leave();
      return false;
    }
    this.#joined = joined;
    this.#state = 'joined';
    registry.resumed(joined, gapMs, this.channel.description);
    return true;
  }

  private async join(hello: ClientMessageOf<'hello'>): Promise<void> {
    const address = roomAddress(hello.room, hello.tenant);
    this.#state = 'joining';
    const { token, rejoinTicket, resume: _resume, ...rest } = hello;
    const tickets = this.options.rejoinTickets;
    const admission = (rejoinTicket && tickets?.redeem(rejoinTicket, address.key)) || (await this.options.admission.admit(token, address));
    if ((this.#state as State) === 'closed') return;
    const ticket = tickets && (admission.kind === 'token' || admission.kind === 'rejoin') ? tickets.issue(admission, address.key) : undefined;
    const registry = this.options.resume?.enabled ? this.options.resume : undefined;
    const secret = registry?.newSecret();
    const stream = this.#stream ?? new ResumableChannel(this.channel);
    let link;
    try {
      link = await this.gateway.join(
        { address, hello: rest, admission, rejoinTicket: ticket, resumeSecret: secret, remoteAddress: this.options.remoteAddress, signal: this.#gone.signal },
        stream,
      );
    } catch (error) {
      if (ticket) tickets?.release(ticket);
      throw error;
    }
    // Whenever the participant's session ends for good, its rejoin ticket starts its own grace period.
    stream.onClosed(() => ticket && tickets?.release(ticket));
    // Messages that arrived while joining are in #queue, behind this step: they go first.
    const joined = new JoinedParticipant(link, stream, secret ?? '', address.key, this, this.#queue);
    if ((this.#state as State) === 'closed') {
      // The transport died while we were joining: undo at once.
      joined.leave();
      return;
    }
    registry?.add(joined);
    this.#joined = joined;
    this.#state = 'joined';
  }

  fail(error: unknown): void {
    if (this.#state === 'closed') return;
    const confab =
      error instanceof ConfabError ? error : new ConfabError('internal_error', undefined, { cause: error });
    if (confab.code === 'internal_error') this.log.error({ err: error }, 'signaling session failed');
    else this.log.info({ code: confab.code, reason: confab.message, participant: this.participantId }, 'signaling session refused');
    if (!this.#joined) this.options.observer?.joinRefused(confab.code);
    this.channel.close(confab.code, confab.message);
    // Closed by us: the participant leaves now, no resume.
    this.transportClosed('clean');
  }
}
