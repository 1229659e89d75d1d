/**
 * The Confab server: HTTP (web client, health) and WebSocket signaling on one
 * port, rooms and media in this process. Owns everything it starts;
 * `close()` releases all of it, `drain()` after participants have left.
 */
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config/config.js';
import { MuxTransport, type MediaTransport } from '../media/transport/media-transport.js';
import { createMediaTransport } from './media-setup.js';
import { waitUntilEmpty, type DrainOptions, type DrainOutcome } from './drain.js';
import { LocalRoomGateway } from '../service/local-room-gateway.js';
import { ParticipantSession } from '../service/participant-session.js';
import { admissionPolicy, TokenAdmission, type AdmissionPolicy } from '../service/auth/admission.js';
import { ApiAccess } from '../service/auth/api-access.js';
import { WebhookOutbox } from '../service/webhooks/webhook-outbox.js';
import { ApiRoutes } from './api-routes.js';
import { RejoinTickets } from '../service/auth/rejoin-tickets.js';
import { ResumeRegistry } from '../service/session-resume.js';
import type { Logger } from '../util/log.js';
import { HttpRoutes, sendError } from './routes.js';
import { ConfabError } from '../protocol/errors.js';
import { defaultWebRoot, WebClient } from './web-client.js';
import { WS_MAX_PAYLOAD, WsSignalingChannel } from './ws-transport.js';
import { LongPollTransport } from './longpoll-transport.js';
import { pathBelowBase } from './base-path.js';
import type { SignalingChannel } from '../service/signaling-channel.js';
import { VERSION } from './version.js';
import { ConfabMetrics } from './metrics.js';

export class ConfabServer {
  readonly gateway: LocalRoomGateway;
  readonly media: MediaTransport;
  readonly metrics: ConfabMetrics;
  readonly admission: AdmissionPolicy;
  readonly rejoinTickets: RejoinTickets | undefined;
  /** Participants whose connection dropped, held RESUME_GRACE_S for a session resume. */
  readonly resume: ResumeRegistry;
  /** Attendance webhooks (WEBHOOK_URL), when configured. */
  readonly webhooks: WebhookOutbox | undefined;
  readonly http: HttpServer;
  readonly startedAt = Date.now();
  readonly #wss: WebSocketServer;
  readonly #longPoll: LongPollTransport;
  readonly #channels = new Set<WsSignalingChannel>();
  #heartbeat: NodeJS.Timeout | undefined;
  #ready = false;
  #closed = false;

