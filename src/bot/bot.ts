/**
 * A headless participant: joins a room over the real signaling protocol,
 * publishes synthetic Opus + VP8 over werift and counts what it receives
 * from each other participant. Used by tests, the benchmark and `doctor`.
 */
import { dispatch, type HandlerTable } from '../protocol/dispatch.js';
import { PROTOCOL_VERSION, type MediaKind, type ParticipantInfo, type ServerMessage } from '../protocol/messages.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { botPeerConfig, hasStun } from './bot-config.js';
import type { BotEvents, BotOptions, BotStats, VideoLayerRequest, VideoLayersState } from './bot-types.js';
import { filterRemoteCandidates, selectedPath, type SelectedPath } from './ice-path.js';
import { Publisher, whenConnected, type PublishOptions } from './publisher.js';
import { connectSignaling } from './connect-signaling.js';
import type { BotSignaling } from './signaling-base.js';
import { acquireStunResponder, releaseStunResponder } from './stun-responder.js';
import { Subscriber } from './subscriber.js';

export class Bot extends TypedEmitter<BotEvents> {
  /** Everyone else in the room, as the server last reported. */
  readonly participants = new Map<string, ParticipantInfo>();
  participantId = '';
  welcomeAt = 0;
  /** The server's last `video-layers` for our camera (dynacast), or undefined. */
  videoLayers: VideoLayersState | undefined;
  /** Who has the floor, as the server last said. */
  dominantSpeaker: string | null = null;
  /** Replaced when the server moves our media to another worker (media_worker_restarted); its counts carry over. */
  subscriber: Subscriber;
  publisher: Publisher | undefined;
  #closed = false;
  #usesStun = false;

  private constructor(
    /** WebSocket or long-poll (options.signaling); tests that need the socket narrow it to SignalingClient. */
    readonly signaling: BotSignaling,
    readonly options: BotOptions,
    readonly joinStartedAt: number,
    private readonly peerConfig: ReturnType<typeof botPeerConfig>,
  ) {
    super();
    this.subscriber = new Subscriber(peerConfig);
    signaling.on('message', (message) => this.onMessage(message));
    signaling.on('closed', (info) => {
      this.emit('closed', info);
      void this.close();
    });
  }

