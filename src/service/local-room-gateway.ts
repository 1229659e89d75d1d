/**
 * Rooms hosted in this process: places a joining participant in its room,
 * attaches its media peer and sends the welcome.
 */
import type { PeerConfig } from 'werift';
import { LocalRoomRegistry } from '../conference/room-registry.js';
import { PROTOCOL_VERSION } from '../protocol/messages.js';
import type { Logger } from '../util/log.js';
import { LocalParticipantLink } from './participant-link.js';
import type { JoinRequest, ParticipantLink, RoomGateway } from './room-gateway.js';
import { RoomMedia } from './room-media.js';
import type { SignalingChannel } from './signaling-channel.js';

export interface LocalGatewayOptions {
  readonly maxParticipantsPerRoom: number;
  readonly peerConfig: Partial<PeerConfig>;
  readonly iceServers: readonly { urls: string | string[]; username?: string; credential?: string }[];
  readonly serverVersion: string;
}

export class LocalRoomGateway implements RoomGateway {
  readonly registry: LocalRoomRegistry;
  readonly media = new Map<string, RoomMedia>();

  constructor(
    private readonly options: LocalGatewayOptions,
    private readonly log: Logger,
  ) {
    this.registry = new LocalRoomRegistry({ maxParticipants: options.maxParticipantsPerRoom });
    this.registry.on('roomCreated', (room) => {
      this.media.set(room.key, new RoomMedia(room, options.peerConfig, log));
      log.info({ room: room.key }, 'room started');
    });
    this.registry.on('roomClosed', (room) => {
      this.media.delete(room.key);
      log.info({ room: room.key, durationS: Math.round((Date.now() - room.createdAt) / 1000) }, 'room finished');
    });
  }

  async join(request: JoinRequest, channel: SignalingChannel): Promise<ParticipantLink> {
    const { address, hello } = request;
    const room = this.registry.getOrCreate(address);
    const media = this.media.get(room.key);
    if (!media) throw new Error(`room ${room.key} has no media router`);
    // Without tokens there are no roles to read: like Jitsi's auto-owner, the first one in moderates.
    const role = room.participants.size === 0 ? 'moderator' : 'participant';
    const participant = room.join({
      displayName: hello.displayName || `Guest ${room.participants.size + 1}`,
      role,
      audioMuted: hello.audioMuted,
      videoMuted: hello.videoMuted,
    });
    const log = this.log.child({ room: room.key, participant: participant.id });
    const peer = media.attach(participant);
    const link = new LocalParticipantLink(room, participant, peer, channel, log);
    channel.send({
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      participantId: participant.id,
      room: address.room,
      tenant: address.tenant,
      self: participant.info(),
      participants: room.others(participant.id).map((p) => p.info()),
      iceServers: [...this.options.iceServers],
      serverVersion: this.options.serverVersion,
    });
    log.info({ from: request.remoteAddress, displayName: participant.displayName, role, size: room.participants.size }, 'participant joined');
    return link;
  }

  participantCount(): number {
    return this.registry.participantCount();
  }

  close(): void {
    this.registry.close();
  }
}
