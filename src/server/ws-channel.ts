/**
 * One WebSocket signaling connection as the service sees it: JSON text
 * frames out, a close with one of our codes (the error frame first, as the
 * close reason is too short for the message), and the ping that tells a
 * live peer from a dead one. A peer that stops reading while we keep
 * sending is cut off once SIGNALING_SEND_LIMITS.bytes wait in the socket.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { CLOSE_NORMAL } from '../protocol/close-codes.js';
import { ERRORS, type ErrorCode } from '../protocol/errors.js';
import type { ServerMessage } from '../protocol/messages.js';
import type { SignalingChannel } from '../service/signaling-channel.js';
import { clientAddress } from './client-address.js';
import { SIGNALING_SEND_LIMITS } from './send-limits.js';

/** A peer that never completes the closing handshake is cut off after this. */
const CLOSE_HANDSHAKE_MS = 2000;

export class WsSignalingChannel implements SignalingChannel {
  readonly description: string;
  readonly clientAddress: string | undefined;
  /** Called once when the peer falls behind the send limit. */
  onTooSlow: (why: string) => void = () => undefined;
  #alive = true;
  #closed = false;

  constructor(
    private readonly socket: WebSocket,
    request: IncomingMessage,
  ) {
    this.description = `ws ${request.socket.remoteAddress ?? '?'}:${request.socket.remotePort ?? '?'}`;
    this.clientAddress = clientAddress(request);
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
    const waiting = this.socket.bufferedAmount;
    if (waiting > SIGNALING_SEND_LIMITS.bytes) {
      return this.onTooSlow(`${waiting} bytes sent and not yet taken by the client; at most ${SIGNALING_SEND_LIMITS.bytes} wait`);
    }
    this.socket.send(JSON.stringify(message));
  }

  close(code?: ErrorCode, message?: string): void {
    if (this.#closed) return;
    // Past the send limit too: the error is the last frame, and says why.
    if (code && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: 'error', code, message: message ?? ERRORS[code].message, fatal: true } satisfies ServerMessage));
    }
    this.#closed = true;
    // The close reason is limited to 123 bytes: the code fits, the message went in the error frame.
    this.socket.close(code ? ERRORS[code].closeCode : CLOSE_NORMAL, code ?? 'bye');
    setTimeout(() => this.socket.terminate(), CLOSE_HANDSHAKE_MS).unref();
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