  constructor(
    readonly config: Config,
    private readonly log: Logger,
  ) {
    this.admission = admissionPolicy(config.auth);
    this.rejoinTickets = config.auth.enabled ? new RejoinTickets() : undefined;
    this.media = createMediaTransport(config);
    this.metrics = new ConfabMetrics({
      rooms: () => this.gateway.registry.size,
      participants: () => this.gateway.participantCount(),
      publishedTracks: () => this.gateway.publishedTrackCounts(),
      forwardedTracks: () => this.gateway.forwardedTrackCount(),
      mediaSessions: () => this.media.sessionCounts(),
      signalingConnections: () => ({ websocket: this.#channels.size, 'long-poll': this.#longPoll.size }),
      interruptedParticipants: () => this.resume.suspendedCount(),
      webhookBacklog: () => this.webhooks?.backlog(),
    });
    this.resume = new ResumeRegistry(config.resumeGraceMs, log, (outcome) => this.metrics.resume(outcome));
    this.gateway = new LocalRoomGateway(
      {
        maxParticipantsPerRoom: config.maxParticipantsPerRoom,
        transport: this.media,
        iceServers: config.iceServers,
        turn: config.turn,
        observer: this.metrics,
        serverVersion: VERSION,
        autoOwner: config.autoOwner,
        lobbyByDefault: config.lobbyByDefault,
      },
      log,
    );
    // Opened here, so a bad WEBHOOK_OUTBOX_PATH fails before anything listens; follows every room from the first.
    this.webhooks = config.webhooks ? new WebhookOutbox(config.webhooks, log, { userAgent: `Confab/${VERSION}` }) : undefined;
    this.webhooks?.attach(this.gateway.registry);
    for (const warning of config.warnings) log.warn({ config: true }, warning);
    if (config.auth.enabled) {
      const { acceptedIssuers, acceptedAudiences, asapKeyServer, allowEmpty, domainVerification, xmppDomain } = config.auth;
      log.info(
        { issuers: acceptedIssuers, audiences: acceptedAudiences, keyServer: asapKeyServer, hmac: config.auth.appSecret !== undefined, allowEmpty, domainVerification, xmppDomain: domainVerification ? xmppDomain : undefined },
        'token authentication on (AUTH_TYPE=jwt)',
      );
    }
    const web = new WebClient(config.webRoot ?? defaultWebRoot());
    if (!web.available) log.warn({ webRoot: web.root }, 'web client not built: pages answer 503 until `npm run build`');
    const api = new ApiRoutes(
      new ApiAccess(config.auth, config.apiToken, this.admission instanceof TokenAdmission ? this.admission.verifier : undefined),
      this.gateway.registry,
      log,
    );
    const routes = new HttpRoutes(
      config.basePath,
      web,
      {
        version: VERSION,
        startedAt: this.startedAt,
        isReady: () => this.#ready,
        stats: () => ({ rooms: this.gateway.registry.size, participants: this.gateway.participantCount() }),
        metrics: () => this.metrics.render(),
      },
      config.auth.enabled
        ? (token, address) =>
            this.admission.admit(token, address).catch((error: unknown) => {
              if (error instanceof ConfabError) log.info({ room: address.key, code: error.code, reason: error.message }, 'room page refused');
              throw error;
            })
        : undefined,
      (req, res, rest, url) => api.handle(req, res, rest, url),
    );
    this.#longPoll = new LongPollTransport(2 * config.pingIntervalMs, (channel) => this.newSession(channel));
    this.http = createServer((req, res) => {
      const failed = (error: unknown): void => {
        log.error({ err: error, path: req.url?.split('?')[0] }, 'http route failed');
        if (!res.headersSent) sendError(res, new ConfabError('internal_error'));
        else res.destroy();
      };
      try {
        if (pathBelowBase(req.url?.split('?')[0] ?? '/', config.basePath) === 'signaling/lp') {
          this.#longPoll.handle(req, res, new URL(req.url ?? '/', 'http://localhost')).catch(failed);
          return;
        }
        const pending = routes.handle(req, res);
        if (pending) pending.catch(failed);
      } catch (error) {
        failed(error);
      }
    });
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
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
    this.#heartbeat = setInterval(() => {
      for (const channel of this.#channels) channel.heartbeat();
    }, this.config.pingIntervalMs);
    this.webhooks?.start();
    this.#ready = true;
    const address = this.http.address();
    const port = typeof address === 'object' && address ? address.port : this.config.httpPort;
    const mux = this.media instanceof MuxTransport ? { mediaUdpPort: this.media.udpPort, mediaTcpPort: this.media.tcpPort } : {};
    this.log.info({ port, publicUrl: this.config.publicUrl, version: VERSION, ...mux }, `Confab listening on http://localhost:${port}${this.config.basePath}`);
    return port;
  }

  /** SIGTERM: unready and refusing hellos at once (server_not_ready: clients retry on a ready replica), current
   *  participants keep their media until they leave or the timeout; then close() tells the rest to reconnect. */
  async drain(options: DrainOptions): Promise<DrainOutcome> {
    this.#ready = false;
    const outcome = await waitUntilEmpty(() => ({ rooms: this.gateway.registry.size, participants: this.gateway.participantCount() }), options, this.log);
    await this.close();
    return outcome;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#ready = false;
    clearInterval(this.#heartbeat);
    // The departures that closing causes are the server stopping, not people leaving.
    this.webhooks?.serverShuttingDown();
    // Clients reconnect on this code (to this server restarted, or another replica).
    for (const channel of this.#channels) channel.close('server_shutting_down');
    this.#longPoll.close();
    this.resume.close();
    this.gateway.close();
    this.media.close();
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    // After the rooms closed: their last events are in the outbox; send what goes through, keep the rest on disk.
    await this.webhooks?.close();
  }

  /** A signaling session over any transport (WebSocket or long-poll). */
  private newSession(channel: SignalingChannel): ParticipantSession {
    return new ParticipantSession(
      channel,
      this.gateway,
      { helloTimeoutMs: this.config.helloTimeoutMs, remoteAddress: channel.description, isAccepting: () => this.#ready, observer: this.metrics, admission: this.admission, rejoinTickets: this.rejoinTickets, resume: this.resume },
      this.log,
    );
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathBelowBase(path, this.config.basePath) !== 'signaling') {
      socket.end(`HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ error: 'not_found', message: `no WebSocket endpoint at ${path}; signaling is at ${this.config.basePath}signaling` })}\n`);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const channel = new WsSignalingChannel(ws, req);
    this.#channels.add(channel);
    const session = this.newSession(channel);
    ws.on('message', (data, isBinary) => {
      session.receive(isBinary ? '\u0000binary' : data.toString());
    });
    ws.on('close', (code) => {
      this.#channels.delete(channel);
      // 1000/1001: the page said goodbye or went away. Anything else (1006: the network; a missed ping) may come back.
      session.transportClosed(channel.closedByServer || code === 1000 || code === 1001 ? 'clean' : 'lost');
    });
    ws.on('error', (error) => this.log.debug({ err: error, from: channel.description }, 'websocket error'));
  }
}
