/**
 * A participant joined to a room in this process: relays the room's
 * presence events and the media peer's offers to its signaling channel, and
 * applies the client's messages to the domain and the media peer. Requests
 * the domain refuses (forbidden, a locked unmute) throw a request-only
 * ConfabError that the session reports without closing the connection.
 */
import { moderate } from '../conference/moderation.js';
import type { LeaveReason, Participant } from '../conference/participant.js';
import type { Room } from '../conference/room.js';
import type { RemotePeer } from '../media/worker/remote-router.js';
import { dispatch, type HandlerTable } from '../protocol/dispatch.js';
import { ConfabError, ERRORS, type ErrorCode } from '../protocol/errors.js';
import type { Logger } from '../util/log.js';
import { NO_OBSERVER, type ServiceObserver } from './observer.js';
import { ParticipantLimits } from './participant-limits.js';
import { checkPublishOffer, checkSubscribeAnswer, countMLines } from './sdp-check.js';
import { followRoom } from './room-feed.js';
import type { ParticipantLink, RoomMessage } from './room-gateway.js';
import type { ReceiveVideo } from './room-media.js';

/** A `receive-video` as the link hands it on (no `lastN`: the server's CHANNEL_LAST_N). */
export type ReceiveVideoRequest = Omit<ReceiveVideo, 'lastN'> & { readonly lastN?: number | undefined };
import type { SignalingChannel } from './signaling-channel.js';

/**
 * When the room, not the client, ends a participant's stay, its connection is
 * closed with the reason's code; `undefined`: the client's own session ended it
 * (a goodbye, a connection that did not come back) and closes it.
 */
const CLOSED_BY_ROOM: Readonly<Record<LeaveReason, ErrorCode | undefined>> = {
  left: undefined,
  disconnected: undefined,
  removed: 'removed_by_moderator',
  ended: 'conference_ended',
};

export class LocalParticipantLink implements ParticipantLink {
  readonly #offs: (() => void)[] = [];
  /** The media peer's listeners, apart: the peer changes when the room moves to another worker. */
  readonly #peerOffs: (() => void)[] = [];
  #peer: RemotePeer;
  /** How often this participant may make the room fan out, log, or work (participant-limits.ts). */
  readonly #limits = new ParticipantLimits();
  /** m-lines of the last subscribe offer we sent: its answer must have as many. */
  #offeredMLines: number | undefined;
  #left = false;

