/**
 * Every message between the main thread and a media worker (issue 14).
 *
 * The main thread keeps HTTP, signaling, the conference and its decisions
 * (who receives what); a worker keeps the werift peer connections, its own
 * media ports and every packet. What crosses is signaling-rate only: SDP,
 * "consume this", state changes, and a load report once a second. Packets
 * never cross.
 *
 * - main → worker: a `WorkerRequest` inside `{ id, request }`; `id: 0` asks
 *   for no reply (consume, pause). Requests start in the order they were
 *   sent (one port); a handler that awaits (publishOffer, subscribeAnswer,
 *   closePeer) may finish after later ones start. What must stay in order
 *   for one peer does: MediaPeer runs its publish and subscribe steps each
 *   in a queue of its own.
 * - worker → main: a `WorkerMessage`: `ready` once its ports are bound,
 *   replies by id, events of its routers and peers, and `load`, which is
 *   also its heartbeat (a worker silent for WORKER_STALL_MS is replaced).
 *
 * Everything is plain data for the structured clone (Error included).
 */
import type { TrackSource } from '../../protocol/messages.js';
import type { LayerInfo, PeerEvents, ProducerInfo, RepairOutcome } from '../media-api.js';
import type { MediaCounters } from '../media-stats.js';
import type { MediaNetworkSettings } from '../peer-config.js';
import type { MuxSettings } from '../transport/media-transport.js';

/** How often a worker reports its load (and proves it is alive). */
export const LOAD_REPORT_MS = 1000;

/** What a worker is started with (`workerData`). */
export interface WorkerSettings {
  /** 0-based; worker i of MEDIA_WORKERS. */
  readonly index: number;
  /** `single`: its own UDP (and TCP) port, all its peer connections behind it; `range`: a port per peer connection. */
  readonly transport: { readonly mode: 'single'; readonly mux: MuxSettings } | { readonly mode: 'range'; readonly network: MediaNetworkSettings };
}

interface RouterRef {
  readonly routerId: string;
}
interface PeerRef extends RouterRef {
  readonly peerId: string;
}

/** Requests the main thread makes; each `type` has its reply in WorkerReplies. */
export type WorkerRequest =
  | ({ readonly type: 'createRouter' } & RouterRef)
  | ({ readonly type: 'closeRouter' } & RouterRef)
  /** `receiveVideoCodecs`: lowercase mime types the participant's browser decodes; undefined: all we negotiate. */
  | ({ readonly type: 'createPeer'; readonly receiveVideoCodecs: readonly string[] | undefined } & PeerRef)
  | ({ readonly type: 'closePeer' } & PeerRef)
  | ({ readonly type: 'publishOffer'; readonly sdp: string; readonly sources: Record<string, TrackSource> } & PeerRef)
  | ({ readonly type: 'subscribeAnswer'; readonly sdp: string } & PeerRef)
  | ({ readonly type: 'repairSubscribe' } & PeerRef)
  /** `layer`: the simulcast layer to forward (index, lowest 0; absent: the highest). */
  | ({ readonly type: 'consume'; readonly producerId: string; readonly layer?: number } & PeerRef)
  /** Forward another simulcast layer of a producer this peer consumes (from the next keyframe of it). */
  | ({ readonly type: 'setPreferredLayer'; readonly producerId: string; readonly layer: number } & PeerRef)
  | ({ readonly type: 'unconsume'; readonly producerId: string } & PeerRef)
  | ({ readonly type: 'setProducerPaused'; readonly producerId: string; readonly paused: boolean } & RouterRef)
  | ({ readonly type: 'closeProducer'; readonly producerId: string } & RouterRef)
  /** Here, a producer of another worker (the room spans both): packets arrive on pipe `pipeId` from that worker's pipe port. */
  | ({ readonly type: 'createPipeProducer'; readonly producer: PipedProducer; readonly fromPort: number; readonly pipeId: number } & RouterRef)
  /** Send this producer's packets down pipe `pipeId` to the worker at pipe port `toPort`. */
  | ({ readonly type: 'pipeProducer'; readonly producerId: string; readonly toPort: number; readonly pipeId: number } & RouterRef)
  | ({ readonly type: 'unpipeProducer'; readonly producerId: string; readonly pipeId: number } & RouterRef)
  /** A subscriber in another worker needs a keyframe of this producer (of one simulcast layer; absent: every layer). */
  | ({ readonly type: 'requestKeyframe'; readonly producerId: string; readonly layer?: number } & RouterRef)
  /** The load now (the last second's ELU and CPU, counters as they are): for a /metrics scrape. */
  | { readonly type: 'load' }
  /**
   * Close every socket, then exit with `exitCode`. Before a worker is terminated: Node 20 aborts the whole
   * process when a UDP packet arrives at a worker whose JavaScript is being terminated (UDPWrap::OnRecv,
   * "FATAL ERROR: v8::FromJust Maybe value is Nothing"), so a worker's sockets close before it goes.
   */
  | { readonly type: 'shutdown'; readonly exitCode: number }
  | { readonly type: 'inspect' };

