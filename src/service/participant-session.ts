/**
 * One signaling connection, whatever its transport: waits for a valid
 * hello, joins the room through the gateway, then hands every message to the
 * participant link, in order. Bad input closes this connection with a
 * specific code and never touches anyone else.
 */
import { ConfabError, isRequestOnly } from '../protocol/errors.js';
import { PROTOCOL_VERSION, parseClientMessage, type ClientMessage, type ClientMessageOf } from '../protocol/messages.js';
import { roomAddress } from '../protocol/room-name.js';
import type { Logger } from '../util/log.js';
import type { AdmissionPolicy } from './auth/admission.js';
import type { RejoinTickets } from './auth/rejoin-tickets.js';
import type { ServiceObserver } from './observer.js';
import type { ParticipantLink, RoomGateway } from './room-gateway.js';
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
}

type State = 'awaiting-hello' | 'joining' | 'joined' | 'closed';

export class ParticipantSession {
  #state: State = 'awaiting-hello';
  #link: ParticipantLink | undefined;
  #ticket: string | undefined;
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
    return this.#link?.participantId;
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
    // Messages are handled strictly in order; a slow SDP step holds the ones after it.
    this.#queue = this.#queue.then(() => this.dispatch(message)).catch((error: unknown) => this.fail(error));
  }

  /** The transport is gone (closed by the client, or found dead). */
  transportClosed(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#helloTimer);
    this.#gone.abort();
    if (this.#ticket) this.options.rejoinTickets?.release(this.#ticket);
    this.#link?.leave('disconnected');
  }

  private async dispatch(message: ClientMessage): Promise<void> {
    if (this.#state === 'closed') return;
    if (message.type === 'hello') {
      if (this.#state !== 'awaiting-hello') throw new ConfabError('message_malformed', 'hello was already received on this connection');
      await this.join(message);
      return;
    }
    if (this.#state !== 'joined' || !this.#link) {
      throw new ConfabError('hello_required', `'${message.type}' received before hello`);
    }
    try {
      await this.#link.handle(message);
    } catch (error) {
      // A failed negotiation is reported; the client may retry without losing its place. A refused
      // request (a moderator action by a participant, a locked unmute) is reported the same way.
      if (error instanceof ConfabError && (error.code === 'media_negotiation_failed' || isRequestOnly(error.code))) {
        if (error.code === 'media_negotiation_failed') this.log.warn({ participant: this.#link.participantId, err: error }, 'media negotiation failed');
        else this.log.info({ participant: this.#link.participantId, code: error.code, reason: error.message, request: message.type }, 'request refused');
        this.channel.send({ type: 'error', code: error.code, message: error.message, fatal: false });
        return;
      }
      throw error;
    }
  }

  private async join(hello: ClientMessageOf<'hello'>): Promise<void> {
    clearTimeout(this.#helloTimer);
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      throw new ConfabError(
        'protocol_version_unsupported',
        `client speaks protocol version ${hello.protocolVersion}, this server speaks ${PROTOCOL_VERSION}: reload the page`,
      );
    }
    if (!this.options.isAccepting()) throw new ConfabError('server_not_ready');
    const address = roomAddress(hello.room, hello.tenant);
    this.#state = 'joining';
    const { token, rejoinTicket, ...rest } = hello;
    const tickets = this.options.rejoinTickets;
    const admission = (rejoinTicket && tickets?.redeem(rejoinTicket, address.key)) || (await this.options.admission.admit(token, address));
    if ((this.#state as State) === 'closed') return;
    if (tickets && (admission.kind === 'token' || admission.kind === 'rejoin')) this.#ticket = tickets.issue(admission, address.key);
    const link = await this.gateway.join(
      { address, hello: rest, admission, rejoinTicket: this.#ticket, remoteAddress: this.options.remoteAddress, signal: this.#gone.signal },
      this.channel,
    );
    if ((this.#state as State) === 'closed') {
      // The transport died while we were joining: undo at once.
      link.leave('disconnected');
      return;
    }
    this.#link = link;
    this.#state = 'joined';
  }

  private fail(error: unknown): void {
    if (this.#state === 'closed') return;
    const confab =
      error instanceof ConfabError ? error : new ConfabError('internal_error', undefined, { cause: error });
    if (confab.code === 'internal_error') this.log.error({ err: error }, 'signaling session failed');
    else this.log.info({ code: confab.code, reason: confab.message, participant: this.participantId }, 'signaling session refused');
    if (!this.#link) this.options.observer?.joinRefused(confab.code);
    this.channel.close(confab.code, confab.message);
    this.transportClosed();
  }
}
