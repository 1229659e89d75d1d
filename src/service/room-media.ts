/**
 * Binds one conference Room to its media router in a media worker: every
 * participant gets a media peer, every producer becomes a published track in
 * the domain and is consumed by everyone else, mute pauses forwarding,
 * leaving closes the peer. This is the one place where "who receives what"
 * is decided.
 *
 * When the room's worker dies (issue 14), the room moves: a new router on a
 * healthy worker, a new peer for everyone, and each participant's link is
 * handed its new peer (it tells the page to rebuild its connections). The
 * class itself (who is in it, chat, hands, lock) never noticed: it lives on
 * the main thread.
 */
import type { Participant } from '../conference/participant.js';
import type { Room } from '../conference/room.js';
import { receivableVideoCodecs } from '../media/codecs.js';
import type { RemotePeer, RemoteProducer, RemoteRouter } from '../media/worker/remote-router.js';
import type { Logger } from '../util/log.js';

/** Makes a router for a room on the least loaded worker (media-placement.ts). */
export type PlaceRoom = (roomKey: string) => RemoteRouter;

interface Attached {
  readonly participant: Participant;
  readonly receiveCodecs: readonly string[] | undefined;
  /** Hands the participant's link its new peer after a move. */
  readonly moved: (peer: RemotePeer) => void;
}

export class RoomMedia {
  #router: RemoteRouter;
  readonly #attached = new Map<string, Attached>();
  /** Times this room moved to another worker because its worker died. */
  moves = 0;

  constructor(
    readonly room: Room,
    private readonly place: PlaceRoom,
    private readonly log: Logger,
  ) {
    this.#router = this.open();
    room.on('participantLeft', (participant) => {
      this.#attached.delete(participant.id);
      void this.#router.closePeer(participant.id);
    });
    room.on('trackUpdated', (_participant, track) => this.#router.producers.get(track.id)?.setPaused(track.muted));
    room.on('trackUnpublished', (_participant, track) => this.#router.producers.get(track.id)?.close());
    room.once('closed', () => {
      this.#attached.clear();
      void this.#router.close();
    });
  }

  get router(): RemoteRouter {
    return this.#router;
  }

  /**
   * Creates the participant's media peer and starts sending it everything
   * already published. `receiveCodecs`: the video codecs its browser decodes
   * (hello.receiveCodecs); a camera it cannot decode is announced to it as
   * unavailable instead of offered (codecs.ts has the room's codec policy).
   * `moved` is called with its new peer if the room moves to another worker.
   */
  attach(participant: Participant, receiveCodecs: readonly string[] | undefined, moved: (peer: RemotePeer) => void): RemotePeer {
    this.#attached.set(participant.id, { participant, receiveCodecs, moved });
    return this.createPeer(participant, receiveCodecs);
  }

  private createPeer(participant: Participant, receiveCodecs: readonly string[] | undefined): RemotePeer {
    const peer = this.#router.createPeer(participant.id, receivableVideoCodecs(receiveCodecs));
    for (const producer of this.#router.producers.values()) peer.consume(producer);
    return peer;
  }

  private open(): RemoteRouter {
    const router = this.place(this.room.key);
    router.on('producerAdded', (producer) => this.onProducer(producer));
    router.on('workerLost', (reason) => this.move(reason));
    return router;
  }

  /** The worker died: its producers are closed already (their tracks unpublished); start again elsewhere. */
  private move(reason: string): void {
    if (this.room.closed) return;
    this.moves++;
    this.#router = this.open();
    this.log.warn(
      { room: this.room.key, reason, worker: this.#router.worker.index, participants: this.#attached.size },
      'media worker lost: room moved to another worker, pages rebuild their connections',
    );
    for (const { participant, receiveCodecs, moved } of this.#attached.values()) {
      if (!participant.closed) moved(this.createPeer(participant, receiveCodecs));
    }
  }

  private onProducer(producer: RemoteProducer): void {
    const participant = this.room.participants.get(producer.ownerId);
    if (!participant || participant.closed) {
      producer.close();
      return;
    }
    const track = participant.publishTrack(producer.id, producer.kind, producer.source);
    producer.setPaused(track.muted);
    producer.once('closed', () => participant.unpublishTrack(producer.id));
    for (const peer of this.#router.peers.values()) peer.consume(producer);
    this.log.info(
      { room: this.room.key, participant: participant.id, track: producer.id, kind: producer.kind, codec: producer.mimeType, worker: this.#router.worker.index },
      'track published',
    );
  }
}
