/**
 * The edge's end of a relayed participant (relay-protocol.ts): to the
 * participant's session it is the ParticipantLink, as LocalParticipantLink
 * is for a room in this process. It numbers and keeps the client messages it
 * relays until the host's pongs acknowledge them, counts the host's messages
 * and acknowledges them only as far as the page has, and when the link
 * drops it opens a new one to the same host and resumes: both sides replay
 * what the other missed, so a relay hiccup loses nothing and the page
 * notices nothing. When the host cannot be reached again within
 * `reconnectForMs` (it died) or no longer holds the participant, the page
 * is told to reconnect (`server_shutting_down`, retryable): its next hello
 * finds the room's new host.
 */
import type { WebSocket } from 'ws';
import { ConfabError } from '../../protocol/errors.js';
import type { ServerMessage } from '../../protocol/messages.js';
import { ReplayBuffer } from '../../protocol/replay-buffer.js';
import type { Logger } from '../../util/log.js';
import type { JoinRequest, ParticipantLink, ResumeRequest, RoomMessage } from '../room-gateway.js';
import type { SignalingChannel } from '../signaling-channel.js';
import type { SessionMessage } from '../signaling-session.js';
import { parseFrame, type EdgeFrame, type HostFrame } from './relay-protocol.js';

/** The node a link goes to. */
export interface LinkTarget {
  readonly id: string;
  readonly url: string;
}

export interface RelayLinkOptions {
  /** Opens an authenticated link WebSocket to a node's URL; rejects when it cannot. */
  dial(url: string): Promise<WebSocket>;
  /** Pings (with acknowledgements) and liveness checks; a link silent for two intervals is dropped. */
  readonly pingIntervalMs: number;
  /** How long a dropped link is tried again before the page is told to reconnect. */
  readonly reconnectForMs: number;
  readonly log: Logger;
}

/** The host could not be reached, and nothing of the join reached the page: another node may be tried. */
export class HostUnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HostUnreachableError';
  }
}

/** The node does not host the room: look its host up again. */
export class RedirectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedirectError';
  }
}

/** What the frames of the current socket are awaited for. */
type Phase =
  | { readonly kind: 'joining'; resolve(): void; reject(error: Error): void }
  | { readonly kind: 'resuming'; resolve(outcome: 'resumed' | 'gone'): void }
  | { readonly kind: 'open' };

export class RelayLink implements ParticipantLink {
  participantId = '';
  readonly #out = new ReplayBuffer<SessionMessage>();
  /** Host messages received, in the host's numbering (which is the page's). */
  #in: number;
  #channel: SignalingChannel | undefined;
  #continueAs: ((serverReceived: number) => SignalingChannel) | undefined;
  #ws: WebSocket | undefined;
  #phase: Phase = { kind: 'open' };
  #detached = false;
  #pageInterrupted = false;
  #ping: NodeJS.Timeout | undefined;
  #heard = true;
  /** Called once when the link ends for good (for the gateway's bookkeeping). */
  onEnded: () => void = () => undefined;

  private constructor(
    readonly host: LinkTarget,
    private readonly secret: string,
    readonly roomKey: string,
    private readonly options: RelayLinkOptions,
    received: number,
  ) {
    this.#in = received;
  }

  /**
   * Joins the room on `host` for the session `channel`. Host messages reach
   * `channel` as they come (a welcome, or a lobby wait first); resolves once
   * the participant is in. Rejects with the host's ConfabError (room_full,
   * lobby_denied...), RedirectError, or HostUnreachableError.
   */
  static async join(host: LinkTarget, request: JoinRequest, channel: SignalingChannel, secret: string, options: RelayLinkOptions): Promise<RelayLink> {
    const link = new RelayLink(host, secret, request.address.key, options, 0);
    link.#channel = channel;
    let ws: WebSocket;
    try {
      ws = await options.dial(host.url);
    } catch (error) {
      throw new HostUnreachableError(`cannot reach node ${host.id} at ${host.url}: ${(error as Error).message}`, { cause: error });
    }
    // The abort signal and the log budget are this process's objects: the host has its own session's budget.
    const { signal, logBudget: _budget, ...relayed } = request;
    // The page went away while joining (e.g. waiting in the lobby): closing the link undoes the join on the host.
    const abort = (): void => ws.close();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      await new Promise<void>((resolve, reject) => {
        link.#phase = { kind: 'joining', resolve, reject };
        link.#use(ws);
        link.#frame({ t: 'join', request: relayed, secret });
      });
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    link.#phase = { kind: 'open' };
    link.#startPings();
    return link;
  }

