/**
 * The HTTP long-poll envelope, the signaling fallback for networks whose
 * proxies do not pass WebSocket upgrades. The messages inside are the same
 * as over WebSocket (messages.ts); only the framing differs:
 *
 *   POST <base>signaling/lp[?sid=S]   body: client messages, one JSON per line
 *        -> OpenAnswer {"sid": S}     (the first POST, carrying hello, opens session S)
 *   GET  <base>signaling/lp?sid=S&ack=N
 *        -> PollAnswer {"seq", "messages", "closed"?}, held up to POLL_HOLD_MS while there is nothing to say
 *
 * The session id is a random bearer secret. `ack` is the `seq` of the last
 * answer the client processed: the server keeps each message until a later
 * poll acknowledges it, so an answer lost in transit loses nothing. A
 * client that stops polling for two ping intervals is gone, as with a
 * WebSocket's missed pongs. Errors are the catalogue's `{ error, message }`
 * bodies with its HTTP status (an unknown or expired session: 404 not_found).
 */
import { z } from 'zod';
import { MAX_MESSAGE_BYTES, type ServerMessage } from './messages.js';

/** The server answers a held poll after this long with nothing to say; proxies commonly cut idle requests at 60 s. */
export const POLL_HOLD_MS = 25_000;

/** Largest POST body the server reads (several messages may travel together). */
export const MAX_POST_BYTES = MAX_MESSAGE_BYTES * 4;

/** Query parameters of both requests. */
export const LONG_POLL_QUERY = { session: 'sid', ack: 'ack' } as const;

/** The answer to a POST: the session's id (the same on every later POST). */
export const openAnswer = z.object({ sid: z.string().min(1) });
export type OpenAnswer = z.infer<typeof openAnswer>;

/** How the server ended the session: one of our error codes, or none for a normal close; `closeCode` as a WebSocket's. */
export const pollClosed = z.object({ code: z.string().optional(), closeCode: z.number().int() });

/**
 * The answer to a GET. `seq` numbers the last message in `messages` (send it
 * back as `ack`); each message is validated on its own, as a WebSocket frame
 * would be, so this schema leaves them unknown.
 */
export const pollAnswer = z.object({ seq: z.number().int().min(0), messages: z.array(z.unknown()), closed: pollClosed.optional() });
export type PollAnswerInput = z.infer<typeof pollAnswer>;

/** What the server sends: the same envelope with typed messages. */
export interface PollAnswer {
  readonly seq: number;
  readonly messages: readonly ServerMessage[];
  readonly closed?: z.infer<typeof pollClosed>;
}

/** A POST body: the client's messages in order, one per line (JSON has no raw newlines). */
export function postBody(messages: readonly string[]): string {
  return messages.join('\n');
}

/** The messages of a POST body. */
export function postMessages(body: string): string[] {
  return body.split('\n').filter((line) => line.trim() !== '');
}
