/**
 * The browser's half of session resume (the server's is src/service/signaling-session.ts;
 * the exchange is in docs/protocol.md, "Session resume").
 * Our messages since the hello are numbered and kept for a while; the
 * server's are counted. After a lost connection the next hello asks to
 * resume with that count; the server answers `resumed` with how many of
 * ours it got (we send the rest again, it sends what we missed), or joins
 * us afresh with a `welcome`, and the numbering starts over. Pings and
 * pongs test one connection and are left out of both counts.
 */
import { ReplayBuffer } from '../../src/protocol/replay-buffer.js';
import type { ClientMessageInput, ClientMessageOf, ServerMessage } from '../../src/protocol/messages.js';

/** Where messages go: the current Signaling connection. */
export interface SignalSink {
  send(message: ClientMessageInput): void;
}

/** What we keep of our own messages for a resume (the server's pongs acknowledge them every ~2 s). */
export const OUTBOX_LIMITS = { messages: 256, bytes: 512 * 1024 };

type Hello = Omit<ClientMessageOf<'hello'>, 'resume'>;

/** What a server message means for the session, before the conference handles it. */
export type Received = 'message' | 'resumed' | 'cannot-resume';

export class SessionLink {
  #signaling: SignalSink | undefined;
  #outbox = new ReplayBuffer<ClientMessageInput>(OUTBOX_LIMITS);
  #received = 0;
  #resume: { participantId: string; secret: string } | undefined;
  /** A resuming hello is out: hold our messages until the server says which way it went. */
  #awaitingAnswer = false;

  /** The server gave us a way back (it keeps us a few seconds after a drop). */
  get resumable(): boolean {
    return this.#resume !== undefined;
  }

  /** Server messages received in this session so far (sent with each ping, so the server stops keeping them). */
  get received(): number {
    return this.#received;
  }

  /** Starts on a new connection: resumes the session when we have one, joins afresh otherwise. */
  open(signaling: SignalSink, hello: Hello): void {
    this.#signaling = signaling;
    if (this.#resume) {
      this.#awaitingAnswer = true;
      signaling.send({ ...hello, resume: { ...this.#resume, received: this.#received } });
    } else {
      this.startOver();
      signaling.send(hello);
    }
  }

  /** The session is over for us (left, failed, or not worth resuming). */
  forget(): void {
    this.#resume = undefined;
    this.#awaitingAnswer = false;
  }

  send(message: ClientMessageInput): void {
    // Pings test this connection: not part of the session, never numbered or sent again.
    if (message.type === 'ping') {
      if (!this.#awaitingAnswer) this.#signaling?.send(message);
      return;
    }
    this.#outbox.push(message, JSON.stringify(message).length);
    if (!this.#awaitingAnswer) this.#signaling?.send(message);
  }

  receive(message: ServerMessage): Received {
    if (this.#awaitingAnswer) {
      this.#awaitingAnswer = false;
      if (message.type === 'resumed') {
        const missed = this.#outbox.after(message.received);
        if (!missed) return 'cannot-resume';
        for (const m of missed) this.#signaling?.send(m);
        return 'resumed';
      }
      // The server could not resume (it restarted, or held us too long): this is a new session.
      this.startOver();
    }
    if (message.type === 'pong' && message.received !== undefined) this.#outbox.acknowledge(message.received);
    if (message.type === 'resumed' || message.type === 'pong') return 'message';
    this.#received++;
    if (message.type === 'welcome') {
      this.#resume = message.resumeSecret ? { participantId: message.participantId, secret: message.resumeSecret } : undefined;
    }
    return 'message';
  }

  private startOver(): void {
    this.#resume = undefined;
    this.#received = 0;
    this.#outbox = new ReplayBuffer(OUTBOX_LIMITS);
  }
}
