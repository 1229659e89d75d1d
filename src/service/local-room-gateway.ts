/**
 * Rooms hosted in this process: places a joining participant in its room
 * (through the lobby when it is on), attaches its media peer and sends the
 * welcome and the room's current state.
 */
import { mustWaitInLobby } from '../conference/permissions.js';
import type { Participant } from '../conference/participant.js';
import type { Room } from '../conference/room.js';
import { LocalRoomRegistry, type RegistryEvents } from '../conference/room-registry.js';
import { PROTOCOL_VERSION } from '../protocol/messages.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../util/log.js';
import { mayAutoOwn, type Admission } from './auth/admission.js';
import { waitInLobby } from './lobby-gate.js';
import { LocalParticipantLink } from './participant-link.js';
import { sendSnapshot } from './room-feed.js';
import type { JoinRequest, RoomGateway } from './room-gateway.js';
import type { ErrorCode } from '../protocol/errors.js';
import { RoomMedia, type RoomPlacement } from './room-media.js';
import type { ServiceObserver } from './observer.js';
import type { SignalingChannel } from './signaling-channel.js';
import { turnIceServer, type IceServer } from './turn-credentials.js';

/**
 * The settings rooms follow, as the configuration has them (each documented
 * in src/config/schema.ts): a new one is added to this list, not redeclared.
 */
export type RoomSettings = Pick<Config, 'maxParticipantsPerRoom' | 'iceServers' | 'turn' | 'autoOwner' | 'lobbyByDefault'>;

/**
 * What a room had before it started here, and who a returning participant
 * was in it: cluster mode keeps the class's state in Redis so that a class
 * whose server died continues on the next one as it was
 * (src/service/cluster/room-state-keeper.ts). Without it rooms start empty.
 */
export interface RoomMemory {
  /** A room starts here: put back what it had. */
  started(room: Room): void;
  /** The place a returning participant had in the room (proven by its secret), if it is known. */
  returning(room: Room, request: JoinRequest): ReturningParticipant | undefined;
  /** A participant is placed (with the request that brought it, for its secret). */
  joined(room: Room, participant: Participant, request: JoinRequest, channel: SignalingChannel): void;
  /**
   * Throws `rejoin_ticket_revoked` for a rejoin ticket issued before a
   * moderator removed its identity or ended the class: tickets live on the
   * replica that issued them, the removal happened on the host.
   */
  refuseRevoked(room: Room, request: JoinRequest): void;
  /**
   * A moderator of the class has not come back yet since it moved here:
   * auto-owner waits for them, as it does while a moderator's dropped
   * connection is held for a resume on one server.
   */
  awaitsModerator(room: Room): boolean;
}

export interface ReturningParticipant {
  readonly id: string;
  readonly displayName: string;
  readonly role: 'moderator' | 'participant';
  readonly audioLocked: boolean;
  readonly videoLocked: boolean;
  readonly handRaisedAt: number | null;
}

export interface LocalGatewayOptions extends RoomSettings {
  /** Media routers for the rooms here, on the least loaded media workers (media-placement.ts). */
  readonly placement: RoomPlacement;
  /** Participants of one room on one media worker before the room spans another (MEDIA_PARTICIPANTS_PER_WORKER). */
  readonly participantsPerWorker: number;
  /** Whose video a participant receives until its page says (CHANNEL_LAST_N; -1: everyone's). */
  readonly channelLastN: number;

  /** Told about client reports (metrics). */
  readonly observer?: ServiceObserver;
  readonly serverVersion: string;
}

/** How full the server is: for readiness, metrics and the drain. */
export interface Occupancy {
  readonly rooms: number;
  readonly participants: number;
}

export class LocalRoomGateway implements RoomGateway {
  /** The rooms themselves: the gateway's to manage (tests inspect them); the server uses the methods below. */
  readonly registry: LocalRoomRegistry;
  readonly media = new Map<string, RoomMedia>();
  /** Each participant's signaling channel, to tell them to go when their room moves away (evict). */
  readonly #channels = new Map<string, SignalingChannel>();
  #memory: RoomMemory | undefined;

  constructor(
    private readonly options: LocalGatewayOptions,
    private readonly log: Logger,
  ) {
    this.registry = new LocalRoomRegistry({ maxParticipants: options.maxParticipantsPerRoom, lobbyByDefault: options.lobbyByDefault });
    this.registry.on('roomCreated', (room) => {
      this.media.set(room.key, new RoomMedia(room, options.placement, log, options.participantsPerWorker, options.channelLastN));
      this.#memory?.started(room);
      log.info({ room: room.key }, 'room started');
    });
    this.registry.on('roomClosed', (room) => {
      this.media.delete(room.key);
      log.info({ room: room.key, durationS: Math.round((Date.now() - room.createdAt) / 1000) }, 'room finished');
    });
  }

