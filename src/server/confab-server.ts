/**
 * The Confab server: HTTP (web client, health, REST API) and signaling
 * (WebSocket, or long-poll) on one port, rooms and media in this process.
 * Assembles the layers and owns everything it starts; `close()` releases all
 * of it, `drain()` after participants have left.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { Config } from '../config/config.js';
import type { MediaWorkerPool } from '../media/worker/media-worker-pool.js';
import { ConfabError } from '../protocol/errors.js';
import { admissionPolicy, tokenVerifierFor, type AdmissionPolicy } from '../service/auth/admission.js';
import { ApiAccess } from '../service/auth/api-access.js';
import { RejoinTickets } from '../service/auth/rejoin-tickets.js';
import { Cluster } from '../service/cluster/cluster.js';
import { defaultAdvertiseHost } from '../service/cluster/cluster-node.js';
import { LocalRoomGateway } from '../service/local-room-gateway.js';
import type { RoomGateway } from '../service/room-gateway.js';
import { localRooms, localView } from '../service/live-view.js';
import { JoinLimits } from '../service/join-limits.js';
import { ResumeRegistry } from '../service/session-resume.js';
import type { SignalingChannel } from '../service/signaling-channel.js';
import { SignalingConnection } from '../service/signaling-connection.js';
import { WebhookOutbox } from '../service/webhooks/webhook-outbox.js';
import type { Logger } from '../util/log.js';
import { ApiRoutes } from './api-routes.js';
import { ClusterListener } from './cluster-listener.js';
import { waitUntilEmpty, type DrainOptions, type DrainOutcome } from './drain.js';
import { LongPollTransport } from './longpoll-transport.js';
import { createMediaWorkers, type MediaSetup } from './media-setup.js';
import { MediaPlacement } from '../service/media-placement.js';
import { MetricsEndpoint } from './metrics-endpoint.js';
import { ConfabMetrics } from './metrics.js';
import { HttpRoutes, type PageAdmission } from './routes.js';
import { VERSION } from './version.js';
import { defaultWebRoot, WebClient } from './web-client.js';
import { WebSocketTransport } from './ws-transport.js';

export class ConfabServer {
  /** The rooms this process hosts (all of them without REDIS_URL). */
  readonly gateway: LocalRoomGateway;
  /** Cluster mode (REDIS_URL): rooms shared with the other replicas through Redis. */
  readonly cluster: Cluster | undefined;
  /** Where joins go: the cluster's gateway (which hosts here or relays), or the local one. */
  readonly roomGateway: RoomGateway;
  readonly #clusterListener: ClusterListener | undefined;
  /** The media workers (MEDIA_WORKERS): every peer connection and packet lives in one of them. */
  readonly media: MediaWorkerPool;
  readonly metrics: ConfabMetrics;
  readonly admission: AdmissionPolicy;
  readonly rejoinTickets: RejoinTickets | undefined;
  /** Participants whose connection dropped, held RESUME_GRACE_S for a session resume. */
  readonly resume: ResumeRegistry;
  /** Attendance webhooks (WEBHOOK_URL), when configured. */
  readonly webhooks: WebhookOutbox | undefined;
  readonly http: HttpServer;
  readonly startedAt = Date.now();
  readonly #mediaSetup: MediaSetup;
  readonly #websocket: WebSocketTransport;
  readonly #longPoll: LongPollTransport;
  readonly #joinLimits = new JoinLimits();
  readonly #metricsEndpoint: MetricsEndpoint;
  /** The METRICS_PORT listener's port once started; undefined: metrics are on the HTTP port. */
  metricsPort: number | undefined;
  #ready = false;
  #closed = false;

  constructor(
    readonly config: Config,
    private readonly log: Logger,
  ) {
    const verifier = tokenVerifierFor(config.auth);
    this.admission = admissionPolicy(config.auth, verifier);
    this.rejoinTickets = config.auth.enabled ? new RejoinTickets() : undefined;
    this.#mediaSetup = createMediaWorkers(config);
    this.media = this.#mediaSetup.pool;
    this.metrics = new ConfabMetrics({
      rooms: () => this.gateway.occupancy().rooms,
      participants: () => this.gateway.participantCount(),
      publishedTracks: () => this.gateway.publishedTrackCounts(),
      forwardedTracks: () => this.gateway.forwardedTrackCount(),
      mediaSessions: () => this.media.sessionCounts(),
      mediaCounters: () => this.media.counters(),
      workers: () => this.media.workers,
      workerRestarts: () => this.media.restarts,
      refreshMedia: () => this.media.refresh(),
      signalingConnections: () => ({ websocket: this.#websocket.size, 'long-poll': this.#longPoll.size }),
      interruptedParticipants: () => this.resume.suspendedCount(),
      webhookBacklog: () => this.webhooks?.backlog(),
      mediaPortRefusals: () => this.media.refusals(),
    });
    this.resume = new ResumeRegistry(config.resumeGraceMs, log, (outcome) => this.metrics.resume(outcome));
    const placement = new MediaPlacement(() => this.media.workers);
    this.gateway = new LocalRoomGateway({ ...config, placement, participantsPerWorker: config.media.participantsPerWorker, channelLastN: config.media.channelLastN, observer: this.metrics, serverVersion: VERSION }, log);
    this.media.on('workerDied', (worker, reason) => log.error({ worker, reason }, 'media worker died: its rooms move to another worker'));
    this.media.on('workerReplaced', (worker) => log.info({ worker }, 'media worker replaced'));
    this.media.on('workerStartFailed', (worker, reason) => log.error({ worker, reason }, 'media worker replacement failed to start: retrying'));
    this.cluster = config.cluster
      ? new Cluster(
          {
            config: config.cluster,
            // As bound (MEDIA_UDP_PORT=0 picks a port at start).
            media: () => {
              const { mediaUdpPorts, mediaTcpPorts } = this.#mediaSetup.boundPorts();
              return { ips: config.media.advertiseIps, udpPort: mediaUdpPorts[0] ?? config.media.udpPort, tcpPort: mediaTcpPorts[0] ?? config.media.tcpPort };
            },
            version: VERSION,
            pingIntervalMs: config.pingIntervalMs,
            resumeGraceMs: config.resumeGraceMs,
          },
          this.gateway,
          this.resume,
          log,
        )
      : undefined;
    this.roomGateway = this.cluster?.gateway ?? this.gateway;
    this.#clusterListener = this.cluster && new ClusterListener(this.cluster, () => ({ rooms: localRooms(this.gateway) }), log);
    // The end of a class revokes every rejoin ticket to it, also those of people who dropped earlier.
    this.gateway.on('classEnded', (room) => this.rejoinTickets?.revokeRoom(room.key));
    // Opened here, so a bad WEBHOOK_OUTBOX_PATH fails before anything listens; follows every room from the first.
    this.webhooks = config.webhooks ? new WebhookOutbox(config.webhooks, log, { userAgent: `Confab/${VERSION}` }) : undefined;
    this.webhooks?.attach(this.gateway);
    this.logSettings();
    const web = new WebClient(config.webRoot ?? defaultWebRoot(), config.allowedEmbedOrigins);
    if (!web.available) log.warn({ webRoot: web.root }, 'web client not built: pages answer 503 until `npm run build`');
    this.#metricsEndpoint = new MetricsEndpoint(() => this.metrics.render(), config.metricsToken);
    const live = localView(this.gateway);
    const api = new ApiRoutes(new ApiAccess(config.auth, config.apiToken, verifier), this.cluster?.liveView(live) ?? live, log);
    this.#websocket = new WebSocketTransport(config.pingIntervalMs, (channel) => this.connection(channel), log);
    this.#longPoll = new LongPollTransport(2 * config.pingIntervalMs, (channel) => this.connection(channel));
    const routes = new HttpRoutes(
      {
        basePath: config.basePath,
        web,
        health: {
          version: VERSION,
          startedAt: this.startedAt,
          // Not ready while no media worker runs (all of them being replaced): a join would have nowhere to go.
          isReady: () => this.#ready && this.media.workers.some((w) => w.running),
          stats: () => ({ ...this.gateway.occupancy(), workers: this.media.summary(), ...(this.cluster ? { cluster: this.cluster.view() } : {}) }),
        },
        metrics: config.metricsPort === undefined ? this.#metricsEndpoint : undefined,
        targets: {
          api: (req, res, rest, url) => api.handle(req, res, rest, url),
          longPoll: (req, res, url) => this.#longPoll.handle(req, res, url),
          websocket: (req, socket, head) => this.#websocket.handleUpgrade(req, socket, head),
        },
        pageAdmission: config.auth.enabled ? this.pageAdmission() : undefined,
      },
      log,
    );
    this.http = createServer((req, res) => routes.request(req, res));
    this.http.on('upgrade', (req, socket, head) => routes.upgrade(req, socket, head));
  }

  /** Listens; resolves with the bound port (useful with HTTP_PORT=0). */
  async start(): Promise<number> {
    await this.media.start();
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.config.httpPort, this.config.httpHost, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    if (this.config.metricsPort !== undefined) this.metricsPort = await this.#metricsEndpoint.listen(this.config.metricsPort, this.config.httpHost);
    this.#websocket.start();
    if (this.cluster && this.#clusterListener) {
      const { port: clusterPort, advertiseHost } = this.config.cluster!;
      const bound = await this.#clusterListener.listen(clusterPort, this.config.httpHost);
      await this.cluster.start(`http://${advertiseHost ?? defaultAdvertiseHost()}:${bound}`);
    }
    this.webhooks?.start();
    this.#ready = true;
    const address = this.http.address();
    const port = typeof address === 'object' && address ? address.port : this.config.httpPort;
    const media = this.#mediaSetup.boundPorts();
    const metrics = `${this.metricsPort !== undefined ? `port ${this.metricsPort}` : `${this.config.basePath}metrics on the HTTP port`}${this.config.metricsToken ? ' with METRICS_TOKEN' : ''}`;
    this.log.info({ port, publicUrl: this.config.publicUrl, version: VERSION, metrics, ...media }, `Confab listening on http://localhost:${port}${this.config.basePath}`);
    return port;
  }

  /** SIGTERM: unready and refusing hellos at once (server_not_ready: clients retry on a ready replica), current
   *  participants keep their media until they leave or the timeout; then close() tells the rest to reconnect. */
  async drain(options: DrainOptions): Promise<DrainOutcome> {
    this.#ready = false;
    // Cluster mode: the rooms here stay here (joins for them are relayed in from the other replicas); new ones go elsewhere.
    this.cluster?.drain();
    const outcome = await waitUntilEmpty(() => this.gateway.occupancy(), options, this.log);
    await this.close();
    return outcome;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#ready = false;
    // Cluster mode: rooms given up (with their state) before anyone is told to reconnect, so they land on a live node.
    await this.cluster?.stopHosting();
    // The departures that closing causes are the server stopping, not people leaving.
    this.webhooks?.serverShuttingDown();
    // Clients reconnect on server_shutting_down (to this server restarted, or another replica).
    this.#websocket.close();
    this.#longPoll.close();
    this.cluster?.closeRelays();
    this.resume.close();
    this.gateway.close();
    this.http.closeAllConnections();
    await Promise.all([new Promise<void>((resolve) => this.http.close(() => resolve())), this.#metricsEndpoint.close()]);
    await this.#clusterListener?.close();
    // After the rooms closed (their routers asked their workers to close their peer connections).
    await this.media.close();
    await this.cluster?.close();
    // After the rooms closed: their last events are in the outbox; send what goes through, keep the rest on disk.
    await this.webhooks?.close();
  }

  /** A signaling connection over either transport. */
  private connection(transport: SignalingChannel): SignalingConnection {
    return new SignalingConnection(
      transport,
      this.roomGateway,
      { helloTimeoutMs: this.config.helloTimeoutMs, isAccepting: () => this.#ready, observer: this.metrics, admission: this.admission, rejoinTickets: this.rejoinTickets, resume: this.resume, joinLimits: this.#joinLimits },
      this.log,
    );
  }

  /** With token auth, a room page's `?jwt=` is checked before the page is served (refusals logged with their code). */
  private pageAdmission(): PageAdmission {
    return (token, address) =>
      this.admission.admit(token, address).catch((error: unknown) => {
        if (error instanceof ConfabError) this.log.info({ room: address.key, code: error.code, reason: error.message }, 'room page refused');
        throw error;
      });
  }

  private logSettings(): void {
    for (const warning of this.config.warnings) this.log.warn({ config: true }, warning);
    const auth = this.config.auth;
    if (!auth.enabled) return;
    const { acceptedIssuers, acceptedAudiences, asapKeyServer, allowEmpty, domainVerification, xmppDomain } = auth;
    this.log.info(
      { issuers: acceptedIssuers, audiences: acceptedAudiences, keyServer: asapKeyServer, hmac: auth.appSecret !== undefined, allowEmpty, domainVerification, xmppDomain: domainVerification ? xmppDomain : undefined },
      'token authentication on (AUTH_TYPE=jwt)',
    );
  }
}