  constructor(
    readonly room: Room,
    readonly participant: Participant,
    peer: RemotePeer,
    private readonly channel: SignalingChannel,
    private readonly log: Logger,
    private readonly observer: ServiceObserver = NO_OBSERVER,
    /** Whose video to send this participant (room-media.ts applies its last-N; no lastN: the server's default). */
    private readonly receiveVideo: (receive: ReceiveVideoRequest) => void = () => undefined,
  ) {
    const self = participant.id;
    this.#peer = peer;
    this.#peerOffs.push(...this.followPeer(peer));
    this.#offs.push(
      room.on('participantJoined', (p) => p.id !== self && channel.send({ type: 'participant-joined', participant: p.info() })),
      room.on('participantUpdated', (p) => channel.send({ type: 'participant-updated', participant: p.info() })),
      room.on('participantLeft', (p, reason) => {
        if (p.id !== self) channel.send({ type: 'participant-left', participantId: p.id, reason });
      }),
      ...followRoom(room, participant, channel),
    );
    participant.once('closed', (reason) => {
      this.dispose();
      // Removed by the server (not by the client leaving): tell the client why.
      const code = reason === 'removed' && participant.blocked ? 'blocked_by_moderator' : CLOSED_BY_ROOM[reason];
      if (code !== undefined) {
        log.info({ reason, blocked: participant.blocked }, 'participant removed');
        channel.close(code);
      }
    });
  }

  /** Relays the media peer's offers and state to the client; returns how to stop. */
  private followPeer(peer: RemotePeer): (() => void)[] {
    const { channel, log, observer } = this;
    return [
      peer.on('subscribeOffer', ({ sdp, tracks }) => {
        this.#offeredMLines = countMLines(sdp);
        channel.send({ type: 'subscribe-offer', sdp, tracks });
      }),
      peer.on('connectionState', (role, state) => {
        log.info({ pc: role, state }, 'media connection state');
      }),
      peer.on('negotiationFailed', (error) => log.error({ err: error }, 'subscribe negotiation failed')),
      // Paths that die without ICE noticing (issue 18): never silent, always repaired or reported.
      peer.on('mediaStalled', (stall) => {
        log.warn({ code: 'media_stalled', ...stall }, `media stalled on the ${stall.pc} connection: restarting ICE`);
        observer.mediaStall(stall.pc, 'detected');
      }),
      peer.on('trackUnavailable', (producer, reason) => {
        log.info({ track: producer.id, from: producer.ownerId, codec: producer.mimeType, reason }, 'track not forwarded: this browser cannot decode it');
        channel.send({
          type: 'track-unavailable',
          participantId: producer.ownerId,
          trackId: producer.id,
          kind: producer.kind,
          source: producer.source,
          reason,
          codec: producer.mimeType,
        });
      }),
      peer.on('publishIceRestartNeeded', () => channel.send({ type: 'restart-ice', pc: 'publish' })),
      peer.on('mediaRepaired', ({ pc, afterMs }) => {
        log.info({ pc, afterMs }, 'media stall repaired');
        observer.mediaStall(pc, 'repaired');
      }),
      peer.on('mediaRepairFailed', (stall) => {
        log.warn({ code: 'media_stalled', ...stall }, `media stall on the ${stall.pc} connection not repaired: the page rebuilds its connections`);
        observer.mediaStall(stall.pc, 'failed');
        channel.send({ type: 'error', code: 'media_stalled', message: ERRORS.media_stalled.message, fatal: false });
      }),
    ];
  }

  /**
   * The room moved to another media worker (its worker died, issue 14): this
   * is the participant's new peer. The page rebuilds its connections on
   * `media_worker_restarted` (it publishes again; subscribe offers follow).
   */
  movePeer(peer: RemotePeer): void {
    if (this.#left) return;
    for (const off of this.#peerOffs.splice(0)) off();
    this.#peer = peer;
    this.#offeredMLines = undefined;
    this.#peerOffs.push(...this.followPeer(peer));
    this.channel.send({ type: 'error', code: 'media_worker_restarted', message: ERRORS.media_worker_restarted.message, fatal: false });
  }

  get participantId(): string {
    return this.participant.id;
  }

  async handle(message: RoomMessage): Promise<void> {
    if (this.#left) return;
    const over = this.#limits.overLimit(message.type);
    if (over) {
      this.observer.rateLimited(over);
      throw this.#limits.refusal(message.type, over);
    }
    await dispatch(this.#handlers, message);
  }

  /** One handler per message a client sends its room: a message type without one does not compile. */
  readonly #handlers: HandlerTable<RoomMessage, Promise<void> | void> = {
    'publish-offer': async ({ sdp, sources }) => {
      checkPublishOffer(sdp, sources);
      let answer: string;
      try {
        answer = await this.#peer.handlePublishOffer(sdp, sources);
      } catch (error) {
        throw new ConfabError('media_negotiation_failed', `publish offer rejected: ${(error as Error).message}`, { cause: error });
      }
      this.channel.send({ type: 'publish-answer', sdp: answer });
    },
    'subscribe-answer': async ({ sdp }) => {
      checkSubscribeAnswer(sdp, this.#offeredMLines);
      try {
        await this.#peer.handleSubscribeAnswer(sdp);
      } catch (error) {
        throw new ConfabError('media_negotiation_failed', `subscribe answer rejected: ${(error as Error).message}`, { cause: error });
      }
    },
    // The server is ICE-lite (RFC 8445 2.5): it never sends checks, and learns each browser's address from
    // the browser's own checks, so trickled candidates are of no use to it. Feeding them to werift cost a
    // multicast DNS lookup per `.local` candidate (Chrome's and Firefox's default), awaited in this
    // participant's message queue: the subscribe answer behind it waited ~8 s.
    'ice-candidate': () => undefined,
    'restart-ice': async ({ reason }) => {
      // The stall itself is logged and counted by the peer's mediaStalled event (detectedBy: client).
      const outcome = await this.#peer.repairSubscribe();
      if (outcome !== 'repairing') this.log.info({ reason, outcome }, 'the page asked for an ICE restart: not needed');
    },
    'set-muted': ({ kind, muted }) => this.participant.setMuted(kind, muted),
    'receive-video': ({ lastN, onStage, maxHeight, constraints }) => this.receiveVideo({ lastN, onStage, maxHeight, constraints }),
    moderate: ({ request }) => {
      this.log.info({ request }, 'moderation');
      moderate(this.room, this.participant, request);
    },
    'chat-send': ({ text, to }) => void this.room.postChat(this.participant, text, to),
    'set-hand-raised': ({ raised }) => this.room.setHandRaised(this.participant, raised),
    'set-display-name': ({ displayName }) => this.participant.setDisplayName(displayName || this.participant.displayName),
    leave: () => {
      this.leave('left');
      this.channel.close();
    },
    'client-report': ({ code, detail }) => {
      this.log.warn({ code, detail }, 'client reported a problem');
      this.observer.clientReport(code);
    },
  };

  leave(reason: 'left' | 'disconnected'): void {
    if (this.#left) return;
    this.#left = true;
    this.log.info({ reason }, 'participant left');
    this.participant.close(reason);
    this.dispose();
  }

  setConnectionInterrupted(interrupted: boolean): void {
    if (this.#left) return;
    this.log.info({ interrupted }, interrupted ? 'connection interrupted: held for resume' : 'connection back');
    this.participant.setConnectionInterrupted(interrupted);
  }

  private dispose(): void {
    this.#left = true;
    for (const off of [...this.#offs.splice(0), ...this.#peerOffs.splice(0)]) off();
  }
}
