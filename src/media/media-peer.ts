/**
 * One participant's media: two werift peer connections, as LiveKit does.
 *
 * - publish: the browser offers its camera and microphone, we answer, and
 *   every incoming track becomes a Producer.
 * - subscribe: we offer one sendonly m-line per Consumer (another
 *   participant's track) and the browser answers. Only the server ever
 *   offers here, so there is no glare to resolve.
 *
 * The peer knows nothing of rooms, tokens or sockets: the layer above tells
 * it what to consume and carries its offers to the client.
 */
import { randomUUID } from 'node:crypto';
import {
  ReceiverEstimatedMaxBitrate,
  RTCPeerConnection,
  RtcpPayloadSpecificFeedback,
  type MediaStreamTrack,
  type RTCRtpTransceiver,
  type RtcpPacket,
  type RtpPacket,
} from 'werift';
import type { MediaKind, SubscribedTrack, TrackSource } from '../protocol/messages.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { orderForSending, SUPPORTED_VIDEO_CODECS, videoCodecsFor } from './codecs.js';
import { Consumer, type StreamPosition } from './consumer.js';
import type { PcRole, PeerEvents, RepairOutcome } from './media-api.js';
import { PathHealth } from './path-health.js';
import { mediaStats } from './media-stats.js';
import { Producer, simulcastInput, trackInput } from './producer.js';
import { forBrowser } from './sdp-fixups.js';
import { SerialQueue } from './serial-queue.js';
import type { MediaTransport } from './transport/media-transport.js';

/** The contract's events (media-api.ts), and the producers this peer's browser publishes. */
export interface MediaPeerEvents extends PeerEvents {
  producerAdded: [Producer];
}

/** RFC 6464: the audio level each publisher's packets carry (negotiated in codecs.ts). */
const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

export class MediaPeer extends TypedEmitter<MediaPeerEvents> {
  readonly producers = new Map<string, Producer>();
  /** Keyed by producer id. */
  readonly consumers = new Map<string, Consumer>();
  readonly publishPc: RTCPeerConnection;
  #subscribePc: RTCPeerConnection | undefined;
  #sources: Record<string, TrackSource> = {};
  readonly #producerMids = new Set<string>();
  /** Inactive subscribe transceivers, reused for the next track of their kind and codec. */
  readonly #free = new Map<RTCRtpTransceiver, StreamPosition | undefined>();
  readonly #publishQueue = new SerialQueue();
  readonly #subscribeQueue = new SerialQueue();
  #awaitingAnswer = false;
  #renegotiate = false;
  #negotiationScheduled = false;
  /** The next subscribe offer restarts ICE (a stall repair). */
  #iceRestart = false;
  /** Both paths watched for stalls that ICE does not notice (issue 18), and their repairs. */
  readonly #health = new PathHealth(Date.now());
  #closed = false;
  readonly #disposers: (() => void)[] = [];
  /** Per consumed producer: removes the listener that unconsumes it when it closes. */
  readonly #stopFollowing = new Map<string, () => void>();

  /** Producers not forwarded because this browser cannot decode their codec. */
  readonly #unavailable = new Set<string>();
  /** The subscriber's latest REMB (bit/s), and the last one told above (receiveBandwidth). */
  #remb: number | undefined;
  #rembTold: number | undefined;
  /** Since when consumers' bytes were last taken. */
  #bytesSince = Date.now();

