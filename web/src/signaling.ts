/**
 * The browser end of signaling: a WebSocket to `<base>/signaling`, JSON
 * messages validated with the shared protocol module. It reports why it
 * closed: a fatal error from the server (with its code), or a lost
 * connection that the conference should retry.
 */
import { errorCodeForClose, isErrorCode, isRetryable } from '../../src/protocol/errors.js';
import {
  parseServerMessage,
  type ClientMessageInput,
  type ServerMessage,
} from '../../src/protocol/messages.js';

export type CloseInfo =
  | { kind: 'fatal'; code: string; message: string }
  | { kind: 'lost'; wasOpen: boolean }
  | { kind: 'normal' };

export interface SignalingHandlers {
  onOpen(): void;
  onMessage(message: ServerMessage): void;
  onClose(info: CloseInfo): void;
}

export function signalingUrl(): string {
  const url = new URL('signaling', document.baseURI);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export class Signaling {
  readonly #ws: WebSocket;
  #fatal: { code: string; message: string } | undefined;
  #closedByUs = false;
  #opened = false;
  #done = false;

  constructor(private readonly handlers: SignalingHandlers) {
    this.#ws = new WebSocket(signalingUrl());
    this.#ws.onopen = () => {
      this.#opened = true;
      handlers.onOpen();
    };
    this.#ws.onmessage = (event) => this.onData(event.data);
    this.#ws.onclose = (event) => this.onClosed(event.code);
    // Errors are followed by close; the close handler reports.
    this.#ws.onerror = () => undefined;
  }

  send(message: ClientMessageInput): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(message));
  }

  close(): void {
    this.#closedByUs = true;
    this.#ws.close(1000, 'bye');
  }

  private onData(data: unknown): void {
    if (typeof data !== 'string') return;
    const parsed = parseServerMessage(data);
    if (!parsed.ok) {
      console.warn('confab: ignoring unexpected server message', parsed.error);
      return;
    }
    if (parsed.message.type === 'error' && parsed.message.fatal) {
      this.#fatal = { code: parsed.message.code, message: parsed.message.message };
    }
    this.handlers.onMessage(parsed.message);
  }

  private onClosed(closeCode: number): void {
    if (this.#done) return;
    this.#done = true;
    // A restarting or draining server: come back by ourselves.
    const fatalCode = this.#fatal?.code;
    if (fatalCode && isErrorCode(fatalCode) && isRetryable(fatalCode)) return this.handlers.onClose({ kind: 'lost', wasOpen: this.#opened });
    if (this.#fatal) return this.handlers.onClose({ kind: 'fatal', ...this.#fatal });
    const code = errorCodeForClose(closeCode);
    if (code && isRetryable(code)) return this.handlers.onClose({ kind: 'lost', wasOpen: this.#opened });
    if (code && code !== 'internal_error') {
      return this.handlers.onClose({ kind: 'fatal', code, message: '' });
    }
    if (this.#closedByUs || closeCode === 1000) return this.handlers.onClose({ kind: 'normal' });
    this.handlers.onClose({ kind: 'lost', wasOpen: this.#opened });
  }
}
