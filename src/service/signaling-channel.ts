/**
 * What the service needs from a signaling transport (WebSocket or HTTP
 * long-poll, src/server): ordered messages out, and a close with one of our
 * error codes. Transports turn their own events into calls on
 * SignalingConnection. A participant's SignalingSession is a channel too:
 * the room side talks to it, and it forwards to whichever transport carries
 * the session now.
 */
import type { ErrorCode } from '../protocol/errors.js';
import type { ServerMessage } from '../protocol/messages.js';

export interface SignalingChannel {
  /** Short description for logs, e.g. `ws 127.0.0.1:51234`. */
  readonly description: string;
  /** The client's address as per-address limits count it (a transport's; behind a proxy, from X-Forwarded-For); undefined: cannot be told apart. */
  readonly clientAddress?: string | undefined;
  send(message: ServerMessage): void;
  /**
   * How many of the messages sent so far the client has confirmed having
   * (a session knows it from the client's pings; a bare transport does
   * not). A relay to another node acknowledges no further than this, so
   * the room's host keeps what a resume through any replica would need.
   */
  readonly acknowledged?: number;
  /** Closes the transport; with a code, the client is told why first. */
  close(code?: ErrorCode, message?: string): void;
}
