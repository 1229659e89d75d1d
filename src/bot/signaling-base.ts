/**
 * What a bot needs from its signaling transport, WebSocket
 * (signaling-client.ts) or HTTP long-poll (longpoll-client.ts): the same
 * events, the same server-message validation, the same waitFor.
 */
import type { ClientMessageInput, ServerMessage } from '../protocol/messages.js';
import { TypedEmitter } from '../util/typed-emitter.js';

export interface ClosedInfo {
  readonly code: number;
  readonly reason: string;
}

export interface SignalingEvents {
  message: [ServerMessage];
  /** A frame that failed validation: a server bug or a protocol mismatch. */
  invalid: [string];
  closed: [ClosedInfo];
}

export type SignalingTransport = 'websocket' | 'long-poll';

export interface BotSignaling {
  readonly transport: SignalingTransport;
  /** Set once the connection is gone: the close code and reason (long-poll: the server's close code, or 1006). */
  readonly closed: ClosedInfo | undefined;
  on<K extends keyof SignalingEvents>(event: K, listener: (...args: SignalingEvents[K]) => void): () => void;
  once<K extends keyof SignalingEvents>(event: K, listener: (...args: SignalingEvents[K]) => void): void;
  off<K extends keyof SignalingEvents>(event: K, listener: (...args: SignalingEvents[K]) => void): void;
  send(message: ClientMessageInput): void;
  /** Sends any text, valid or not: tests use it to probe the server's guards. */
  sendRaw(text: string): void;
  /** The next message of a type, or a rejection on close or timeout. */
  waitFor<T extends ServerMessage['type']>(type: T, timeoutMs?: number): Promise<Extract<ServerMessage, { type: T }>>;
  /** Closes (1000/1001: a goodbye) and resolves once the connection is gone. */
  close(code?: number): Promise<void>;
}

export abstract class SignalingBase extends TypedEmitter<SignalingEvents> implements BotSignaling {
  abstract readonly transport: SignalingTransport;
  #closed: ClosedInfo | undefined;

  get closed(): ClosedInfo | undefined {
    return this.#closed;
  }

  abstract sendRaw(text: string): void;
  abstract close(code?: number): Promise<void>;

  send(message: ClientMessageInput): void {
    this.sendRaw(JSON.stringify(message));
  }

  /** Records the close once and tells the listeners. */
  protected markClosed(info: ClosedInfo): void {
    if (this.#closed) return;
    this.#closed = info;
    this.emit('closed', info);
  }

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
}