  /** Connects, says hello, publishes and waits until media can flow. Cleans up after itself on failure. */
  static async join(options: BotOptions): Promise<Bot> {
    const joinStartedAt = Date.now();
    const timeoutMs = options.timeoutMs ?? 10_000;
    const network = options.network ?? { loopbackOnly: true };
    const stunPort = network.loopbackOnly || !hasStun(network.iceServers) ? await acquireStunResponder() : undefined;
    let signaling: BotSignaling;
    try {
      signaling = await connectSignaling(options.url, options.signaling ?? 'websocket', timeoutMs);
    } catch (error) {
      if (stunPort !== undefined) releaseStunResponder();
      throw error;
    }
    const bot = new Bot(signaling, options, joinStartedAt, botPeerConfig(network, stunPort));
    bot.#usesStun = stunPort !== undefined;
    try {
      const welcome = signaling.waitFor('welcome', timeoutMs);
      signaling.send({
        type: 'hello',
        protocolVersion: PROTOCOL_VERSION,
        room: options.room,
        tenant: options.tenant,
        displayName: options.displayName,
        token: options.token,
        audioMuted: options.audioMuted ?? false,
        videoMuted: options.videoMuted ?? false,
      });
      await welcome;
      const publish = options.publish;
      if (publish && (publish.audio || publish.video)) await bot.startPublishing(publish, timeoutMs);
      return bot;
    } catch (error) {
      await bot.close();
      throw error;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  stats(): BotStats {
    const sent = this.publisher?.media.sent;
    return {
      participantId: this.participantId,
      joinStartedAt: this.joinStartedAt,
      welcomeAt: this.welcomeAt,
      publishConnectedAt: this.publisher?.connectedAt,
      sent: {
        audio: { ...(sent?.audio ?? { packets: 0, bytes: 0 }) },
        video: { ...(sent?.video ?? { packets: 0, bytes: 0 }) },
        videoLayers: this.publisher?.media.layers() ?? {},
      },
      remotes: this.subscriber.stats.snapshot(),
      unattributedPackets: this.subscriber.stats.unattributed,
    };
  }

  /**
   * Tells the server we muted. Like a browser with a disabled track the bot
   * keeps sending packets, so the SFU is what stops them reaching others.
   */
  setMuted(kind: MediaKind, muted: boolean): void {
    this.signaling.send({ type: 'set-muted', kind, muted });
  }

  /**
   * Whose video to receive (Jitsi's last-N and on-stage; `lastN` undefined: the server's default); audio
   * is always everyone's. `layers`: which simulcast layer, as a page's tile sizes say it (Jitsi's receiver
   * video constraints): `maxHeight` in pixels for everyone's camera, `constraints` per participant id;
   * absent: no limit (the highest layer).
   */
  receiveVideo(lastN: number | undefined, onStage: readonly string[] = [], layers: VideoLayerRequest = {}): void {
    this.signaling.send({
      type: 'receive-video',
      ...(lastN === undefined ? {} : { lastN }),
      onStage: [...onStage],
      ...(layers.maxHeight === undefined ? {} : { maxHeight: layers.maxHeight }),
      ...(layers.constraints === undefined ? {} : { constraints: { ...layers.constraints } }),
    });
  }

  /** The candidate pair each peer connection uses: which transport carries the media. */
  mediaPaths(): { publish: SelectedPath | undefined; subscribe: SelectedPath | undefined } {
    return { publish: selectedPath(this.publisher?.pc), subscribe: selectedPath(this.subscriber.pc) };
  }

  /** Says goodbye and waits for the server to close the connection, then releases everything. */
  async leave(): Promise<void> {
    if (this.#closed) return;
    if (!this.signaling.closed) {
      const gone = new Promise<void>((resolve) => this.signaling.once('closed', () => resolve()));
      this.signaling.send({ type: 'leave' });
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    }
    await this.close();
  }

  /** Releases sockets, peer connections and timers without saying goodbye. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([this.publisher?.close(), this.subscriber.close(), this.signaling.close()]);
    if (this.#usesStun) releaseStunResponder();
    this.removeAllListeners();
  }

  /**
   * The server's media worker for our room died and the room moved (issue 14):
   * new peer connections against the new worker, as a page makes them. We stay
   * in the room; what we counted so far is kept.
   */
  private async rebuildMedia(): Promise<void> {
    if (this.#closed) return;
    const old = { publisher: this.publisher, subscriber: this.subscriber };
    this.subscriber = new Subscriber(this.peerConfig, old.subscriber.stats);
    this.publisher = undefined;
    await Promise.allSettled([old.publisher?.close(), old.subscriber.close()]);
    const publish = this.options.publish;
    if (!this.#closed && publish && (publish.audio || publish.video)) {
      await this.startPublishing(publish, this.options.timeoutMs ?? 10_000).catch(() => undefined); // closed meanwhile: stats show it
    }
    this.emit('mediaRebuilt');
  }

  private async startPublishing(publish: PublishOptions, timeoutMs: number): Promise<void> {
    const publisher = new Publisher(this.peerConfig, publish);
    this.publisher = publisher;
    await this.negotiatePublish(publisher, false, timeoutMs);
    await whenConnected(publisher.pc, timeoutMs);
  }

  /** One publish offer/answer; `iceRestart` when the server asked for one (our media stopped reaching it). */
  private async negotiatePublish(publisher: Publisher, iceRestart: boolean, timeoutMs: number): Promise<void> {
    const { sdp, sources } = await publisher.createOffer(iceRestart);
    const answer = this.signaling.waitFor('publish-answer', timeoutMs);
    this.signaling.send({ type: 'publish-offer', sdp, sources });
    await publisher.applyAnswer(this.remoteSdp((await answer).sdp, 'publish'));
  }

  /** The server's SDP with the candidates a forced ICE path must not use removed. */
  private remoteSdp(sdp: string, pc: 'publish' | 'subscribe'): string {
    const filtered = filterRemoteCandidates(sdp, this.options.network?.icePath);
    this.options.onRemoteSdp?.(filtered, pc);
    return filtered;
  }

  private onMessage(message: ServerMessage): void {
    dispatch(this.#handlers, message);
  }

  /** One handler per server message: a message type without one does not compile (an empty one says the bot ignores it). */
  readonly #handlers: HandlerTable<ServerMessage> = {
    // Dynacast: layers of our camera nobody receives stop until they are wanted again (one stream without simulcast: nothing to pause).
    'video-layers': ({ trackId, active }) => {
      this.videoLayers = { trackId, active: [...active], at: Date.now() };
      this.publisher?.media.setActiveLayers(active);
      this.emit('videoLayers', this.videoLayers);
    },
    welcome: (m) => {
      this.participantId = m.participantId;
      this.welcomeAt = Date.now();
      for (const p of m.participants) this.participants.set(p.id, p);
    },
    'participant-joined': ({ participant }) => {
      this.participants.set(participant.id, participant);
      this.emit('participantJoined', participant);
    },
    'participant-updated': ({ participant }) => {
      if (participant.id === this.participantId) return;
      this.participants.set(participant.id, participant);
      this.emit('participantUpdated', participant);
    },
    'participant-left': ({ participantId, reason }) => {
      this.participants.delete(participantId);
      this.emit('participantLeft', participantId, reason);
    },
    'subscribe-offer': ({ sdp, tracks }) => {
      this.subscriber.answer(this.remoteSdp(sdp, 'subscribe'), tracks).then(
        (answer) => {
          this.signaling.send({ type: 'subscribe-answer', sdp: answer });
          this.emit('subscribed', tracks);
        },
        () => undefined, // closed meanwhile; a real failure shows as missing media in stats
      );
    },
    'restart-ice': () => {
      // The server stopped getting our media: restart ICE on the publish connection (we offer there).
      if (this.publisher) this.negotiatePublish(this.publisher, true, this.options.timeoutMs ?? 10_000).catch(() => undefined); // closed meanwhile
    },
    error: (m) => {
      if (m.code === 'media_worker_restarted') void this.rebuildMedia();
      this.emit('serverError', m);
    },
    // Awaited where they matter (startPublishing waits for the answer), or not the bot's business:
    // it neither resumes sessions nor runs the class.
    'publish-answer': () => undefined,
    // Bots decode every codec the server negotiates: nothing is ever unavailable to them.
    'track-unavailable': () => undefined,
    pong: () => undefined,
    resumed: () => undefined,
    'room-state': () => undefined,
    'dominant-speaker': ({ participantId }) => {
      this.dominantSpeaker = participantId;
    },
    chat: () => undefined,
    'lobby-waiting': () => undefined,
    lobby: () => undefined,
  };
}