  constructor(
    readonly ownerId: string,
    private readonly transport: MediaTransport,
    /** Video codecs (lowercase mime types) this participant's browser decodes. */
    private readonly receiveVideoCodecs: ReadonlySet<string> = SUPPORTED_VIDEO_CODECS,
  ) {
    super();
    this.publishPc = this.createPc('publish');
    this.publishPc.onTrack.subscribe((track) => this.onIncomingTrack(track));
    const health = this.#health;
    health.on('stalled', (stall) => this.emit('mediaStalled', stall));
    health.on('repaired', (outcome) => this.emit('mediaRepaired', outcome));
    health.on('repairFailed', (stall) => this.emit('mediaRepairFailed', stall));
    health.on('restartIce', (pc) => {
      if (pc === 'publish') {
        this.emit('publishIceRestartNeeded');
        return;
      }
      this.#iceRestart = true;
      this.scheduleNegotiation();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get subscribePc(): RTCPeerConnection | undefined {
    return this.#subscribePc;
  }

  /** Applies the browser's publish offer and returns our answer SDP. */
  handlePublishOffer(sdp: string, sources: Record<string, TrackSource>): Promise<string> {
    return this.#publishQueue.run(async () => {
      this.assertOpen();
      // Each offer says what all its m-lines carry (checked in src/service/sdp-check.ts): replace, never merge.
      this.#sources = sources;
      await this.publishPc.setRemoteDescription({ type: 'offer', sdp });
      for (const t of this.publishPc.getTransceivers()) {
        if (t.kind !== 'video') continue;
        // The room's codec policy: the answer's first codec is the one the browser sends (codecs.ts).
        t.codecs = orderForSending(t.codecs);
        // werift does not receive RTX with simulcast (its RTX stream would need the repaired-rid extension
        // to find its layer; werift drops it): without RTX in the answer, Chrome and Firefox retransmit
        // what is NACKed on the layer's own SSRC (RFC 4588 is optional), and loss is still repaired.
        if (isSimulcast(t)) t.codecs = t.codecs.filter((c) => c.name.toLowerCase() !== 'rtx');
      }
      const answer = await this.publishPc.createAnswer();
      const local = await this.publishPc.setLocalDescription(answer);
      this.closeStoppedProducers();
      // A stopped screen share's m-line stays inactive, not rejected: a rejected one is stopped
      // for good in the browser, and the next share could not reuse it.
      return this.transport.localDescription(this.pcId('publish'), forBrowser(local.toSdp().sdp));
    });
  }

  handleSubscribeAnswer(sdp: string): Promise<void> {
    return this.#subscribeQueue.run(async () => {
      this.assertOpen();
      const pc = this.#subscribePc;
      if (!pc || !this.#awaitingAnswer) throw new Error('no subscribe offer is waiting for an answer');
      await pc.setRemoteDescription({ type: 'answer', sdp });
      this.#awaitingAnswer = false;
      // ready does not fire again on a connected transport, so ask for keyframes now (docs/architecture.md, "werift behaviours").
      for (const consumer of this.consumers.values()) consumer.requestKeyframe();
      if (this.#renegotiate) {
        this.#renegotiate = false;
        this.scheduleNegotiation();
      }
    });
  }

