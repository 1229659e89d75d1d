/**
 * A room's media as the main thread holds it: stand-ins for the MediaRouter,
 * MediaPeers and Producers that live in a media worker (issue 14). Calls
 * become messages (worker-protocol.ts); the worker's events come back as
 * the same typed events (media-api.ts).
 *
 * Two ways to end: `close()` (the room finished: the worker closes its side
 * too) and `workerLost` (the worker died: everything here is gone at once,
 * and the layer above places the room on another worker).
 */
import type { TrackSource } from '../../protocol/messages.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import type { LayerInfo, PeerEvents, ProducerInfo, RepairOutcome } from '../media-api.js';
import type { MediaWorker } from './media-worker.js';
import { randomInt } from 'node:crypto';
import type { PeerEventMessage, PipedProducer } from './worker-protocol.js';

export interface RemoteRouterEvents {
  /** A participant on this router published a track (not a piped one). */
  producerAdded: [RemoteProducer];
  /** A piped producer here needs a keyframe of a simulcast layer: ask the original (RemoteProducer.pipedFrom). */
  keyframeWanted: [RemoteProducer, number];
  /** Its publishers' loudness (owner id → 0..127), every 300 ms while any sends audio. */
  audioLevels: [ReadonlyMap<string, number>];
  /** Its worker died: every peer and producer is closed already; the reason says how it died. */
  workerLost: [reason: string];
  closed: [];
}

export class RemoteRouter extends TypedEmitter<RemoteRouterEvents> {
  readonly peers = new Map<string, RemotePeer>();
  readonly producers = new Map<string, RemoteProducer>();
  #closed = false;

