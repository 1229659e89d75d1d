/**
 * The browser end of signaling. WebSocket to `<base>/signaling` first; if it
 * cannot be opened within a few seconds (a proxy without Upgrade support, a
 * corporate proxy), HTTP long-polling on `<base>/signaling/lp` takes over
 * with the same messages. Either way the conference sees one interface, and
 * learns why it closed: a fatal error from the server (with its code), or a
 * lost connection to retry.
 */
import { CLOSE_GAVE_UP, CLOSE_NORMAL } from '../../src/protocol/close-codes.js';
import { errorCodeForClose, isErrorCode, isRetryable } from '../../src/protocol/errors.js';
import { parseServerMessage, type ClientMessageInput, type ServerMessage } from '../../src/protocol/messages.js';
import { LongPollTransport } from './longpoll.js';
import { signalingUrl } from './signaling-url.js';

export type CloseInfo =
  | { kind: 'fatal'; code: string; message: string }
  | { kind: 'lost'; wasOpen: boolean }
  | { kind: 'normal' };

export interface SignalingHandlers {
  onOpen(): void;
  onMessage(message: ServerMessage): void;
  onClose(info: CloseInfo): void;
}

/** What both transports provide. `closeCode` follows WebSocket's numbers (src/protocol/close-codes.ts; 4xxx errors: errors.ts). */
export interface RawTransport {
  readonly kind: 'websocket' | 'long-poll';
  send(text: string): void;
  /** Closes; `lost` says we gave up on it (the server may hold our session for a resume), not goodbye. */
  close(lost?: boolean): void;
}

export interface RawHandlers {
  onOpen(): void;
  onText(text: string): void;
  onClose(closeCode: number, wasOpen: boolean): void;
}

/** How long a WebSocket may take to open before we fall back to long-polling. */
const WS_OPEN_TIMEOUT_MS = 4000;
/** Once long-polling was needed here, later reconnects start with it. */
let preferLongPoll = false;

class WebSocketTransport implements RawTransport {
  readonly kind = 'websocket';
  readonly #ws: WebSocket;
  #opened = false;

  constructor(handlers: RawHandlers) {
    this.#ws = new WebSocket(signalingUrl());
    this.#ws.onopen = () => {
      this.#opened = true;
      handlers.onOpen();
    };
    this.#ws.onmessage = (event) => typeof event.data === 'string' && handlers.onText(event.data);
    this.#ws.onclose = (event) => handlers.onClose(event.code, this.#opened);
    this.#ws.onerror = () => undefined; // always followed by close
  }

  send(text: string): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(text);
  }

  close(lost = false): void {
    this.#ws.onclose = null;
    this.#ws.close(lost ? CLOSE_GAVE_UP : CLOSE_NORMAL, lost ? 'silent' : 'bye');
  }
}

export class Signaling {
  #transport: RawTransport;
  #fatal: { code: string; message: string } | undefined;
  #closedByUs = false;
  #done = false;

  constructor(private readonly handlers: SignalingHandlers) {
    this.#transport = preferLongPoll ? this.longPoll(false) : this.webSocketWithFallback();
  }

  /** 'websocket' or 'long-poll', for tests and diagnostics. */
  get transport(): RawTransport['kind'] {
    return this.#transport.kind;
  }

  send(message: ClientMessageInput): void {
    this.#transport.send(JSON.stringify(message));
  }

  close(): void {
    this.#closedByUs = true;
    this.#transport.close();
    this.finish({ kind: 'normal' });
  }

  /** Gives up on a connection that went silent: reported as lost, so the conference resumes. */
  abandon(): void {
    this.#transport.close(true);
    this.finish({ kind: 'lost', wasOpen: true });
  }

  private webSocketWithFallback(): RawTransport {
    let settled = false;
    const fallBack = (): void => {
      if (settled || this.#done) return;
      settled = true;
      ws.close();
      console.warn('confab: WebSocket signaling could not be opened; using HTTP long-polling');
      this.#transport = this.longPoll(true);
    };
    const timer = window.setTimeout(fallBack, WS_OPEN_TIMEOUT_MS);
    const ws: RawTransport = new WebSocketTransport({
      onOpen: () => {
        settled = true;
        window.clearTimeout(timer);
        this.handlers.onOpen();
      },
      onText: (text) => this.onText(text),
      onClose: (code, wasOpen) => {
        window.clearTimeout(timer);
        if (!wasOpen && !settled) return fallBack();
        this.onClosed(code, wasOpen);
      },
    });
    return ws;
  }

  private longPoll(afterWebSocketFailed: boolean): RawTransport {
    return new LongPollTransport({
      onOpen: () => this.handlers.onOpen(),
      onText: (text) => {
        if (afterWebSocketFailed) preferLongPoll = true;
        this.onText(text);
      },
      onClose: (code, wasOpen) => this.onClosed(code, wasOpen),
    });
  }

  private onText(text: string): void {
    if (this.#done) return;
    const parsed = parseServerMessage(text);
    if (!parsed.ok) {
      console.warn('confab: ignoring unexpected server message', parsed.error);
      return;
    }
    if (parsed.message.type === 'error' && parsed.message.fatal) {
      this.#fatal = { code: parsed.message.code, message: parsed.message.message };
    }
    this.handlers.onMessage(parsed.message);
  }

  private onClosed(closeCode: number, wasOpen: boolean): void {
    // A restarting or draining server: come back by ourselves.
    const fatalCode = this.#fatal?.code ?? errorCodeForClose(closeCode);
    if (fatalCode && isErrorCode(fatalCode) && isRetryable(fatalCode)) return this.finish({ kind: 'lost', wasOpen });
    if (this.#fatal) return this.finish({ kind: 'fatal', ...this.#fatal });
    if (fatalCode && fatalCode !== 'internal_error') return this.finish({ kind: 'fatal', code: fatalCode, message: '' });
    if (this.#closedByUs || closeCode === CLOSE_NORMAL) return this.finish({ kind: 'normal' });
    this.finish({ kind: 'lost', wasOpen });
  }

  private finish(info: CloseInfo): void {
    if (this.#done) return;
    this.#done = true;
    this.handlers.onClose(info);
  }
}