  async join(request: JoinRequest, channel: SignalingChannel): Promise<LocalParticipantLink> {
    const { address, hello, admission } = request;
    let room = this.registry.getOrCreate(address);
    // Someone a moderator removed and blocked does not even knock, nor come back to a place the
    // class kept for them.
    room.refuseBlocked(admission.identityKey);
    this.#memory?.refuseRevoked(room, request);
    // Someone who was in this class before it moved here comes back to their place: no lobby, no lock.
    const back = this.#memory?.returning(room, request);
    let admitted = back !== undefined;
    // Moderators skip the lobby; everyone else waits there while it is on. If the room closes
    // meanwhile (everyone left), the knock starts again in the room the address has now.
    while (!admitted && mustWaitInLobby(room.lobby.enabled, this.roleIn(room, admission))) {
      const name = hello.displayName || admission.displayName || 'Guest';
      admitted = (await waitInLobby(room, name, admission.identityKey, channel, request.signal, this.log)) === 'admitted';
      if (!admitted) room = this.registry.getOrCreate(address);
    }
    const media = this.media.get(room.key);
    if (!media) throw new Error(`room ${room.key} has no media router`);
    // A returning participant keeps the role it had (a token's moderator claim still counts).
    const role = back ? (admission.moderator ? 'moderator' : back.role) : this.roleIn(room, admission);
    const participant = room.join(
      {
        displayName: hello.displayName || back?.displayName || admission.displayName || `Guest ${room.participants.size + 1}`,
        role,
        audioMuted: hello.audioMuted,
        videoMuted: hello.videoMuted,
        user: admission.user,
        features: admission.features,
        identityKey: admission.identityKey,
        ...(back ? { audioLocked: back.audioLocked, videoLocked: back.videoLocked } : {}),
      },
      // A locked room still lets in moderators (a token's claim: the teacher reconnecting; or auto-owner
      // while nobody moderates, for those it may promote) and whoever a moderator admitted. Anyone else
      // is refused, moderator or not in the room: a room whose last moderator left keeps its lock.
      { bypassLock: role === 'moderator' || admitted, id: back?.id },
    );
    if (back?.handRaisedAt != null) room.restoreHand(participant, back.handRaisedAt);
    const log = (request.logBudget?.wrap(this.log) ?? this.log).child({ room: room.key, participant: participant.id });
    this.#channels.set(participant.id, channel);
    participant.once('closed', () => this.#channels.delete(participant.id));
    // The link is made with the peer; a move to another worker (its worker died) hands it the next one.
    let link: LocalParticipantLink | undefined;
    const peer = media.attach(participant, hello.receiveCodecs, {
      moved: (next) => link?.movePeer(next),
      videoLayers: (trackId, active) => channel.send({ type: 'video-layers', trackId, active }),
    });
    link = new LocalParticipantLink(room, participant, peer, channel, log, this.options.observer, (receive) => media.setReceiveVideo(participant.id, receive));
    channel.send({
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      participantId: participant.id,
      room: address.room,
      tenant: address.tenant,
      self: participant.info(),
      participants: room.others(participant.id).map((p) => p.info()),
      iceServers: this.iceServersFor(participant.id),
      serverVersion: this.options.serverVersion,
      rejoinTicket: request.rejoinTicket,
      resumeSecret: request.resumeSecret,
    });
    sendSnapshot(room, participant, channel);
    this.#memory?.joined(room, participant, request, channel);
    log.info(
      {
        from: request.remoteAddress,
        displayName: participant.displayName,
        role,
        admission: admission.kind,
        ...(admitted ? { lobby: 'admitted' } : {}),
        ...(admission.kind === 'token' ? { userId: admission.user?.id, iss: admission.issuer, moderatorClaim: admission.moderator } : {}),
        size: room.participants.size,
      },
      'participant joined',
    );
    return link;
  }

  /**
   * A token's moderator claim makes a moderator. Otherwise Jitsi's auto-owner: while nobody in
   * the room moderates (so always for the first one in), the one who joins does, unless their
   * token says they are not a moderator or they came without one as a guest while tokens are
   * required (mayAutoOwn). Those join as participants, or wait in the lobby until a moderator
   * comes: the table in docs/tokens.md.
   */
  private roleIn(room: Room, admission: Admission): 'moderator' | 'participant' {
    if (admission.moderator) return 'moderator';
    return this.options.autoOwner && mayAutoOwn(admission) && !room.hasModerator && !this.#memory?.awaitsModerator(room) ? 'moderator' : 'participant';
  }

  private iceServersFor(participantId: string): IceServer[] {
    const servers = [...this.options.iceServers];
    if (this.options.turn) servers.push(turnIceServer(this.options.turn, participantId));
    return servers;
  }

  /** Cluster mode: rooms starting here get back what they had on their previous server. */
  remember(memory: RoomMemory): void {
    this.#memory = memory;
  }

  /** Published tracks in all rooms, by kind (metrics). */
  publishedTrackCounts(): { audio: number; video: number } {
    const counts = { audio: 0, video: 0 };
    for (const room of this.registry.rooms.values()) {
      for (const p of room.participants.values()) for (const t of p.tracks.values()) counts[t.kind]++;
    }
    return counts;
  }

  /** Tracks forwarded to subscribers in all rooms (metrics): one per subscriber per track it can decode. */
  forwardedTrackCount(): number {
    let n = 0;
    for (const media of this.media.values()) for (const router of media.routers) for (const peer of router.peers.values()) n += peer.consumed.size;
    return n;
  }

  participantCount(): number {
    return this.registry.participantCount();
  }

  occupancy(): Occupancy {
    return { rooms: this.registry.size, participants: this.registry.participantCount() };
  }

  /** Rooms in progress by key, for the REST API's live view. */
  get rooms(): ReadonlyMap<string, Room> {
    return this.registry.rooms;
  }

  /** Rooms starting and finishing, for the attendance webhooks. */
  on<K extends keyof RegistryEvents & string>(event: K, listener: (...args: RegistryEvents[K]) => void): () => void {
    return this.registry.on(event, listener);
  }

  /**
   * The room is not this process's any more (cluster mode: its lease went
   * to another node): everyone in it is told `code` (a retryable one, so
   * their pages reconnect and find the room's host), then it closes.
   */
  evict(roomKey: string, code: ErrorCode, message: string): void {
    const room = this.registry.get(roomKey);
    if (!room) return;
    for (const p of room.participants.values()) this.#channels.get(p.id)?.close(code, message);
    this.registry.moveAway(roomKey);
  }

  close(): void {
    this.registry.close();
  }
}
