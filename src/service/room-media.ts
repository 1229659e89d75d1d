/**
 * Binds one conference Room to its MediaRouter: every participant gets a
 * MediaPeer, every producer becomes a published track in the domain and is
 * consumed by everyone else, mute pauses forwarding, leaving closes the peer.
 * This is the one place where "who receives what" is decided.
 */
import type { Participant } from '../conference/participant.js';
import type { Room } from '../conference/room.js';
import { MediaRouter } from '../media/media-router.js';
import type { MediaPeer } from '../media/media-peer.js';
import type { Producer } from '../media/producer.js';
import type { MediaTransport } from '../media/transport/media-transport.js';
import { receivableVideoCodecs } from '../media/codecs.js';
import type { Logger } from '../util/log.js';

export class RoomMedia {
  readonly router: MediaRouter;

  constructor(
    readonly room: Room,
    transport: MediaTransport,
    private readonly log: Logger,
  ) {
    this.router = new MediaRouter(room.key, transport);
    this.router.on('producerAdded', (producer) => this.onProducer(producer));
    room.on('participantLeft', (participant) => void this.router.closePeer(participant.id));
    room.on('trackUpdated', (_participant, track) => this.router.producers.get(track.id)?.setPaused(track.muted));
    room.on('trackUnpublished', (_participant, track) => this.router.producers.get(track.id)?.close());
    room.once('closed', () => void this.router.close());
  }

  /**
   * Creates the participant's media peer and starts sending it everything
   * already published. `receiveCodecs`: the video codecs its browser decodes
   * (hello.receiveCodecs); a camera it cannot decode is announced to it as
   * unavailable instead of offered (codecs.ts has the room's codec policy).
   */
  attach(participant: Participant, receiveCodecs?: readonly string[]): MediaPeer {
    const peer = this.router.createPeer(participant.id, receivableVideoCodecs(receiveCodecs));
    for (const producer of this.router.producers.values()) peer.consume(producer);
    return peer;
  }

  private onProducer(producer: Producer): void {
    const participant = this.room.participants.get(producer.ownerId);
    if (!participant || participant.closed) {
      producer.close();
      return;
    }
    const track = participant.publishTrack(producer.id, producer.kind, producer.source);
    producer.setPaused(track.muted);
    producer.once('closed', () => participant.unpublishTrack(producer.id));
    for (const peer of this.router.peers.values()) peer.consume(producer);
    this.log.info(
      { room: this.room.key, participant: participant.id, track: producer.id, kind: producer.kind, codec: producer.codec.mimeType },
      'track published',
    );
  }
}
