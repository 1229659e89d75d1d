/**
 * The host's end of one relay link (relay-protocol.ts): what a
 * SignalingConnection is for a page's WebSocket, for a link from another
 * node. Its first frame joins the room (admission was done on the edge) or
 * resumes a held session; after that it hands the edge's messages to the
 * participant's SignalingSession, which numbers, keeps, replays and holds
 * exactly as it does for a page. A link that drops without a `leave` is a
 * lost connection: the participant is held for RESUME_GRACE_S, and a new
 * link (from the same edge, or from whichever replica the page reaches
 * next) resumes it.
 */
import type { WebSocket } from 'ws';
import { ConfabError, type ErrorCode } from '../../protocol/errors.js';
import type { ServerMessage } from '../../protocol/messages.js';
import type { Logger } from '../../util/log.js';
import type { JoinRequest, ParticipantLink } from '../room-gateway.js';
import type { ResumeRegistry } from '../session-resume.js';
import type { SignalingChannel } from '../signaling-channel.js';
import { SignalingSession, type SessionConnection } from '../signaling-session.js';
import { RedirectError } from './relay-link.js';
import { parseFrame, type EdgeFrame, type HostFrame, type RelayedJoin } from './relay-protocol.js';

/** What a relay connection needs from this node. */
export interface RelayHostServices {
  /** Joins a participant to a room this node hosts; throws RedirectError when it does not (or cannot) host it. */
  hostJoin(request: JoinRequest, channel: SignalingChannel): Promise<ParticipantLink>;
  /** The page behind an edge lost (true) or regained (false) its connection to that edge. */
  edgeInterrupted(participantId: string, interrupted: boolean): void;
  /** A participant's link on this node, to leave with the edge's reason. */
  linkOf(participantId: string): ParticipantLink | undefined;
  readonly resume: ResumeRegistry;
  readonly pingIntervalMs: number;
}

export class RelayConnection implements SessionConnection {
  readonly transport: SignalingChannel;
  #session: SignalingSession | undefined;
  #inRoom = false;
  #closed = false;
  #closedByUs = false;
  #heard = true;
  readonly #ping: NodeJS.Timeout;
  readonly #gone = new AbortController();

  constructor(
    private readonly ws: WebSocket,
    readonly description: string,
    private readonly services: RelayHostServices,
    private readonly log: Logger,
  ) {
    this.transport = {
      description,
      send: (m: ServerMessage) => this.frame({ t: 'msg', m }),
      close: (code?: ErrorCode, message?: string) => {
        this.frame({ t: 'close', code, message });
        this.closeSocket();
      },
    };
    ws.on('message', (data) => {
      this.#heard = true;
      this.receive(data.toString());
    });
    ws.on('pong', () => (this.#heard = true));
    ws.on('close', () => this.transportClosed(this.#closedByUs ? 'clean' : 'lost'));
    ws.on('error', (error) => log.debug({ err: error, from: description }, 'relay link error'));
    // A link from a node that vanished (a partition: no FIN, no RST) is dropped after two silent intervals.
    this.#ping = setInterval(() => {
      if (!this.#heard) return ws.terminate();
      this.#heard = false;
      if (ws.readyState === ws.OPEN) ws.ping();
    }, services.pingIntervalMs);
  }

  /** This node stops: the participant is told to reconnect (and finds its room's next host). */
  shutdown(): void {
    if (this.#closed) return;
    if (this.#session) this.#session.close('server_shutting_down');
    else this.closeSocket();
  }

  /** Cuts the link with no goodbye, as a network fault would (tests: a relay hiccup). */
  terminate(): void {
    this.ws.terminate();
  }

  superseded(): void {
    if (this.#closed) return;
    this.frame({ t: 'superseded' });
    this.closeSocket();
  }

  fail(error: unknown): void {
    if (this.#closed) return;
    const confab = error instanceof ConfabError ? error : new ConfabError('internal_error', undefined, { cause: error });
    if (confab.code === 'internal_error') this.log.error({ err: error }, 'relayed session failed');
    this.transport.close(confab.code, confab.message);
    if (!this.#inRoom) this.#session?.close();
    this.transportClosed('clean');
  }

  private receive(raw: string): void {
    if (this.#closed) return;
    const frame = parseFrame<EdgeFrame>(raw);
    if (!frame) return this.fail(new ConfabError('message_malformed', 'not a relay frame'));
    const session = this.#session;
    switch (frame.t) {
      case 'join':
        if (session) return this.fail(new ConfabError('message_malformed', 'a second join on one relay link'));
        return this.join(frame.request, frame.secret);
      case 'resume':
        if (session) return this.fail(new ConfabError('message_malformed', 'a resume after the start of a relay link'));
        return this.resume(frame);
      case 'msg':
        return session?.receive(frame.m, this);
      case 'interrupted':
        if (this.#inRoom && session?.participantId) this.services.edgeInterrupted(session.participantId, frame.on);
        return;
      case 'leave': {
        if (!session) return;
        const id = session.participantId;
        if (id !== undefined && frame.reason === 'left') this.services.linkOf(id)?.leave('left');
        this.#closedByUs = true;
        session.leave();
        this.closeSocket();
        return;
      }
    }
  }

  private join(request: RelayedJoin, secret: string): void {
    const session = new SignalingSession(this, secret, request.address.key, this.log);
    this.#session = session;
    session.enqueue(async () => {
      let link: ParticipantLink;
      try {
        link = await this.services.hostJoin({ ...request, signal: this.#gone.signal, logBudget: session.logBudget }, session);
      } catch (error) {
        if (error instanceof RedirectError) {
          this.frame({ t: 'redirect', reason: error.message });
          session.close();
          this.closeSocket();
          return;
        }
        throw error;
      }
      session.joined(link);
      if (this.#closed) return session.leave();
      if (this.services.resume.enabled && secret !== '') this.services.resume.add(session);
      this.#inRoom = true;
      this.frame({ t: 'joined', participantId: link.participantId });
    }, this);
  }

  private resume(frame: Extract<EdgeFrame, { t: 'resume' }>): void {
    const registry = this.services.resume;
    const session = registry.enabled ? registry.find(frame.participantId, frame.secret, frame.roomKey) : undefined;
    if (!session) return this.goneAway();
    const gapMs = session.suspendedForMs();
    if (!session.resume(this, frame.received)) {
      registry.refused(frame.participantId, `the edge has ${frame.received} of ${session.sentCount} messages and the rest are no longer kept`);
      session.leave();
      return this.goneAway();
    }
    this.#session = session;
    this.#inRoom = true;
    // The page is connected to the edge that resumed us; it says otherwise if that changes.
    this.services.edgeInterrupted(frame.participantId, false);
    registry.resumed(session, gapMs, this.description);
  }

  private goneAway(): void {
    this.frame({ t: 'gone' });
    this.closeSocket();
  }

  /** The link is gone: a lost one holds the participant for a resume, our own close or a goodbye ends it. */
  private transportClosed(how: 'clean' | 'lost'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#ping);
    this.#gone.abort();
    const session = this.#session;
    if (!session || !this.#inRoom || !session.isCarriedBy(this)) return;
    const resume = this.services.resume;
    if (how === 'lost' && resume.enabled && !session.ended) resume.suspend(session);
    else session.leave();
  }

  private frame(frame: HostFrame): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private closeSocket(): void {
    this.#closedByUs = true;
    this.ws.close();
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }
}
