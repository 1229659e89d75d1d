/**
 * The conference's line to the server, across connections. Opens signaling
 * (WebSocket, or long-poll when that cannot get through), says hello, and
 * when the connection drops either resumes the session the server still
 * holds (at once, then 1, 2, 4, 8 s) or joins again with backoff (1, 2, 4,
 * 8, 10 s...). While joined it pings, so a network that goes silent is
 * noticed within seconds instead of minutes.
 */
import type { ClientMessageInput, ClientMessageOf, ServerMessage } from '../../src/protocol/messages.js';
import { Heartbeat } from './heartbeat.js';
import { SessionLink } from './session-link.js';
import { Signaling, type CloseInfo } from './signaling.js';

export interface ConnectionHost {
  /** The hello for the next connection (resume details are added here). */
  hello(): Omit<ClientMessageOf<'hello'>, 'resume'>;
  /** A message of the session, in order. */
  message(message: ServerMessage): void;
  /** The session continues after a drop of `lostMs`: same participant, same media. */
  resumed(lostMs: number): void;
  /** The connection closed: 'stop' when that ends the conference (fatal, goodbye), 'reconnect' otherwise. */
  closed(info: CloseInfo): 'stop' | 'reconnect';
  /** Whether what we have (the media) is worth keeping through a resume. */
  canResume(): boolean;
  /** Reconnecting now; `keepMedia`: the session may resume with the media we have. */
  reconnecting(keepMedia: boolean): void;
}

export class Connection {
  #signaling: Signaling | undefined;
  /** Numbers and keeps what we send, so a dropped connection can resume. */
  readonly #session = new SessionLink();
  readonly #heartbeat = new Heartbeat(
    () => this.send({ type: 'ping', received: this.#session.received }),
    (silentMs) => {
      console.warn(`confab: nothing from the server for ${Math.round(silentMs / 1000)} s; reconnecting`);
      this.#signaling?.abandon();
    },
  );
  #attempt = 0;
  #retryTimer: number | undefined;
  #lostAt: number | undefined;
  #stopped = false;

  constructor(private readonly host: ConnectionHost) {}

  /** 'websocket' or 'long-poll'. */
  get transport(): string | undefined {
    return this.#signaling?.transport;
  }

  /** When the connection was lost, if we are not fully back yet (for the report after a new join). */
  takeLostAt(): number | undefined {
    const at = this.#lostAt;
    this.#lostAt = undefined;
    return at;
  }

  start(): void {
    const signaling = new Signaling({
      onOpen: () => this.#session.open(signaling, this.host.hello()),
      onMessage: (m) => this.onMessage(m, signaling),
      onClose: (info) => this.onClose(info, signaling),
    });
    this.#signaling = signaling;
  }

  /** Numbered, and sent again after a resume if the server did not get it. */
  send(message: ClientMessageInput): void {
    if (this.#signaling && !this.#stopped) this.#session.send(message);
  }

  /** We are in (a welcome): pings start, backoff resets. */
  joined(): void {
    this.#attempt = 0;
    this.#heartbeat.start();
  }

  /** Gives the held session up (the server lets it go at once) and joins as a new participant. */
  joinAfresh(why: string): void {
    console.warn(`confab: joining again as a new participant: ${why}`);
    const old = this.#signaling;
    this.#signaling = undefined;
    old?.send({ type: 'leave' });
    old?.close();
    this.#session.forget();
    this.host.reconnecting(false);
    this.start();
  }

  /** The end: with `goodbye`, the server is told we left (no resume is held). */
  stop(goodbye: boolean): void {
    if (goodbye) this.send({ type: 'leave' });
    this.#stopped = true;
    window.clearTimeout(this.#retryTimer);
    this.#heartbeat.stop();
    this.#session.forget();
    const s = this.#signaling;
    this.#signaling = undefined;
    s?.close();
  }

  private onMessage(m: ServerMessage, signaling: Signaling): void {
    if (signaling !== this.#signaling) return;
    this.#heartbeat.heard();
    switch (this.#session.receive(m)) {
      case 'resumed': {
        if (!this.host.canResume()) return this.joinAfresh('media did not survive the drop');
        this.joined();
        this.host.resumed(Date.now() - (this.takeLostAt() ?? Date.now()));
        return;
      }
      case 'cannot-resume':
        return this.joinAfresh('the server no longer has what we missed');
      case 'message':
        return this.host.message(m);
    }
  }

  private onClose(info: CloseInfo, signaling: Signaling): void {
    if (signaling !== this.#signaling || this.#stopped) return;
    this.#heartbeat.stop();
    if (this.host.closed(info) === 'stop') return this.stop(false);
    this.#lostAt ??= Date.now();
    // While the server may hold our session, ask to resume it, even when our media is gone: once
    // resumed, joinAfresh() ends it with a goodbye, so no ghost of us lingers for the grace period.
    const resuming = this.#session.resumable;
    this.host.reconnecting(resuming && this.host.canResume());
    const attempt = this.#attempt++;
    const delay = resuming ? (attempt === 0 ? 0 : 1000 * 2 ** (attempt - 1)) : 1000 * 2 ** attempt;
    this.#retryTimer = window.setTimeout(() => this.start(), Math.min(10_000, delay));
  }
}