export interface WorkerReplies {
  createRouter: void;
  closeRouter: void;
  createPeer: void;
  closePeer: void;
  /** Our answer SDP, with the worker's media port in its candidates. */
  publishOffer: { sdp: string };
  subscribeAnswer: void;
  repairSubscribe: RepairOutcome;
  consume: void;
  setPreferredLayer: void;
  unconsume: void;
  setProducerPaused: void;
  closeProducer: void;
  createPipeProducer: void;
  pipeProducer: void;
  unpipeProducer: void;
  requestKeyframe: void;
  load: WorkerLoad;
  shutdown: void;
  inspect: WorkerInspection;
}

export type ReplyOf<T extends WorkerRequest['type']> = WorkerReplies[T];

/** A codec as it crosses (werift's RTCRtpCodecParameters without its methods). */
export interface CodecDescription {
  readonly payloadType: number;
  readonly mimeType: string;
  readonly clockRate: number;
  readonly channels?: number | undefined;
  readonly rtcpFeedback: readonly { type: string; parameter?: string | undefined }[];
  readonly parameters?: string | undefined;
}

/** A producer with what another worker needs to forward it: its codecs, with the publisher's payload types. */
export interface PipedProducer extends ProducerInfo {
  readonly codecs: readonly CodecDescription[];
  /** The payload type of the codec the publisher sends. */
  readonly payloadType: number;
  /** Its simulcast layers' rids, lowest first ([''] without simulcast); piped copies forward the same layers. */
  readonly rids: readonly string[];
}

/** main → worker. */
export interface WorkerEnvelope {
  /** 0: no reply wanted. */
  readonly id: number;
  readonly request: WorkerRequest;
}

/** A peer event as it crosses: the event's name and its arguments (PeerEvents). */
export type PeerEventMessage = { [K in keyof PeerEvents]: { readonly name: K; readonly args: PeerEvents[K] } }[keyof PeerEvents];

/** What a worker measured over the last LOAD_REPORT_MS. */
export interface WorkerLoad {
  /** Event-loop utilisation since the previous report, 0..1 (`performance.eventLoopUtilization()` deltas). */
  readonly elu: number;
  /** CPU time of this thread since the previous report, as a fraction of one core (0..1+). */
  readonly cpu: number;
  /** The worker's own counters since it started (media-stats.ts). */
  readonly counters: MediaCounters;
  readonly routers: number;
  readonly peers: number;
  /** Consumers: tracks forwarded, one per subscriber per track. */
  readonly forwardedTracks: number;
  /** Media paths by transport (udp, tcp, relay). */
  readonly sessions: Readonly<Record<string, number>>;
  /** The media port's refusals (route-table.ts, tcp-mux.ts). */
  readonly dropped: Readonly<Record<string, number>>;
  readonly tcpClosed: Readonly<Record<string, number>>;
}

/** What a test or the bench can ask a worker, fresh: its resources (all must go back to zero when its rooms close) and its totals. */
export interface WorkerInspection {
  readonly index: number;
  /** Its counters since it started (media-stats.ts). */
  readonly counters: MediaCounters;
  /** CPU time of its thread since it started, µs (thread-cpu.ts); undefined where it cannot be told. */
  readonly cpuMicros: number | undefined;
  /** `performance.eventLoopUtilization()` since it started: ms active and idle. */
  readonly eventLoop: { readonly active: number; readonly idle: number };
  readonly routers: number;
  readonly peers: number;
  readonly peerConnectionsOpen: number;
  readonly ufrags: number;
  readonly endpoints: number;
  /** Pipes to and from other workers (both ends counted where they are). */
  readonly pipes: number;
  readonly sessions: Readonly<Record<string, number>>;
  /** The media port's refusals so far (route-table.ts, tcp-mux.ts). */
  readonly dropped: Readonly<Record<string, number>>;
  readonly tcpClosed: Readonly<Record<string, number>>;
  /** `process.getActiveResourcesInfo()` of the worker thread, counted by kind (UDPWrap, Timeout, ...). */
  readonly resources: Readonly<Record<string, number>>;
}

/** worker → main. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly udpPort: number | undefined; readonly tcpPort: number | undefined; readonly pipePort: number }
  | { readonly type: 'startFailed'; readonly message: string }
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: Error }
  | { readonly type: 'producerAdded'; readonly routerId: string; readonly producer: PipedProducer }
  /** Each publisher's loudness on this router now (owner id, 0..127), every 300 ms while any sends audio. */
  | { readonly type: 'audioLevels'; readonly routerId: string; readonly levels: readonly (readonly [string, number])[] }
  /** A piped producer here wants a keyframe of a layer from the original (its worker is told by the main thread). */
  | { readonly type: 'keyframeWanted'; readonly routerId: string; readonly producerId: string; readonly layer: number }
  /** A producer's simulcast layers changed size (its first keyframes; the encoder scaling one): the layer choice may change. */
  | { readonly type: 'producerLayers'; readonly routerId: string; readonly producerId: string; readonly layers: readonly LayerInfo[] }
  | { readonly type: 'producerClosed'; readonly routerId: string; readonly producerId: string }
  | { readonly type: 'peerEvent'; readonly routerId: string; readonly peerId: string; readonly event: PeerEventMessage }
  | { readonly type: 'load'; readonly load: WorkerLoad };