  /** Starts sending another participant's track to this peer; `layer`: which simulcast layer (index; absent: the highest). */
  consume(producer: Producer, layer?: number): void {
    if (this.#closed || producer.closed || this.consumers.has(producer.id) || producer.ownerId === this.ownerId) return;
    if (producer.kind === 'video' && !this.receiveVideoCodecs.has(producer.codec.mimeType.toLowerCase())) {
      // Offering it would fail the whole negotiation (no common codec); say so once instead.
      if (this.#unavailable.has(producer.id)) return;
      this.#unavailable.add(producer.id);
      producer.once('closed', () => this.#unavailable.delete(producer.id));
      // Next tick, as negotiations are: the layer above is still wiring this peer when it consumes at attach.
      setImmediate(() => this.#closed || producer.closed || this.emit('trackUnavailable', producer.info(), 'codec_unsupported'));
      return;
    }
    const [transceiver, continueFrom] = this.takeTransceiver(producer);
    this.consumers.set(producer.id, new Consumer(producer, transceiver, continueFrom, this.#health.delivery, layer));
    // One listener per consumed producer, removed with the consumer: last-N consumes and unconsumes
    // the same producers again and again over a class.
    const onClosed = (): void => this.unconsume(producer.id);
    producer.once('closed', onClosed);
    this.#stopFollowing.set(producer.id, () => producer.off('closed', onClosed));
    this.scheduleNegotiation();
  }

  /** Stops sending a track; its m-line goes inactive and waits for reuse. */
  unconsume(producerId: string): void {
    const consumer = this.consumers.get(producerId);
    if (!consumer) return;
    this.consumers.delete(producerId);
    this.#stopFollowing.get(producerId)?.();
    this.#stopFollowing.delete(producerId);
    consumer.close();
    if (this.#closed) return;
    consumer.transceiver.setDirection('inactive');
    this.#free.set(consumer.transceiver, consumer.position);
    this.scheduleNegotiation();
  }

  /** A free m-line of the right kind and codec, or a new one. */
  private takeTransceiver(producer: Producer): [RTCRtpTransceiver, StreamPosition | undefined] {
    const mime = producer.codec.mimeType.toLowerCase();
    for (const [transceiver, position] of this.#free) {
      const codec = transceiver.codecs.find((c) => c.name.toLowerCase() !== 'rtx');
      if (transceiver.kind !== producer.kind || codec?.mimeType.toLowerCase() !== mime) continue;
      this.#free.delete(transceiver);
      transceiver.setDirection('sendonly');
      return [transceiver, position];
    }
    const pc = this.ensureSubscribePc();
    const transceiver = pc.addTransceiver(producer.kind, { direction: 'sendonly' });
    // The browser's REMB (its receive-side estimate of our path to it) lands on one of our senders.
    if (producer.kind === 'video') this.#disposers.push(transceiver.sender.onRtcp.subscribe((packet) => this.onSubscriberRtcp(packet)).unSubscribe);
    // The subscribe connection's own list (no transport-cc: codecs.ts), narrowed to the publisher's codec.
    if (producer.kind === 'video') transceiver.codecs = videoCodecsFor(producer.codec.mimeType);
    return [transceiver, undefined];
  }

  /**
   * Called about once a second by the router: are both media paths alive?
   * A stall starts a repair (see path-health.ts).
   */
  checkHealth(now: number): void {
    const subscribe = this.#subscribePc;
    if (this.#closed) return;
    this.reportBandwidth(now);
    this.#health.check(
      now,
      { connected: subscribe?.connectionState === 'connected', path: () => (subscribe ? selectedPath(subscribe) : undefined) },
      { connected: this.publishPc.connectionState === 'connected', streams: this.producers.values() },
    );
  }

  private onSubscriberRtcp(packet: RtcpPacket): void {
    if (packet.type !== RtcpPayloadSpecificFeedback.type) return;
    const feedback = (packet as RtcpPayloadSpecificFeedback).feedback;
    if (feedback.count === ReceiverEstimatedMaxBitrate.count) this.#remb = Number((feedback as ReceiverEstimatedMaxBitrate).bitrate);
  }

  /**
   * Called each second: the video bit/s forwarded to this subscriber since
   * the last call, and its bandwidth estimate when that moved by more than a
   * tenth, told to the layer above (subscriber-bandwidth.ts reads both).
   */
  private reportBandwidth(now: number): void {
    let bytes = 0;
    for (const consumer of this.consumers.values()) if (consumer.producer.kind === 'video') bytes += consumer.takeBytes();
    const seconds = (now - this.#bytesSince) / 1000;
    this.#bytesSince = now;
    const remb = this.#remb;
    if (remb === undefined || seconds <= 0 || (this.#rembTold !== undefined && Math.abs(remb - this.#rembTold) <= this.#rembTold * 0.1)) return;
    this.#rembTold = remb;
    this.emit('receiveBandwidth', remb, Math.round((bytes * 8) / seconds));
  }

  /** The client says what it receives from us stopped: restart ICE on the subscribe connection, if that can help (path-health.ts). */
  repairSubscribe(): RepairOutcome {
    if (this.#closed || !this.#subscribePc) return 'no-subscribe-connection';
    return this.#health.clientReportedStall(Date.now());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const dispose of this.#disposers.splice(0)) dispose();
    for (const stop of this.#stopFollowing.values()) stop();
    this.#stopFollowing.clear();
    for (const consumer of this.consumers.values()) consumer.close();
    this.consumers.clear();
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    const pcs = [this.publishPc, this.#subscribePc].filter((pc): pc is RTCPeerConnection => pc !== undefined);
    // werift's close() skips transceivers a renegotiation already marked stopped, and their
    // senders keep sending RTCP reports to the closed transport every second, forever.
    for (const pc of pcs) for (const transceiver of pc.getTransceivers()) transceiver.sender.stop();
    await Promise.allSettled(pcs.map((pc) => pc.close()));
    this.transport.release(this.pcId('publish'));
    this.transport.release(this.pcId('subscribe'));
    this.emit('closed');
    this.removeAllListeners();
  }

  private createPc(role: PcRole): RTCPeerConnection {
    const pc = new RTCPeerConnection(this.transport.peerConfig[role]);
    mediaStats.peerConnectionsOpen++;
    let counted = true;
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'closed' && counted) {
        counted = false;
        mediaStats.peerConnectionsOpen--;
      }
      // A subscribe path that (re)connects starts with a clean slate: nothing before counted as unacknowledged.
      if (role === 'subscribe' && state === 'connected') this.#health.delivery.reset(Date.now());
      if (!this.#closed) this.emit('connectionState', role, state);
    });
    return pc;
  }

  private pcId(role: PcRole): string {
    return `${this.ownerId}/${role}`;
  }

  private ensureSubscribePc(): RTCPeerConnection {
    this.#subscribePc ??= this.createPc('subscribe');
    return this.#subscribePc;
  }

  /** Batches consume/unconsume calls made in one tick into one offer. */
  private scheduleNegotiation(): void {
    if (this.#negotiationScheduled || this.#closed) return;
    this.#negotiationScheduled = true;
    setImmediate(() => {
      this.#negotiationScheduled = false;
      this.#subscribeQueue.run(() => this.negotiate()).catch((error: unknown) => {
        if (!this.#closed) this.emit('negotiationFailed', error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  private async negotiate(): Promise<void> {
    const pc = this.#subscribePc;
    if (!pc || this.#closed) return;
    if (this.#awaitingAnswer) {
      this.#renegotiate = true;
      return;
    }
    const iceRestart = this.#iceRestart;
    this.#iceRestart = false;
    const offer = await pc.createOffer({ iceRestart });
    const local = await pc.setLocalDescription(offer);
    this.#awaitingAnswer = true;
    const sdp = this.transport.localDescription(this.pcId('subscribe'), forBrowser(local.toSdp().sdp));
    this.emit('subscribeOffer', { sdp, tracks: this.subscribedTracks(pc) });
  }

  private subscribedTracks(pc: RTCPeerConnection): SubscribedTrack[] {
    const byTransceiver = new Map<RTCRtpTransceiver, Consumer>();
    for (const consumer of this.consumers.values()) byTransceiver.set(consumer.transceiver, consumer);
    const tracks: SubscribedTrack[] = [];
    for (const transceiver of pc.getTransceivers()) {
      const consumer = byTransceiver.get(transceiver);
      if (!consumer || transceiver.mid === null) continue;
      const p = consumer.producer;
      tracks.push({ mid: transceiver.mid, participantId: p.ownerId, trackId: p.id, kind: p.kind, source: p.source });
    }
    return tracks;
  }

  private onIncomingTrack(track: MediaStreamTrack): void {
    const transceiver = this.publishPc.getTransceivers().find((t) => t.receiver.tracks.includes(track));
    const mid = transceiver?.mid;
    // werift re-fires onTrack on every renegotiation: one producer per m-line (docs/architecture.md, "werift behaviours").
    if (!transceiver || !mid || this.#producerMids.has(mid)) return;
    this.#producerMids.add(mid);
    const kind = track.kind as MediaKind;
    // Audio is always the microphone: a client must not escape an audio mute by calling its microphone a screen.
    const claimed = this.#sources[mid];
    const source: TrackSource = kind === 'audio' ? 'microphone' : claimed === 'screen' ? 'screen' : 'camera';
    // The codec is known for sure once RTP flows; consumers need it to offer the same one. With
    // simulcast werift fires onTrack per rid as it adds them, all in setRemoteDescription; the first
    // packet of any layer makes the producer, of all of them.
    whenFirstPacket(isSimulcast(transceiver) ? transceiver.receiver.tracks : [track], (rtp) => {
      if (this.#closed) return;
      if (isStopped(transceiver.currentDirection)) {
        // A straggler from a stream the last renegotiation stopped: the next activation starts afresh.
        this.#producerMids.delete(mid);
        return;
      }
      const codec =
        transceiver.codecs.find((c) => c.payloadType === rtp.header.payloadType && c.name.toLowerCase() !== 'rtx') ??
        transceiver.codecs.find((c) => c.name.toLowerCase() !== 'rtx');
      if (!codec) return;
      const audioLevelId = kind === 'audio' ? transceiver.headerExtensions.find((e) => e.uri === AUDIO_LEVEL_URI)?.id : undefined;
      const input = isSimulcast(transceiver) ? simulcastInput(ridTracks(transceiver), transceiver.receiver) : trackInput(track, transceiver.receiver);
      const producer = new Producer(randomUUID(), this.ownerId, kind, source, codec, [...transceiver.codecs], input, audioLevelId);
      this.producers.set(producer.id, producer);
      producer.once('closed', () => this.producers.delete(producer.id));
      this.emit('producerAdded', producer);
      producer.requestKeyframe();
    });
  }

  /**
   * A renegotiation that stopped sending on an m-line (a screen share ended)
   * ends its producer; if the browser later reuses that m-line for a new
   * share, werift re-fires onTrack and it becomes a new producer.
   */
  private closeStoppedProducers(): void {
    for (const producer of [...this.producers.values()]) {
      const transceiver = this.publishPc.getTransceivers().find((t) => t.receiver.tracks.some((tr) => producer.carries(tr)));
      if (!transceiver || !isStopped(transceiver.currentDirection)) continue;
      producer.close();
      if (transceiver.mid) this.#producerMids.delete(transceiver.mid);
    }
  }

  private assertOpen(): void {
    if (this.#closed) throw new Error(`media peer ${this.ownerId} is closed`);
  }
}

/** The candidate pair werift sends on, for logs: `udp 203.0.113.7:50123` (behind the demultiplexer, its loopback side). */
function selectedPath(pc: RTCPeerConnection): string | undefined {
  const pair = pc.iceTransports[0]?.connection.nominated;
  if (!pair) return undefined;
  const [host, port] = pair.remoteAddr;
  return `${pair.localCandidate.transport.toLowerCase()} ${host}:${port}`;
}

/** A publish m-line the browser sends as simulcast (RFC 8853: a=rid and a=simulcast; werift made a track per rid). */
function isSimulcast(transceiver: RTCRtpTransceiver): boolean {
  return ridTracks(transceiver).length > 1;
}

/** Its rid tracks, in the offer's a=simulcast order. */
function ridTracks(transceiver: RTCRtpTransceiver): MediaStreamTrack[] {
  return transceiver.receiver.tracks.filter((t) => t.rid !== undefined);
}

/** Calls `then` once, with the first packet any of `tracks` receives. */
function whenFirstPacket(tracks: readonly MediaStreamTrack[], then: (rtp: RtpPacket) => void): void {
  let done = false;
  const offs = tracks.map(
    (track) =>
      track.onReceiveRtp.subscribe((rtp) => {
        if (done) return;
        done = true;
        offs.forEach((off) => off());
        then(rtp);
      }).unSubscribe,
  );
}

/** Directions (seen from the server) in which the browser no longer sends on a publish m-line. */
function isStopped(direction: string | null | undefined): boolean {
  return direction === 'inactive' || direction === 'sendonly' || direction === 'stopped';
}
