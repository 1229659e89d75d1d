/**
 * A media worker thread's entry point (issue 14): binds its own media
 * port(s), hosts the MediaRouters of the rooms placed on it and answers the
 * main thread's requests (worker-protocol.ts). Everything that touches a
 * packet runs here; the main thread only hears about it at signaling rate.
 */
import { performance } from 'node:perf_hooks';
import { threadCpuUsage } from './thread-cpu.js';
import { parentPort, workerData } from 'node:worker_threads';
import { dispatch, type HandlerTable } from '../../protocol/dispatch.js';
import { RTCRtpCodecParameters } from 'werift';
import type { MediaPeer } from '../media-peer.js';
import { Producer } from '../producer.js';
import { PipeSink, pipeInput } from '../pipe/pipe.js';
import { PipeSocket } from '../pipe/pipe-socket.js';
import { MediaRouter } from '../media-router.js';
import { mediaStats } from '../media-stats.js';
import { DirectTransport, MuxTransport, type MediaTransport } from '../transport/media-transport.js';
import { LOAD_REPORT_MS, type WorkerLoad, type PeerEventMessage, type WorkerEnvelope, type WorkerMessage, type WorkerReplies, type WorkerRequest, type WorkerSettings } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('media-worker-thread.ts runs as a worker thread (src/media/worker/media-worker.ts starts it)');
const settings = workerData as WorkerSettings;
const post = (message: WorkerMessage): void => port.postMessage(message);

const transport: MediaTransport =
  settings.transport.mode === 'single' ? new MuxTransport(settings.transport.mux) : new DirectTransport(settings.transport.network);
const routers = new Map<string, MediaRouter>();
/** Producers piped to other workers, by `${routerId}/${producerId}/${pipeId}`. */
const pipeSinks = new Map<string, PipeSink>();
let pipe: PipeSocket;

try {
  await transport.start();
  pipe = await PipeSocket.open();
} catch (error) {
  post({ type: 'startFailed', message: (error as Error).message });
  port.close();
  process.exit(1);
}

const mux = transport instanceof MuxTransport ? transport : undefined;

function router(routerId: string): MediaRouter {
  const r = routers.get(routerId);
  if (!r) throw new Error(`no media router ${routerId} on worker ${settings.index}`);
  return r;
}

function peer(routerId: string, peerId: string): MediaPeer {
  const p = router(routerId).peers.get(peerId);
  if (!p) throw new Error(`no media peer ${peerId} in router ${routerId}`);
  return p;
}

/** Relays every contract event of a peer (media-api.ts PeerEvents) to the main thread. */
function relayPeer(routerId: string, p: MediaPeer): void {
  const relay = (event: PeerEventMessage): void => post({ type: 'peerEvent', routerId, peerId: p.ownerId, event });
  p.on('subscribeOffer', (...args) => relay({ name: 'subscribeOffer', args }));
  p.on('connectionState', (...args) => relay({ name: 'connectionState', args }));
  p.on('negotiationFailed', (...args) => relay({ name: 'negotiationFailed', args }));
  p.on('trackUnavailable', (...args) => relay({ name: 'trackUnavailable', args }));
  p.on('mediaStalled', (...args) => relay({ name: 'mediaStalled', args }));
  p.on('publishIceRestartNeeded', () => relay({ name: 'publishIceRestartNeeded', args: [] }));
  p.on('mediaRepaired', (...args) => relay({ name: 'mediaRepaired', args }));
  p.on('mediaRepairFailed', (...args) => relay({ name: 'mediaRepairFailed', args }));
  p.on('receiveBandwidth', (...args) => relay({ name: 'receiveBandwidth', args }));
  p.once('closed', () => relay({ name: 'closed', args: [] }));
}

