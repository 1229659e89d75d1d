/**
 * WebSocket signaling transport: one ParticipantSession per socket, JSON
 * text frames both ways, a ping every interval so dead peers (a laptop lid
 * closed, a network gone) are dropped within two intervals and proxies with
 * 60 s idle timeouts keep the connection open.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { ERRORS, type ErrorCode } from '../protocol/errors.js';
import { MAX_MESSAGE_BYTES, type ServerMessage } from '../protocol/messages.js';
import type { SignalingChannel } from '../service/signaling-channel.js';

/** ws refuses frames above this itself (close 1009); below it we check with our own code. */
export const WS_MAX_PAYLOAD = MAX_MESSAGE_BYTES * 4;

export class WsSignalingChannel implements SignalingChannel {
  readonly description: string;
  #alive = true;
  #closed = false;

  constructor(
    private readonly socket: WebSocket,
    request: IncomingMessage,
  ) {
    this.description = `ws ${request.socket.remoteAddress ?? '?'}:${request.socket.remotePort ?? '?'}`;
    socket.on('pong', () => {
      this.#alive = true;
    });
  }

  /** We closed it (an error, a goodbye, a resume elsewhere), as opposed to the client or the network. */
  get closedByServer(): boolean {
    return this.#closed;
  }

  send(message: ServerMessage): void {
    if (this.#closed || this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(JSON.stringify(message));
  }

  close(code?: ErrorCode, message?: string): void {
    if (this.#closed) return;
    if (code) this.send({ type: 'error', code, message: message ?? ERRORS[code].message, fatal: true });
    this.#closed = true;
    // The close reason is limited to 123 bytes: the code fits, the message went in the error frame.
    this.socket.close(code ? ERRORS[code].closeCode : 1000, code ?? 'bye');
    // A peer that never completes the closing handshake is cut off.
    setTimeout(() => this.socket.terminate(), 2000).unref();
  }

  /** Called on every heartbeat tick; false means the peer missed the last ping. */
  heartbeat(): boolean {
    if (!this.#alive) {
      this.socket.terminate();
      return false;
    }
    this.#alive = false;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.ping();
    return true;
  }
}
