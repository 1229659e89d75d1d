/**
 * Binds one conference Room to its media routers in the media workers:
 * every participant gets a media peer, every producer becomes a published
 * track in the domain and is consumed by everyone else, mute pauses
 * forwarding, leaving closes the peer. This is the one place where "who
 * receives what" is decided.
 *
 * A room starts on one worker. A class bigger than what one worker should
 * carry (MEDIA_PARTICIPANTS_PER_WORKER, default 16) spans several (issue 14): its next
 * participants go to a router on another worker, and each producer is piped
 * once to each other worker of the room (mediasoup's pipeToRouter: plain RTP
 * between the workers; src/media/pipe/), where that worker's subscribers
 * consume it like a local one.
 *
 * Simulcast (issue 16): each subscriber gets, of each camera it receives,
 * the layer its tile's height calls for (simulcast-layers.ts; the worker's
 * Consumer switches on a keyframe), and each publisher is told which layers
 * of its camera anybody gets at all (`video-layers`, dynacast): the rest
 * are paused at its encoder.
 *
 * When a worker of the room dies, the participants it carried move to
 * another of the room's routers (or a new one) and their links are handed
 * their new peers (the page rebuilds its connections). The class itself
 * (who is in it, chat, hands, lock) never noticed: it lives on the main
 * thread.
 */
import { DominantSpeaker, SAMPLE_MS } from '../conference/dominant-speaker.js';
import type { Participant } from '../conference/participant.js';
import type { Room } from '../conference/room.js';
import { forwardedVideo } from './last-n.js';
import { activeLayers, layerForHeight, wantedHeight } from './simulcast-layers.js';
import { fitToBandwidth, SubscriberBandwidth, type AllocatedStream } from './subscriber-bandwidth.js';
import { CAMERA_SIMULCAST_LAYERS } from '../protocol/messages.js';
import { receivableVideoCodecs } from '../media/codecs.js';
import type { RemotePeer, RemoteProducer, RemoteRouter } from '../media/worker/remote-router.js';
import type { Logger } from '../util/log.js';

/** Where a room's routers come from (media-placement.ts). */
export interface RoomPlacement {
  /** A router on the least loaded worker (throws when there is none at all). */
  createRouter(roomKey: string): RemoteRouter;
  /** A router on the least loaded running worker whose index is not in `avoid`; undefined when there is none. */
  createRouterAvoiding(roomKey: string, avoid: ReadonlySet<number>): RemoteRouter | undefined;
}

/** What a subscriber asked to receive (protocol `receive-video`). */
export interface ReceiveVideo {
  /** -1: everyone's video. */
  readonly lastN: number;
  readonly onStage: readonly string[];
  /** Device pixels of the tiles showing everyone's camera; undefined: no limit. */
  readonly maxHeight?: number | undefined;
  /** Per participant (their camera), overriding `maxHeight` and the stage. */
  readonly constraints?: Readonly<Record<string, { readonly maxHeight: number }>> | undefined;
}

/** How RoomMedia reaches a participant's link. */
export interface AttachHooks {
  /** Hands the participant's link its new peer after a move to another worker. */
  readonly moved: (peer: RemotePeer) => void;
  /** Dynacast: the layers (rids) of its camera `trackId` that anybody receives now (protocol `video-layers`). */
  readonly videoLayers: (trackId: string, active: string[]) => void;
}

interface Attached {
  readonly participant: Participant;
  readonly receiveCodecs: readonly string[] | undefined;
  /** Hands the participant's link its new peer after a move. */
  readonly moved: (peer: RemotePeer) => void;
  readonly videoLayers: AttachHooks['videoLayers'];
  /** The router its peer is on. */
  router: RemoteRouter;
  receive: ReceiveVideo;
  /** Its downlink's congestion state, from its REMB (subscriber-bandwidth.ts). */
  readonly bandwidth: SubscriberBandwidth;
}

/** How long a simulcast layer nobody gets any more stays on at its publisher (dynacast) before it is paused. */
const DYNACAST_PAUSE_DELAY_MS = 3000;
/** Layer sizes and bitrates arriving together are taken in one pass per subscriber. */
const RESELECT_DELAY_MS = 100;

/** What a layer of unknown rid and no measurement is taken to cost (bit/s): a camera without simulcast. */
const UNMEASURED_BITRATE = 500_000;