/** One handler per request: a request type without one does not compile. */
const handlers: { [T in WorkerRequest['type']]: (request: Extract<WorkerRequest, { type: T }>) => WorkerReplies[T] | Promise<WorkerReplies[T]> } = {
  createRouter: ({ routerId }) => {
    if (routers.has(routerId)) throw new Error(`media router ${routerId} already exists`);
    const r = new MediaRouter(routerId, transport);
    routers.set(routerId, r);
    r.on('producerAdded', (producer) => {
      post({ type: 'producerAdded', routerId, producer: producer.piped() });
      producer.on('layersChanged', (layers) => post({ type: 'producerLayers', routerId, producerId: producer.id, layers }));
      producer.once('closed', () => post({ type: 'producerClosed', routerId, producerId: producer.id }));
    });
    r.on('audioLevels', (levels) => post({ type: 'audioLevels', routerId, levels: [...levels] }));
    r.once('closed', () => routers.delete(routerId));
  },
  closeRouter: async ({ routerId }) => {
    await routers.get(routerId)?.close();
  },
  createPeer: ({ routerId, peerId, receiveVideoCodecs }) => {
    const p = router(routerId).createPeer(peerId, receiveVideoCodecs && new Set(receiveVideoCodecs));
    relayPeer(routerId, p);
  },
  closePeer: async ({ routerId, peerId }) => {
    await routers.get(routerId)?.closePeer(peerId);
  },
  publishOffer: async ({ routerId, peerId, sdp, sources }) => ({ sdp: await peer(routerId, peerId).handlePublishOffer(sdp, sources) }),
  subscribeAnswer: ({ routerId, peerId, sdp }) => peer(routerId, peerId).handleSubscribeAnswer(sdp),
  repairSubscribe: ({ routerId, peerId }) => routers.get(routerId)?.peers.get(peerId)?.repairSubscribe() ?? 'no-subscribe-connection',
  consume: ({ routerId, peerId, producerId, layer }) => {
    const r = routers.get(routerId);
    const producer = r?.producers.get(producerId);
    // Either may have gone since the main thread decided (a leave crossing the message): nothing to do.
    if (producer) r?.peers.get(peerId)?.consume(producer, layer);
  },
  setPreferredLayer: ({ routerId, peerId, producerId, layer }) => routers.get(routerId)?.peers.get(peerId)?.consumers.get(producerId)?.setPreferredLayer(layer),
  unconsume: ({ routerId, peerId, producerId }) => routers.get(routerId)?.peers.get(peerId)?.unconsume(producerId),
  setProducerPaused: ({ routerId, producerId, paused }) => routers.get(routerId)?.producers.get(producerId)?.setPaused(paused),
  closeProducer: ({ routerId, producerId }) => routers.get(routerId)?.producers.get(producerId)?.close(),
  createPipeProducer: ({ routerId, producer: p, fromPort, pipeId }) => {
    const codecs = p.codecs.map((c) => new RTCRtpCodecParameters({ ...c, rtcpFeedback: c.rtcpFeedback.map((f) => ({ ...f })) }));
    const codec = codecs.find((c) => c.payloadType === p.payloadType) ?? codecs[0];
    if (!codec) throw new Error(`piped producer ${p.id} has no codec`);
    const wantKeyframe = (layer: number): void => post({ type: 'keyframeWanted', routerId, producerId: p.id, layer });
    router(routerId).addPipedProducer(new Producer(p.id, p.ownerId, p.kind, p.source, codec, codecs, pipeInput(pipe, fromPort, pipeId, p.rids, wantKeyframe)));
  },
  pipeProducer: ({ routerId, producerId, toPort, pipeId }) => {
    const producer = routers.get(routerId)?.producers.get(producerId);
    if (!producer) return;
    const key = `${routerId}/${producerId}/${pipeId}`;
    const sink = new PipeSink(producer, pipe, toPort, pipeId);
    pipeSinks.set(key, sink);
    producer.once('closed', () => pipeSinks.delete(key));
    // The far side's subscribers start on a keyframe.
    producer.requestKeyframe();
  },
  unpipeProducer: ({ routerId, producerId, pipeId }) => {
    const key = `${routerId}/${producerId}/${pipeId}`;
    pipeSinks.get(key)?.close();
    pipeSinks.delete(key);
  },
  requestKeyframe: ({ routerId, producerId, layer }) => routers.get(routerId)?.producers.get(producerId)?.requestKeyframe(layer),
  load: () => currentLoad(),
  shutdown: ({ exitCode }) => {
    // No packet may reach this thread while it is terminated (worker-protocol.ts): stop reading first
    // (in range mode each peer connection has sockets of its own: close them too).
    for (const r of routers.values()) void r.close();
    transport.close();
    pipe.close();
    setImmediate(() => process.exit(exitCode));
  },
  inspect: () => {
    const resources: Record<string, number> = {};
    for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] ?? 0) + 1;
    let peers = 0;
    for (const r of routers.values()) peers += r.peers.size;
    const loop = performance.eventLoopUtilization();
    return {
      index: settings.index,
      counters: { ...mediaStats },
      cpuMicros: threadCpuUsage(),
      eventLoop: { active: loop.active, idle: loop.idle },
      routers: routers.size,
      peers,
      peerConnectionsOpen: mediaStats.peerConnectionsOpen,
      ufrags: mux?.routes.ufragCount ?? 0,
      pipes: pipeSinks.size + pipe.inboundCount,
      endpoints: mux?.routes.endpointCount ?? 0,
      sessions: transport.sessionCounts(),
      dropped: mux ? { ...mux.routes.dropped } : {},
      tcpClosed: mux ? { ...mux.tcpClosedFor } : {},
      resources,
    };
  },
};