  constructor(
    readonly id: string,
    readonly worker: MediaWorker,
  ) {
    super();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** `receiveVideoCodecs`: what the participant's browser decodes (lowercase mime types); undefined: everything we negotiate. */
  createPeer(ownerId: string, receiveVideoCodecs?: ReadonlySet<string>): RemotePeer {
    if (this.#closed) throw new Error(`media router ${this.id} is closed`);
    if (this.peers.has(ownerId)) throw new Error(`media peer ${ownerId} already exists`);
    const peer = new RemotePeer(ownerId, this, receiveVideoCodecs);
    this.peers.set(ownerId, peer);
    peer.once('closed', () => this.peers.delete(ownerId));
    this.worker.send({ type: 'createPeer', routerId: this.id, peerId: ownerId, receiveVideoCodecs: receiveVideoCodecs && [...receiveVideoCodecs] });
    return peer;
  }

  async closePeer(ownerId: string): Promise<void> {
    await this.peers.get(ownerId)?.close();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const done = this.worker.usable ? this.worker.request({ type: 'closeRouter', routerId: this.id }).catch(() => undefined) : undefined;
    this.end();
    await done;
  }

  /** The worker died (or is shutting down): everything here ends now, without asking it. */
  lose(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.end(reason);
  }

  /**
   * Forwards `source` (a producer of another router of the same room, on
   * another worker) to this router's subscribers: the source's worker sends
   * its packets down a pipe to this worker (src/media/pipe/), where a
   * producer of the same id serves them. Returns that producer's stand-in.
   */
  pipeIn(source: RemoteProducer): RemoteProducer {
    if (this.#closed) throw new Error(`media router ${this.id} is closed`);
    const existing = this.producers.get(source.id);
    if (existing) return existing;
    const from = source.router.worker;
    const fromPort = from.pipePort;
    const toPort = this.worker.pipePort;
    if (fromPort === undefined || toPort === undefined) throw new Error(`cannot pipe between workers ${from.index} and ${this.worker.index}: not both running`);
    const pipeId = randomInt(1, 2 ** 32 - 1);
    const piped = new RemoteProducer(source.description, this, { source, pipeId });
    this.producers.set(piped.id, piped);
    piped.once('closed', () => this.producers.delete(piped.id));
    // In this order on each worker's port: the far end exists before packets can arrive.
    this.worker.send({ type: 'createPipeProducer', routerId: this.id, producer: source.description, fromPort, pipeId });
    from.send({ type: 'pipeProducer', routerId: source.router.id, producerId: source.id, toPort, pipeId });
    return piped;
  }

  onAudioLevels(levels: readonly (readonly [string, number])[]): void {
    if (!this.#closed) this.emit('audioLevels', new Map(levels));
  }

  onKeyframeWanted(producerId: string, layer: number): void {
    const producer = this.producers.get(producerId);
    if (producer) this.emit('keyframeWanted', producer, layer);
  }

  onProducerLayers(producerId: string, layers: readonly LayerInfo[]): void {
    this.producers.get(producerId)?.onLayers(layers);
  }

  onProducerAdded(info: PipedProducer): void {
    if (this.#closed || this.producers.has(info.id)) return;
    const producer = new RemoteProducer(info, this);
    this.producers.set(info.id, producer);
    producer.once('closed', () => this.producers.delete(info.id));
    this.emit('producerAdded', producer);
  }

  onProducerClosed(producerId: string): void {
    this.producers.get(producerId)?.markClosed();
  }

  onPeerEvent(peerId: string, event: PeerEventMessage): void {
    this.peers.get(peerId)?.onWorkerEvent(event);
  }

  private end(lostReason?: string): void {
    for (const producer of [...this.producers.values()]) producer.markClosed();
    for (const peer of [...this.peers.values()]) peer.markClosed();
    if (lostReason !== undefined && lostReason !== 'closed') this.emit('workerLost', lostReason);
    this.emit('closed');
    this.removeAllListeners();
  }
}

/** A participant's media peer in the worker (media-peer.ts): its publish and subscribe peer connections. */
export class RemotePeer extends TypedEmitter<PeerEvents> {
  /** Producers it receives (ids): asked of the worker, and decodable by its browser. */
  readonly consumed = new Set<string>();
  /** The simulcast layer asked of the worker for each consumed producer, to tell it only changes. */
  readonly #layers = new Map<string, number>();
  /** Every producer asked of the worker, decodable or not (a refused one is not asked again), with how to stop following its close. */
  readonly #requested = new Map<string, () => void>();
  #closed = false;

  constructor(
    readonly ownerId: string,
    private readonly router: RemoteRouter,
    /** Video codecs its browser decodes (lowercase mime types); undefined: all. */
    private readonly receiveVideoCodecs?: ReadonlySet<string>,
  ) {
    super();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The browser's publish offer; resolves with our answer SDP. Rejects with the worker's reason (an offer werift refuses). */
  async handlePublishOffer(sdp: string, sources: Record<string, TrackSource>): Promise<string> {
    const { sdp: answer } = await this.router.worker.request({ type: 'publishOffer', routerId: this.router.id, peerId: this.ownerId, sdp, sources });
    return answer;
  }

  handleSubscribeAnswer(sdp: string): Promise<void> {
    return this.router.worker.request({ type: 'subscribeAnswer', routerId: this.router.id, peerId: this.ownerId, sdp });
  }

  /** The client says what it receives stopped: restart ICE on the subscribe connection if that can help (path-health.ts). */
  repairSubscribe(): Promise<RepairOutcome> {
    if (this.#closed) return Promise.resolve('no-subscribe-connection');
    return this.router.worker.request({ type: 'repairSubscribe', routerId: this.router.id, peerId: this.ownerId });
  }

  /**
   * Starts sending another participant's track to this peer (not its own);
   * `layer`: which simulcast layer (index, lowest 0; absent: the highest).
   * Consuming one already consumed only changes its layer.
   */
  consume(producer: RemoteProducer, layer?: number): void {
    if (this.#closed || producer.closed || producer.ownerId === this.ownerId) return;
    if (this.#requested.has(producer.id)) {
      if (layer !== undefined && this.#layers.get(producer.id) !== layer) {
        this.#layers.set(producer.id, layer);
        this.router.worker.send({ type: 'setPreferredLayer', routerId: this.router.id, peerId: this.ownerId, producerId: producer.id, layer });
      }
      return;
    }
    if (layer !== undefined) this.#layers.set(producer.id, layer);
    // One listener per asked producer, removed by unconsume: last-N asks for the same producers again and again.
    const onClosed = (): void => {
      this.#requested.delete(producer.id);
      this.consumed.delete(producer.id);
      this.#layers.delete(producer.id);
    };
    this.#requested.set(producer.id, () => producer.off('closed', onClosed));
    producer.once('closed', onClosed);
    // One it cannot decode is not forwarded: the worker tells the page so (trackUnavailable), once.
    if (producer.kind !== 'video' || !this.receiveVideoCodecs || this.receiveVideoCodecs.has(producer.mimeType.toLowerCase())) {
      this.consumed.add(producer.id);
    }
    this.router.worker.send({ type: 'consume', routerId: this.router.id, peerId: this.ownerId, producerId: producer.id, ...(layer === undefined ? {} : { layer }) });
  }

  unconsume(producerId: string): void {
    this.consumed.delete(producerId);
    this.#layers.delete(producerId);
    const stopFollowing = this.#requested.get(producerId);
    if (!stopFollowing) return;
    stopFollowing();
    this.#requested.delete(producerId);
    this.router.worker.send({ type: 'unconsume', routerId: this.router.id, peerId: this.ownerId, producerId });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const done = this.router.worker.usable
      ? this.router.worker.request({ type: 'closePeer', routerId: this.router.id, peerId: this.ownerId }).catch(() => undefined)
      : undefined;
    this.markClosed();
    await done;
  }

  onWorkerEvent(event: PeerEventMessage): void {
    if (this.#closed) return;
    if (event.name === 'closed') return this.markClosed();
    // The union's name and arguments belong together (worker-protocol.ts): re-emitted as they were emitted.
    (this.emit as (name: string, ...args: unknown[]) => void)(event.name, ...event.args);
  }

  markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Its listeners on producers that outlive it (a teacher's camera outlives many students).
    for (const stopFollowing of this.#requested.values()) stopFollowing();
    this.#requested.clear();
    this.consumed.clear();
    this.#layers.clear();
    this.emit('closed');
    this.removeAllListeners();
  }
}

/** A published track in the worker (producer.ts), or its copy piped into another worker's router. */
export class RemoteProducer extends TypedEmitter<{ layersChanged: [sizesChanged: boolean]; closed: [] }> implements ProducerInfo {
  readonly id: string;
  readonly ownerId: string;
  readonly kind: ProducerInfo['kind'];
  readonly source: TrackSource;
  readonly mimeType: string;
  /** Its simulcast layers, lowest first (one without simulcast); sizes as its worker last read them (0: not yet). */
  #layers: readonly LayerInfo[];
  #closed = false;

  constructor(
    /** With its codecs, for piping it to another worker. */
    readonly description: PipedProducer,
    readonly router: RemoteRouter,
    /** Set on a piped copy: the original and the pipe it comes down. */
    readonly pipedFrom?: { readonly source: RemoteProducer; readonly pipeId: number },
  ) {
    super();
    ({ id: this.id, ownerId: this.ownerId, kind: this.kind, source: this.source, mimeType: this.mimeType } = description);
    this.#layers = description.rids.map((rid) => ({ rid, width: 0, height: 0, bitrate: 0 }));
  }

  get layers(): readonly LayerInfo[] {
    return this.#layers;
  }

  /** Its worker read new layer sizes or bitrates. */
  onLayers(layers: readonly LayerInfo[]): void {
    if (this.#closed) return;
    const sizesChanged = layers.some((l, i) => l.height !== this.#layers[i]?.height || l.width !== this.#layers[i]?.width);
    this.#layers = layers;
    this.emit('layersChanged', sizesChanged);
  }

  /** The publisher sends a keyframe of a layer (absent: of every layer): a subscriber on another worker asked for one. */
  requestKeyframe(layer?: number): void {
    if (!this.#closed) this.router.worker.send({ type: 'requestKeyframe', routerId: this.router.id, producerId: this.id, ...(layer === undefined ? {} : { layer }) });
  }

  get closed(): boolean {
    return this.#closed;
  }

  info(): ProducerInfo {
    return { id: this.id, ownerId: this.ownerId, kind: this.kind, source: this.source, mimeType: this.mimeType };
  }

  /** Muted: nothing is forwarded until unpaused (then subscribers get a fresh keyframe). */
  setPaused(paused: boolean): void {
    if (!this.#closed) this.router.worker.send({ type: 'setProducerPaused', routerId: this.router.id, producerId: this.id, paused });
  }

  close(): void {
    if (this.#closed) return;
    this.router.worker.send({ type: 'closeProducer', routerId: this.router.id, producerId: this.id });
    this.markClosed();
  }

  markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A piped copy that goes (its room left this worker, or this worker died): the original stops sending down its pipe.
    const pipe = this.pipedFrom;
    if (pipe && !pipe.source.closed && pipe.source.router.worker.usable) {
      pipe.source.router.worker.send({ type: 'unpipeProducer', routerId: pipe.source.router.id, producerId: pipe.source.id, pipeId: pipe.pipeId });
    }
    this.emit('closed');
    this.removeAllListeners();
  }
}