  /**
   * Continues a session the host holds (the page's connection came here
   * from another replica). Undefined when the host has no such session.
   */
  static async resume(host: LinkTarget, request: ResumeRequest, continueAs: (serverReceived: number) => SignalingChannel, options: RelayLinkOptions): Promise<RelayLink | undefined> {
    const link = new RelayLink(host, request.secret, request.address.key, options, request.received);
    link.participantId = request.participantId;
    link.#continueAs = continueAs;
    let ws: WebSocket;
    try {
      ws = await options.dial(host.url);
    } catch (error) {
      throw new HostUnreachableError(`cannot reach node ${host.id} at ${host.url}: ${(error as Error).message}`, { cause: error });
    }
    const outcome = await link.#resumeOn(ws);
    if (outcome !== 'resumed') {
      ws.close();
      if (outcome === 'lost') throw new HostUnreachableError(`the link to node ${host.id} broke while resuming`);
      return undefined;
    }
    link.#phase = { kind: 'open' };
    link.#startPings();
    return link;
  }

  // ---- ParticipantLink ----

  handle(message: RoomMessage): Promise<void> {
    this.#relay(message);
    return Promise.resolve();
  }

  leave(reason: 'left' | 'disconnected'): void {
    if (this.#detached) return;
    this.#frame({ t: 'leave', reason });
    this.#end();
    this.#ws?.close();
  }

  setConnectionInterrupted(interrupted: boolean): void {
    this.#pageInterrupted = interrupted;
    if (this.#phase.kind === 'open') this.#frame({ t: 'interrupted', on: interrupted });
  }

  /** This edge stops: the link is cut without a goodbye, so the host holds the participant for a resume elsewhere. */
  drop(): void {
    if (this.#detached) return;
    this.#end();
    this.#ws?.terminate();
  }

  // ---- the link ----

  #relay(message: SessionMessage): void {
    if (this.#detached) return;
    this.#out.push(message, JSON.stringify(message).length);
    if (this.#phase.kind === 'open') this.#frame({ t: 'msg', m: message });
  }

  #frame(frame: EdgeFrame): void {
    const ws = this.#ws;
    if (ws && ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  }

  #use(ws: WebSocket): void {
    this.#ws = ws;
    this.#heard = true;
    ws.on('pong', () => (this.#heard = true));
    ws.on('message', (data) => {
      if (this.#ws !== ws) return;
      this.#heard = true;
      const frame = parseFrame<HostFrame>(data.toString());
      if (frame) this.#onFrame(frame);
    });
    ws.on('close', () => {
      if (this.#ws === ws) this.#onClose();
    });
    ws.on('error', (error) => this.options.log.debug({ err: error, node: this.host.id }, 'relay link error'));
  }

  #onFrame(frame: HostFrame): void {
    const phase = this.#phase;
    switch (frame.t) {
      case 'msg':
        return this.#onMessage(frame.m);
      case 'joined':
        this.participantId = frame.participantId;
        if (phase.kind === 'joining') phase.resolve();
        return;
      case 'redirect':
        if (phase.kind === 'joining') phase.reject(new RedirectError(frame.reason));
        this.#ws?.close();
        return;
      case 'gone':
        if (phase.kind === 'resuming') phase.resolve('gone');
        return;
      case 'close': {
        const error = frame.code ? new ConfabError(frame.code, frame.message) : new ConfabError('internal_error', 'the room closed the relay link during the join');
        this.#end();
        if (phase.kind === 'joining') return phase.reject(error);
        this.#channel?.close(frame.code, frame.message);
        return;
      }
      case 'superseded':
        // The page came back through another replica: that one carries the session now.
        this.#end();
        this.#channel?.close();
        return;
    }
  }

  #onMessage(message: ServerMessage): void {
    if (message.type === 'pong') {
      if (message.received !== undefined) this.#out.acknowledge(message.received);
      return;
    }
    if (message.type === 'resumed') {
      const phase = this.#phase;
      if (phase.kind !== 'resuming') return;
      const continueAs = this.#continueAs;
      this.#continueAs = undefined;
      if (continueAs) this.#channel = continueAs(message.received);
      const missed = this.#out.after(message.received);
      if (!missed) return phase.resolve('gone');
      this.#phase = { kind: 'open' };
      for (const m of missed) this.#frame({ t: 'msg', m });
      if (this.#pageInterrupted) this.#frame({ t: 'interrupted', on: true });
      return phase.resolve('resumed');
    }
    this.#in++;
    this.#channel?.send(message);
  }

  #onClose(): void {
    this.#stopPings();
    const phase = this.#phase;
    this.#ws = undefined;
    if (phase.kind === 'joining') {
      // Nothing reached the page yet: the caller may try elsewhere. Otherwise the page must start over.
      if (this.#in === 0) phase.reject(new HostUnreachableError(`the link to node ${this.host.id} broke during the join`));
      else phase.reject(new ConfabError('server_shutting_down', "the link to the room's server broke during the join"));
      this.#end();
      return;
    }
    if (phase.kind === 'resuming') return phase.resolve('gone');
    if (!this.#detached) void this.#reconnect();
  }

  /** Sends `resume` on a fresh socket and waits for the host's answer. */
  #resumeOn(ws: WebSocket): Promise<'resumed' | 'gone' | 'lost'> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: 'resumed' | 'gone' | 'lost'): void => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      ws.once('close', () => settle('lost'));
      this.#phase = { kind: 'resuming', resolve: settle };
      this.#use(ws);
      this.#frame({ t: 'resume', participantId: this.participantId, secret: this.secret, roomKey: this.roomKey, received: this.#in });
    });
  }

  /** The link dropped: open a new one to the same host and resume, for up to `reconnectForMs`. */
  async #reconnect(): Promise<void> {
    const { log, reconnectForMs } = this.options;
    const deadline = Date.now() + reconnectForMs;
    log.info({ participant: this.participantId, node: this.host.id }, 'relay link dropped: resuming it');
    for (let delay = 0; !this.#detached && Date.now() < deadline; delay = Math.min(Math.max(delay * 2, 100), 1000)) {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (this.#detached) return;
      let ws: WebSocket;
      try {
        ws = await this.options.dial(this.host.url);
      } catch {
        continue;
      }
      const outcome = await this.#resumeOn(ws);
      if (outcome === 'resumed') {
        log.info({ participant: this.participantId, node: this.host.id }, 'relay link resumed');
        this.#startPings();
        return;
      }
      if (outcome === 'gone') break;
    }
    if (this.#detached) return;
    log.warn({ participant: this.participantId, node: this.host.id }, "relay link lost: the page reconnects and finds the room's host");
    this.#end();
    this.#ws?.terminate();
    this.#channel?.close('server_shutting_down', "The connection to the class's server was lost; reconnecting.");
  }

  #startPings(): void {
    this.#stopPings();
    this.#ping = setInterval(() => {
      const ws = this.#ws;
      if (!ws || this.#phase.kind !== 'open') return;
      if (!this.#heard) {
        ws.terminate();
        return;
      }
      this.#heard = false;
      ws.ping();
      // Acknowledge only what the page has confirmed: the host keeps the rest for a resume through another replica.
      const acknowledged = Math.min(this.#in, this.#channel?.acknowledged ?? this.#in);
      this.#frame({ t: 'msg', m: { type: 'ping', received: acknowledged } });
    }, this.options.pingIntervalMs);
  }

  #stopPings(): void {
    clearInterval(this.#ping);
    this.#ping = undefined;
  }

  #end(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#stopPings();
    this.onEnded();
  }
}
