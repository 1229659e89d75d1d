/**
 * The media side of one room: a MediaPeer per participant and every
 * producer they publish. It forwards what it is told to forward; which
 * participant consumes what is decided above it.
 */
import { TypedEmitter } from '../util/typed-emitter.js';
import { MediaPeer } from './media-peer.js';
import type { Producer } from './producer.js';
import type { MediaTransport } from './transport/media-transport.js';

export interface MediaRouterEvents {
  producerAdded: [Producer];
  /** Every LOUDNESS_SAMPLE_MS while anyone is in the room: each publisher's loudness (owner id → 0..127, Producer.takeLoudness). */
  audioLevels: [Map<string, number>];
  closed: [];
}

/** How often each participant's media paths are checked (stalls are declared after seconds, not milliseconds). */
const DELIVERY_CHECK_MS = 1000;
/** How often publishers' loudness is reported (src/conference/dominant-speaker.ts SAMPLE_MS). */
export const LOUDNESS_SAMPLE_MS = 300;

export class MediaRouter extends TypedEmitter<MediaRouterEvents> {
  readonly peers = new Map<string, MediaPeer>();
  readonly producers = new Map<string, Producer>();
  #closed = false;
  /** One timer per room, not per subscriber. */
  readonly #healthCheck: NodeJS.Timeout;
  readonly #loudness: NodeJS.Timeout;

  constructor(
    readonly id: string,
    private readonly transport: MediaTransport,
  ) {
    super();
    this.#healthCheck = setInterval(() => {
      const now = Date.now();
      for (const peer of this.peers.values()) peer.checkHealth(now);
      for (const producer of this.producers.values()) producer.sampleBitrates(now);
    }, DELIVERY_CHECK_MS);
    this.#healthCheck.unref();
    this.#loudness = setInterval(() => this.reportLoudness(), LOUDNESS_SAMPLE_MS);
    this.#loudness.unref();
  }

  /** Every sample while anyone is here, an empty one too: a publisher who stopped must not stay loud above. */
  private reportLoudness(): void {
    if (this.peers.size === 0) return;
    const levels = new Map<string, number>();
    for (const producer of this.producers.values()) {
      if (producer.reportsLoudness) levels.set(producer.ownerId, Math.max(levels.get(producer.ownerId) ?? 0, producer.takeLoudness()));
    }
    this.emit('audioLevels', levels);
  }

  /** `receiveVideoCodecs`: what the participant's browser decodes (lowercase mime types); default: everything we negotiate. */
  createPeer(ownerId: string, receiveVideoCodecs?: ReadonlySet<string>): MediaPeer {
    if (this.#closed) throw new Error(`media router ${this.id} is closed`);
    if (this.peers.has(ownerId)) throw new Error(`media peer ${ownerId} already exists`);
    const peer = new MediaPeer(ownerId, this.transport, receiveVideoCodecs);
    this.peers.set(ownerId, peer);
    peer.on('producerAdded', (producer) => {
      this.producers.set(producer.id, producer);
      producer.once('closed', () => this.producers.delete(producer.id));
      this.emit('producerAdded', producer);
    });
    peer.once('closed', () => this.peers.delete(ownerId));
    return peer;
  }

  /** A producer of another worker, piped here (src/media/pipe/): its subscribers here consume it by id like any other. */
  addPipedProducer(producer: Producer): void {
    if (this.#closed) throw new Error(`media router ${this.id} is closed`);
    if (this.producers.has(producer.id)) throw new Error(`producer ${producer.id} already exists in router ${this.id}`);
    this.producers.set(producer.id, producer);
    producer.once('closed', () => this.producers.delete(producer.id));
  }

  async closePeer(ownerId: string): Promise<void> {
    await this.peers.get(ownerId)?.close();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#healthCheck);
    clearInterval(this.#loudness);
    await Promise.allSettled([...this.peers.values()].map((p) => p.close()));
    // Piped producers have no peer here to close them.
    for (const producer of [...this.producers.values()]) producer.close();
    this.emit('closed');
    this.removeAllListeners();
  }
}
