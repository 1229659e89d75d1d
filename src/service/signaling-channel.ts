/**
 * What the service needs from a signaling transport (WebSocket today,
 * long-poll next): ordered messages out, and a close with one of our error
 * codes. Transports turn their own events into calls on ParticipantSession.
 */
import type { ErrorCode } from '../protocol/errors.js';
import type { ServerMessage } from '../protocol/messages.js';

export interface SignalingChannel {
  /** Short description for logs, e.g. `ws 127.0.0.1:51234`. */
  readonly description: string;
  send(message: ServerMessage): void;
  /** Closes the transport; with a code, the client is told why first. */
  close(code?: ErrorCode, message?: string): void;
}
