/**
 * The path from a signaling connection to its room. Without Redis every
 * room is in this process (LocalRoomGateway). In cluster mode
 * (ClusterRoomGateway, src/service/cluster/) the gateway finds the node
 * hosting the room, placing it if nobody does, and either hosts it here or
 * relays the same calls there (RemoteRoomGateway), so the session code above
 * it does not change.
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
  /**
   * The session this client had in the room, when its resume was refused
   * (the hello's `resume`): in cluster mode a class that moved to another
   * server gives the participant its place back (role, hard mutes, hand).
   */
  readonly returning?: { readonly participantId: string; readonly secret: string };
  /** The participant's log budget (its session's): the room's lines about it count against it too. */
  readonly logBudget?: LogBudget;
}

/** A resuming hello this process holds no session for: in cluster mode the room's host may. */
export interface ResumeRequest {
  readonly address: RoomAddress;
  readonly participantId: string;
  readonly secret: string;
  /** Server messages the client has received. */
  readonly received: number;
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
  /**
   * Cluster mode only: continues a session that another replica carried
   * (the client's connection landed here this time). `continueAs` is called
   * with how many client messages the room has received, before any message
   * the client missed is delivered, and returns the channel (the new local
   * session) those go to. Resolves undefined when nobody holds the session:
   * the client joins afresh.
   */
  resume?(request: ResumeRequest, continueAs: (serverReceived: number) => SignalingChannel): Promise<ParticipantLink | undefined>;
}
