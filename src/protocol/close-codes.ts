/**
 * WebSocket close codes, and what each side makes of them. The error
 * catalogue (errors.ts) gives every error code its own close code in
 * 4400-4599; the ones here are the rest: how a connection ends without an
 * error. Long-poll sessions report the same numbers in their `closed` field
 * (long-poll.ts), so clients treat both transports alike.
 */

/** A goodbye: the client left (or the server closed a session that ended normally). */
export const CLOSE_NORMAL = 1000;
/** The page went away (closed tab, navigation): also a goodbye. */
export const CLOSE_GOING_AWAY = 1001;
/** No close frame at all: the network or the process died. Clients reconnect. */
export const CLOSE_ABNORMAL = 1006;
/**
 * The client gave up on a connection that went silent (its pings unanswered):
 * not a goodbye, so the server holds the participant for a session resume.
 */
export const CLOSE_GAVE_UP = 4000;

/**
 * Whether a close means the client left on purpose. Anything else (1006, a
 * missed ping, CLOSE_GAVE_UP) may be a network blip: the server holds the
 * participant for RESUME_GRACE_S instead of removing it.
 */
export function isGoodbye(closeCode: number): boolean {
  return closeCode === CLOSE_NORMAL || closeCode === CLOSE_GOING_AWAY;
}
