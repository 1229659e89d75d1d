/**
 * How far a signaling client may fall behind what the server sends it. A
 * WebSocket whose reader stopped reading, or a long-poll client that never
 * acknowledges (issue 11: one polling with `ack=0` was sent 150,002
 * messages, 6.4 MB, while the server kept all of them), would otherwise make
 * the server keep everything it sends. Past these limits the connection is
 * closed with `signaling_too_slow` (retryable) and the participant is held
 * as after a dropped connection, so a slow but honest client resumes.
 *
 * The same size as the replay buffer (src/protocol/replay-buffer.ts): a
 * client further behind than this could not resume anyway.
 */
import { DEFAULT_REPLAY_LIMITS } from '../protocol/replay-buffer.js';

export const SIGNALING_SEND_LIMITS = {
  /** Long-poll: messages waiting for the client's acknowledgement. */
  messages: DEFAULT_REPLAY_LIMITS.messages,
  /** Long-poll: their JSON size; WebSocket: bytes the socket has not written yet. */
  bytes: DEFAULT_REPLAY_LIMITS.bytes,
} as const;