export class RoomMedia {
  /** The room's routers, one per worker it is on; the first is where it started. */
  readonly #routers: RemoteRouter[] = [];
  readonly #attached = new Map<string, Attached>();
  readonly #speaker = new DominantSpeaker();
  /** Each router's latest loudness report (its own publishers), replaced by the next: nobody stays loud after they stop. */
  readonly #loudness = new Map<RemoteRouter, ReadonlyMap<string, number>>();
  /** Samples the room's loudness for the dominant speaker, on the main thread's clock (SAMPLE_MS). */
  readonly #sampling: NodeJS.Timeout;
  /** Per simulcast camera (producer id): the layer each subscriber (participant id) gets. */
  readonly #chosenLayers = new Map<string, Map<string, number>>();
  /** Per simulcast camera: the rids last told to its publisher (`video-layers`), to tell only changes. */
  readonly #toldLayers = new Map<string, string>();
  /** Per simulcast camera: a pause of some of its layers, waiting DYNACAST_PAUSE_DELAY_MS in case they are wanted again. */
  readonly #dynacastTimers = new Map<string, NodeJS.Timeout>();
  /** Subscribers whose layers to choose again, at most once per RESELECT_DELAY_MS (layer sizes arrive in bursts at join). */
  readonly #reselect = new Set<Attached>();
  #reselectTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly room: Room,
    private readonly placement: RoomPlacement,
    private readonly log: Logger,
    /** Participants one router takes before the room's next ones go to another worker (MEDIA_PARTICIPANTS_PER_WORKER). */
    private readonly participantsPerWorker: number = Infinity,
    /** Whose video a subscriber gets until it says (CHANNEL_LAST_N; -1: everyone's). */
    private readonly defaultLastN: number = -1,
  ) {
    this.adopt(placement.createRouter(room.key));
    this.#sampling = setInterval(() => {
      this.sampleSpeaker();
      this.liftBandwidthCaps(Date.now());
    }, SAMPLE_MS);
    this.#sampling.unref();
    room.on('participantLeft', (participant) => {
      const attached = this.#attached.get(participant.id);
      this.#attached.delete(participant.id);
      this.#speaker.forget(participant.id);
      for (const [producerId, chosen] of this.#chosenLayers) if (chosen.delete(participant.id)) this.updateDynacast(producerId);
      if (attached) {
        void attached.router.closePeer(participant.id);
        this.closeIfUnused(attached.router);
      }
      // A slot in everyone's last-N may be free now.
      this.selectAll();
    });
    room.on('trackUpdated', (_participant, track) => {
      for (const router of this.#routers) router.producers.get(track.id)?.setPaused(track.muted);
    });
    room.on('trackUnpublished', (_participant, track) => {
      for (const router of [...this.#routers]) router.producers.get(track.id)?.close();
      // A screen share that ended frees its priority.
      if (track.source === 'screen') this.selectAll();
    });
    room.once('closed', () => {
      clearInterval(this.#sampling);
      clearTimeout(this.#reselectTimer);
      for (const timer of this.#dynacastTimers.values()) clearTimeout(timer);
      this.#dynacastTimers.clear();
      this.#reselect.clear();
      this.#attached.clear();
      this.#chosenLayers.clear();
      this.#loudness.clear();
      for (const router of this.#routers.splice(0)) void router.close();
    });
  }

  /** The router the room started on (or, after its worker died, the oldest it has). */
  get router(): RemoteRouter {
    return this.#routers[0]!;
  }

  get routers(): readonly RemoteRouter[] {
    return this.#routers;
  }

  /**
   * Creates the participant's media peer and starts sending it everything
   * already published. `receiveCodecs`: the video codecs its browser decodes
   * (hello.receiveCodecs); a camera it cannot decode is announced to it as
   * unavailable instead of offered (codecs.ts has the room's codec policy).
   * `moved` is called with its new peer if it moves to another worker.
   */
  attach(participant: Participant, receiveCodecs: readonly string[] | undefined, hooks: AttachHooks): RemotePeer {
    const router = this.routerForNewcomer();
    const receive: ReceiveVideo = { lastN: this.defaultLastN, onStage: [] };
    const bandwidth = new SubscriberBandwidth();
    const attached: Attached = { participant, receiveCodecs, moved: hooks.moved, videoLayers: hooks.videoLayers, router, receive, bandwidth };
    this.#attached.set(participant.id, attached);
    return this.createPeer(attached);
  }

  /** The subscriber says whose video it wants, and how large (protocol `receive-video`; no `lastN`: the server's default). */
  setReceiveVideo(participantId: string, receive: Omit<ReceiveVideo, 'lastN'> & { readonly lastN?: number | undefined }): void {
    const attached = this.#attached.get(participantId);
    if (!attached) return;
    attached.receive = { ...receive, lastN: receive.lastN ?? this.defaultLastN };
    this.select(attached);
  }

  private createPeer(attached: Attached): RemotePeer {
    const peer = attached.router.createPeer(attached.participant.id, receivableVideoCodecs(attached.receiveCodecs));
    peer.on('receiveBandwidth', (estimate, received) => this.onBandwidth(attached, estimate, received));
    this.select(attached);
    return peer;
  }

  /** Consumes what the subscriber's last-N picks on its router, each camera at the layer its tile calls for, and stops the rest. */
  private select(attached: Attached): void {
    const self = attached.participant.id;
    const peer = attached.router.peers.get(self);
    if (!peer || attached.participant.closed) return;
    const screenSharers: string[] = [];
    for (const p of this.room.participants.values()) for (const t of p.tracks.values()) if (t.source === 'screen') screenSharers.push(p.id);
    // Cameras the page shows nowhere (a tile on another grid page: maxHeight 0) take no last-N slot.
    const shown = (id: string): boolean => attached.receive.constraints?.[id]?.maxHeight !== 0;
    const video = forwardedVideo({
      self,
      lastN: attached.receive.lastN,
      onStage: attached.receive.onStage,
      screenSharers,
      recentSpeakers: this.#speaker.recentSpeakers.filter(shown),
      participants: [...this.room.participants.keys()].filter(shown),
    });
    const priority = [...video];
    const wanted: { producer: RemoteProducer; stream: AllocatedStream; simulcast: boolean }[] = [];
    for (const producer of attached.router.producers.values()) {
      if (producer.kind === 'audio') {
        peer.consume(producer);
        continue;
      }
      const camera = producer.source === 'camera';
      const height = camera ? wantedHeight(attached.receive, producer.ownerId) : undefined;
      if (!video.has(producer.ownerId) || height === 0) {
        peer.unconsume(producer.id);
        this.chooseLayer(producer, self, undefined);
        continue;
      }
      // A piped copy has the original's layers; its worker reads no keyframe sizes of its own.
      const layers = (producer.pipedFrom?.source ?? producer).layers;
      const seen = layers.some((l) => l.height > 0);
      // Unmeasured (paused, or not yet): the page's maxBitrate for that rid.
      const bitrates = layers.map((l) => (seen && l.height === 0 ? undefined : l.bitrate || (CAMERA_SIMULCAST_LAYERS.find((c) => c.rid === l.rid)?.maxBitrate ?? UNMEASURED_BITRATE)));
      wanted.push({ producer, stream: { bitrates, layer: layerForHeight(layers, height) }, simulcast: layers.length > 1 });
    }
    // A congested subscriber (subscriber-bandwidth.ts): its lowest-priority cameras step down first.
    const cap = attached.bandwidth.cap;
    if (cap !== undefined) {
      wanted.sort((a, b) => priority.indexOf(a.producer.ownerId) - priority.indexOf(b.producer.ownerId));
      fitToBandwidth(
        wanted.map((w) => w.stream),
        cap,
      );
    }
    for (const { producer, stream, simulcast } of wanted) {
      const layer = simulcast ? stream.layer : undefined;
      peer.consume(producer, layer);
      this.chooseLayer(producer, self, peer.consumed.has(producer.id) ? layer : undefined);
    }
  }

  /** The subscriber's estimate (REMB) moved: a congested downlink gets lower layers until its hold is over. */
  private onBandwidth(attached: Attached, estimate: number, received: number): void {
    if (attached.bandwidth.onEstimate(estimate, received, Date.now())) {
      this.log.info({ room: this.room.key, participant: attached.participant.id, estimate, received, cap: attached.bandwidth.cap }, 'subscriber downlink congested: lower layers');
      this.select(attached);
    }
  }

  /** Holds that are over: those subscribers try their wanted layers again. */
  private liftBandwidthCaps(now: number): void {
    for (const attached of this.#attached.values()) if (attached.bandwidth.tick(now)) this.select(attached);
  }

  /** Records the layer a subscriber gets of a simulcast camera (undefined: none), and tells the publisher when its needed layers change. */
  private chooseLayer(producer: RemoteProducer, subscriberId: string, layer: number | undefined): void {
    if (producer.layers.length < 2) return;
    let chosen = this.#chosenLayers.get(producer.id);
    if (layer === undefined) {
      if (chosen?.delete(subscriberId)) this.updateDynacast(producer.id);
      return;
    }
    if (!chosen) this.#chosenLayers.set(producer.id, (chosen = new Map()));
    if (chosen.get(subscriberId) === layer) return;
    chosen.set(subscriberId, layer);
    this.updateDynacast(producer.id);
  }

  /** Dynacast: the publisher of a simulcast camera sends only the layers somebody gets (and always the lowest). */
  private updateDynacast(producerId: string): void {
    const original = this.originalProducer(producerId);
    if (!original || original.layers.length < 2) return;
    const publisher = this.#attached.get(original.ownerId);
    if (!publisher) return;
    const active = this.wantedRids(original);
    const key = active.join(',');
    const told = this.#toldLayers.get(producerId);
    if (told === key) {
      clearTimeout(this.#dynacastTimers.get(producerId));
      this.#dynacastTimers.delete(producerId);
      return;
    }
    // Layers wanted again resume at once; layers no longer wanted pause only after a while: a subscriber
    // stepping down keeps its old layer until the new one's keyframe, and a page flipping its tiles must
    // not make publishers reconfigure their encoders every second (LiveKit waits likewise).
    const pausing = told !== undefined && told.split(',').some((rid) => !active.includes(rid));
    if (pausing) {
      if (!this.#dynacastTimers.has(producerId)) {
        const timer = setTimeout(() => {
          this.#dynacastTimers.delete(producerId);
          this.tellLayers(producerId);
        }, DYNACAST_PAUSE_DELAY_MS);
        timer.unref();
        this.#dynacastTimers.set(producerId, timer);
      }
      // Resume what is newly wanted now, keep the rest on until the timer.
      const resume = [...new Set([...told.split(','), ...active])];
      const sorted = original.layers.map((l) => l.rid).filter((rid) => resume.includes(rid));
      if (sorted.join(',') !== told) {
        this.#toldLayers.set(producerId, sorted.join(','));
        publisher.videoLayers(producerId, sorted);
      }
      return;
    }
    this.#toldLayers.set(producerId, key);
    publisher.videoLayers(producerId, active);
  }

  /** The rids of a simulcast camera that anybody gets now, and those dynacast keeps on anyway (activeLayers). */
  private wantedRids(original: RemoteProducer): string[] {
    return activeLayers(original.layers, this.#chosenLayers.get(original.id)?.values() ?? []).map((i) => original.layers[i]!.rid);
  }

  /** The pause delay is over: tell the publisher what is wanted now. */
  private tellLayers(producerId: string): void {
    const original = this.originalProducer(producerId);
    const publisher = original && this.#attached.get(original.ownerId);
    if (!original || !publisher) return;
    const active = this.wantedRids(original);
    if (this.#toldLayers.get(producerId) === active.join(',')) return;
    this.#toldLayers.set(producerId, active.join(','));
    publisher.videoLayers(producerId, active);
  }

  /** Chooses the subscriber's layers again soon, with whatever else asks meanwhile (one pass per RESELECT_DELAY_MS). */
  private reselectSoon(attached: Iterable<Attached>): void {
    for (const a of attached) this.#reselect.add(a);
    if (this.#reselectTimer || this.#reselect.size === 0) return;
    this.#reselectTimer = setTimeout(() => {
      this.#reselectTimer = undefined;
      const due = [...this.#reselect];
      this.#reselect.clear();
      for (const a of due) if (this.#attached.get(a.participant.id) === a) this.select(a);
    }, RESELECT_DELAY_MS);
    this.#reselectTimer.unref();
  }

  /** The producer as its publisher's worker has it (not a piped copy). */
  private originalProducer(producerId: string): RemoteProducer | undefined {
    for (const router of this.#routers) {
      const producer = router.producers.get(producerId);
      if (producer && !producer.pipedFrom) return producer;
    }
    return undefined;
  }

  private selectAll(): void {
    for (const attached of this.#attached.values()) this.select(attached);
  }

  /** The room's loudness now (every router's latest report): the floor may change hands. */
  private sampleSpeaker(): void {
    if (this.#loudness.size === 0) return;
    const all = new Map<string, number>();
    for (const levels of this.#loudness.values()) for (const [id, loudness] of levels) all.set(id, loudness);
    const changed = this.#speaker.sample(all);
    if (changed === undefined) return;
    this.room.setDominantSpeaker(changed);
    // Whose video each subscriber's last-N picks follows the speakers.
    this.selectAll();
  }

  /**
   * The router with the fewest participants, while it has room; else a
   * router on another worker (the room spans it from now on); else, every
   * worker taken, the one with the fewest.
   */
  private routerForNewcomer(): RemoteRouter {
    let fewest: RemoteRouter | undefined;
    for (const router of this.#routers) if (!fewest || router.peers.size < fewest.peers.size) fewest = router;
    if (fewest && fewest.peers.size < this.participantsPerWorker) return fewest;
    // Pipes need both workers up (their pipe ports known): a room on a worker still starting waits there.
    if (fewest && this.#routers.every((r) => r.worker.running)) {
      const extra = this.placement.createRouterAvoiding(this.room.key, new Set(this.#routers.map((r) => r.worker.index)));
      if (extra) {
        this.adopt(extra);
        this.log.info({ room: this.room.key, workers: this.#routers.map((r) => r.worker.index), participants: this.#attached.size }, 'room spans another media worker');
        return extra;
      }
    }
    return fewest ?? this.adopt(this.placement.createRouter(this.room.key));
  }

  /**
   * A router the room spread to, now without participants, is closed: its
   * piped copies go and their originals stop sending down the pipes (a class
   * that peaked past one worker and shrank stops paying for the split).
   * The room's last router stays while the room does.
   */
  private closeIfUnused(router: RemoteRouter): void {
    if (router.peers.size > 0 || this.#routers.length < 2) return;
    const index = this.#routers.indexOf(router);
    if (index < 0) return;
    this.#routers.splice(index, 1);
    void router.close();
    this.log.info({ room: this.room.key, worker: router.worker.index, workers: this.#routers.map((r) => r.worker.index) }, 'room left a media worker it no longer needs');
  }

  /** A new router of the room: it gets every producer of the room's other routers, piped. */
  private adopt(router: RemoteRouter): RemoteRouter {
    const others = [...this.#routers];
    this.#routers.push(router);
    router.on('producerAdded', (producer) => this.onProducer(router, producer));
    router.on('audioLevels', (levels) => this.#loudness.set(router, levels));
    router.once('closed', () => this.#loudness.delete(router));
    router.on('workerLost', (reason) => this.onRouterLost(router, reason));
    // A subscriber on this worker wants a keyframe of a piped producer: the publisher's worker asks the publisher.
    router.on('keyframeWanted', (piped, layer) => piped.pipedFrom?.source.requestKeyframe(layer));
    for (const other of others) {
      for (const producer of other.producers.values()) if (!producer.pipedFrom) this.pipe(producer, router);
    }
    return router;
  }

  /** `producer` (an original) forwarded to `router`'s subscribers too. */
  private pipe(producer: RemoteProducer, router: RemoteRouter): void {
    const participant = this.room.participants.get(producer.ownerId);
    const piped = router.pipeIn(producer);
    const muted = participant?.tracks.get(producer.id)?.muted;
    if (muted !== undefined) piped.setPaused(muted);
  }

  /** Participants on a dead worker move to the room's other routers (or a new one); its producers are gone already. */
  private onRouterLost(lost: RemoteRouter, reason: string): void {
    const index = this.#routers.indexOf(lost);
    if (index >= 0) this.#routers.splice(index, 1);
    if (this.room.closed) return;
    const moving = [...this.#attached.values()].filter((a) => a.router === lost && !a.participant.closed);
    for (const attached of moving) {
      attached.router = this.routerForNewcomer();
      attached.moved(this.createPeer(attached));
    }
    this.log.warn(
      { room: this.room.key, reason, moved: moving.length, workers: this.#routers.map((r) => r.worker.index) },
      'media worker lost: its participants moved to another worker, their pages rebuild their connections',
    );
  }

  private onProducer(router: RemoteRouter, producer: RemoteProducer): void {
    const participant = this.room.participants.get(producer.ownerId);
    if (!participant || participant.closed) {
      producer.close();
      return;
    }
    const track = participant.publishTrack(producer.id, producer.kind, producer.source);
    producer.setPaused(track.muted);
    producer.once('closed', () => {
      participant.unpublishTrack(producer.id);
      this.#chosenLayers.delete(producer.id);
      this.#toldLayers.delete(producer.id);
      clearTimeout(this.#dynacastTimers.get(producer.id));
      this.#dynacastTimers.delete(producer.id);
    });
    // Its layers' real sizes (first keyframes; an encoder scaling one down): every subscriber's layer may
    // change. Its bitrates: only congested subscribers' allocations depend on them. Coalesced: sizes
    // arrive for every layer of every camera within a second of a class starting.
    producer.on('layersChanged', (sizesChanged) => {
      this.reselectSoon([...this.#attached.values()].filter((a) => sizesChanged || a.bandwidth.cap !== undefined));
    });
    for (const other of this.#routers) if (other !== router) this.pipe(producer, other);
    // A new screen share changes priorities; a new camera may fill a free slot.
    this.selectAll();
    // Nobody may get some of its layers (nobody at all, in a room of one): pause them from the start.
    this.updateDynacast(producer.id);
    this.log.info(
      { room: this.room.key, participant: participant.id, track: producer.id, kind: producer.kind, codec: producer.mimeType, worker: router.worker.index },
      'track published',
    );
  }
}