port.on('message', ({ id, request }: WorkerEnvelope) => {
  void (async () => {
    try {
      const value: unknown = await dispatch(handlers as HandlerTable<WorkerRequest, unknown>, request);
      if (id !== 0) post({ type: 'reply', id, ok: true, value });
    } catch (error) {
      if (id !== 0) post({ type: 'reply', id, ok: false, error: error instanceof Error ? error : new Error(String(error)) });
    }
  })();
});

// The load report, once a second: also the heartbeat the main thread watches for a blocked loop.
let elu = performance.eventLoopUtilization();
let cpu = threadCpuUsage();
let cpuAt = performance.now();
/** The last window's utilisation and CPU (updated once a second), with everything else as it is now. */
let window = { elu: 0, cpu: 0 };
function currentLoad(): WorkerLoad {
  let peers = 0;
  let forwardedTracks = 0;
  for (const r of routers.values()) {
    peers += r.peers.size;
    for (const p of r.peers.values()) forwardedTracks += p.consumers.size;
  }
  return {
    ...window,
    counters: { ...mediaStats },
    routers: routers.size,
    peers,
    forwardedTracks,
    sessions: transport.sessionCounts(),
    dropped: mux ? { ...mux.routes.dropped } : {},
    tcpClosed: mux ? { ...mux.tcpClosedFor } : {},
  };
}
const reportLoad = (): void => {
  const nextElu = performance.eventLoopUtilization();
  const nextCpu = threadCpuUsage();
  const now = performance.now();
  window = {
    elu: performance.eventLoopUtilization(nextElu, elu).utilization,
    cpu: nextCpu === undefined || cpu === undefined ? 0 : (nextCpu - cpu) / 1000 / (now - cpuAt),
  };
  elu = nextElu;
  cpu = nextCpu;
  cpuAt = now;
  post({ type: 'load', load: currentLoad() });
};
setInterval(reportLoad, LOAD_REPORT_MS);
// A first report before `ready`: from the moment the server is up, /metrics lists every refusal reason (at 0).
// Its window is empty (utilisation 0), not the start-up's module loading: a start-up ELU of 1 made a new
// worker look saturated to placement until its first real report, a second later.
post({ type: 'load', load: currentLoad() });
post({ type: 'ready', udpPort: mux?.udpPort, tcpPort: mux?.tcpPort, pipePort: pipe.port });
