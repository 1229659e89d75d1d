/**
 * The path from a signaling connection to its room. Today every room is in
 * this process (LocalRoomGateway). In cluster mode a gateway will find the
 * node hosting the room and relay the same calls there, so the session code
 * above it does not change.
 */
import type { ClientMessageOf, RoomMessage } from '../protocol/messages.js';
import type { RoomAddress } from '../protocol/room-name.js';
import type { LogBudget } from '../util/log-budget.js';
import type { Admission } from './auth/admission.js';

export type { RoomMessage };
import type { SignalingChannel } from './signaling-channel.js';

export interface JoinRequest {
  readonly address: RoomAddress;
  /** The hello without its token and ticket: they stop at admission and travel no further. */
  readonly hello: Omit<ClientMessageOf<'hello'>, 'token' | 'rejoinTicket'>;
  /** What admission decided (identity and moderator claim from a verified token). */
  readonly admission: Admission;
  /** Handed to the client in the welcome, for its next hello after a lost connection. */
  readonly rejoinTicket?: string;
  /** Handed to the client in the welcome: presented in `hello.resume`, it continues this session. */
  readonly resumeSecret?: string;
  readonly remoteAddress: string;
  /** Aborted when the connection goes away during the join (e.g. while waiting in the lobby). */
  readonly signal?: AbortSignal;
  /** The participant's log budget (its session's): the room's lines about it count against it too. */
  readonly logBudget?: LogBudget;
}

/** A joined participant, as seen from its signaling session. */
export interface ParticipantLink {
  readonly participantId: string;
  /** Handles a message after hello. Throws ConfabError for a refusal the client should see. */
  handle(message: RoomMessage): Promise<void>;
  /** The transport went away or the client said goodbye. Idempotent. */
  leave(reason: 'left' | 'disconnected'): void;
  /** The connection dropped and the participant is held for a resume (true), or it came back (false). */
  setConnectionInterrupted(interrupted: boolean): void;
}

export interface RoomGateway {
  join(request: JoinRequest, channel: SignalingChannel): Promise<ParticipantLink>;
}
