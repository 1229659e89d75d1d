/**
 * The bot's end of the signaling WebSocket: JSON frames validated with the
 * same zod schemas the server uses, so a protocol drift fails loudly here.
 * longpoll-client.ts is the same for HTTP long-polling.
 */
import { WebSocket } from 'ws';
import { CLOSE_NORMAL } from '../protocol/close-codes.js';
import { WEBSOCKET_PATH } from '../protocol/endpoints.js';
import { parseServerMessage } from '../protocol/messages.js';
import { SignalingBase } from './signaling-base.js';

export type { SignalingEvents } from './signaling-base.js';

/** `http://host:port/base/` -> `ws://host:port/base/signaling`. */
export function signalingUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.pathname += WEBSOCKET_PATH;
  url.search = '';
  url.hash = '';
  return url.toString();
}

export class SignalingClient extends SignalingBase {
  readonly transport = 'websocket';

  private constructor(readonly socket: WebSocket) {
    super();
    socket.on('message', (data) => {
      const raw = String(data);
      const parsed = parseServerMessage(raw);
      if (parsed.ok) this.emit('message', parsed.message);
      else this.emit('invalid', parsed.error);
    });
    socket.on('close', (code, reason) => this.markClosed({ code, reason: reason.toString() }));
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

  /** Sends any text, valid or not: tests use it to probe the server's guards. */
  sendRaw(text: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
  }

  /** Closes and resolves once the socket is gone (terminating if the server does not answer). */
  close(code = CLOSE_NORMAL): Promise<void> {
    if (this.closed || this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
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
