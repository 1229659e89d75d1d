/**
 * The relay link between an edge (the replica holding a participant's
 * signaling connection) and the room's host: one WebSocket per relayed
 * participant on the host's CLUSTER_PORT, JSON frames both ways.
 *
 * The host runs an ordinary SignalingSession for the participant with the
 * link as its connection, so the link has what the page's own connection
 * has: both sides number what they send and keep it until acknowledged
 * (the edge's pings carry what the page has confirmed; the host's pongs what
 * it has received), and after a hiccup the edge opens a new link with
 * `resume` and both sides replay what the other missed. The host's numbering
 * is the page's (the edge forwards every message once, in order), which is
 * what lets any other replica continue the session after the edge died.
 */
import type { ErrorCode } from '../../protocol/errors.js';
import type { ServerMessage } from '../../protocol/messages.js';
import type { SessionMessage } from '../signaling-session.js';
import type { JoinRequest } from '../room-gateway.js';

/** Path of the relay WebSocket on CLUSTER_PORT. */
export const RELAY_PATH = '/relay';
/** Path of a node's own live view (the REST API merges every node's). */
export const ROOMS_PATH = '/rooms';

/**
 * A join as it crosses to the host: everything but the abort signal (the
 * link closing is the abort) and the log budget (the host's session for
 * the participant has its own).
 */
export type RelayedJoin = Omit<JoinRequest, 'signal' | 'logBudget'>;

/** Edge to host. */
export type EdgeFrame =
  /** First frame of a new participant's link: join the room. `secret` lets a later link resume the host's session. */
  | { readonly t: 'join'; readonly request: RelayedJoin; readonly secret: string }
  /** First frame of a link that continues a held session (a relay hiccup, or the page back through another replica). */
  | { readonly t: 'resume'; readonly participantId: string; readonly secret: string; readonly roomKey: string; readonly received: number }
  /** A client message after hello (pings included: their `received` is what the page has confirmed). */
  | { readonly t: 'msg'; readonly m: SessionMessage }
  /** The page's own connection to the edge dropped (true) or came back (false). */
  | { readonly t: 'interrupted'; readonly on: boolean }
  /** The participant leaves (its session on the edge ended). */
  | { readonly t: 'leave'; readonly reason: 'left' | 'disconnected' };

/** Host to edge. */
export type HostFrame =
  /** A server message for the page (`pong` and `resumed` are the link's own). */
  | { readonly t: 'msg'; readonly m: ServerMessage }
  /** The join went through: the participant is in the room. */
  | { readonly t: 'joined'; readonly participantId: string }
  /** This node does not host the room (any more): look its host up again. */
  | { readonly t: 'redirect'; readonly reason: string }
  /** `resume`: no session here for that participant and secret. */
  | { readonly t: 'gone' }
  /** The session ended here; with a code, the page is told why (a refused join, a removal, a fatal error). */
  | { readonly t: 'close'; readonly code?: ErrorCode; readonly message?: string }
  /** Another link (another edge) carries the session now. */
  | { readonly t: 'superseded' };

export function parseFrame<T extends { t: string }>(raw: string): T | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}
