/**
 * The bot's end of the signaling WebSocket: JSON frames validated with the
 * same zod schemas the server uses, so a protocol drift fails loudly here.
 */
import { WebSocket } from 'ws';
import { parseServerMessage, type ClientMessageInput, type ServerMessage } from '../protocol/messages.js';
import { TypedEmitter } from '../util/typed-emitter.js';

export interface SignalingEvents {
  message: [ServerMessage];
  /** A frame that failed validation: a server bug or a protocol mismatch. */
  invalid: [string];
  closed: [{ code: number; reason: string }];
}

/** `http://host:port/base/` -> `ws://host:port/base/signaling`. */
export function signalingUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.pathname += 'signaling';
  url.search = '';
  url.hash = '';
  return url.toString();
}

export class SignalingClient extends TypedEmitter<SignalingEvents> {
  #closed: { code: number; reason: string } | undefined;

  private constructor(readonly socket: WebSocket) {
    super();
    socket.on('message', (data) => {
      const raw = String(data);
      const parsed = parseServerMessage(raw);
      if (parsed.ok) this.emit('message', parsed.message);
      else this.emit('invalid', parsed.error);
    });
    socket.on('close', (code, reason) => {
      this.#closed = { code, reason: reason.toString() };
      this.emit('closed', this.#closed);
    });
    // Errors are followed by close; the close event carries what callers need.
    socket.on('error', () => undefined);
  }

  static connect(url: string, timeoutMs = 10_000): Promise<SignalingClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
      const fail = (error: Error): void => {
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
        reject(error);
      };
      socket.once('open', () => {
        socket.removeAllListeners('error');
        resolve(new SignalingClient(socket));
      });
      socket.once('error', fail);
      socket.once('unexpected-response', (_req, res) => fail(new Error(`signaling at ${url} answered HTTP ${res.statusCode}`)));
    });
  }

  get closed(): { code: number; reason: string } | undefined {
    return this.#closed;
  }

  send(message: ClientMessageInput): void {
    this.sendRaw(JSON.stringify(message));
  }

  /** Sends any text, valid or not: tests use it to probe the server's guards. */
  sendRaw(text: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
  }

  /** The next message of a type, or a rejection on close or timeout. */
  waitFor<T extends ServerMessage['type']>(type: T, timeoutMs = 10_000): Promise<Extract<ServerMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        offMessage();
        offClosed();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const offMessage = this.on('message', (message) => {
        if (message.type === 'error' && message.fatal) return; // the close that follows explains it
        if (message.type !== type) return;
        done();
        resolve(message as Extract<ServerMessage, { type: T }>);
      });
      const offClosed = this.on('closed', ({ code, reason }) => {
        done();
        reject(new Error(`signaling closed (${code} ${reason}) while waiting for '${type}'`));
      });
      if (this.#closed) {
        done();
        reject(new Error(`signaling closed (${this.#closed.code}) before '${type}'`));
      }
    });
  }

  /** Closes and resolves once the socket is gone (terminating if the server does not answer). */
  close(code = 1000): Promise<void> {
    if (this.#closed || this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.socket.terminate(), 2000);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.close(code);
    });
  }
}
