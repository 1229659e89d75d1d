/**
 * The Confab server: HTTP (web client, health) and WebSocket signaling on one
 * port, rooms and media in this process. Owns everything it starts;
 * `close()` releases all of it.
 */
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config/config.js';
import { serverPeerConfig } from '../media/peer-config.js';
import { LocalRoomGateway } from '../service/local-room-gateway.js';
import { ParticipantSession } from '../service/participant-session.js';
import type { Logger } from '../util/log.js';
import { HttpRoutes, sendError } from './routes.js';
import { ConfabError } from '../protocol/errors.js';
import { defaultWebRoot, WebClient } from './web-client.js';
import { WS_MAX_PAYLOAD, WsSignalingChannel } from './ws-transport.js';
import { VERSION } from './version.js';

export class ConfabServer {
  readonly gateway: LocalRoomGateway;
  readonly http: HttpServer;
  readonly startedAt = Date.now();
  readonly #wss: WebSocketServer;
  readonly #channels = new Set<WsSignalingChannel>();
  #heartbeat: NodeJS.Timeout | undefined;
  #ready = false;
  #closed = false;

  constructor(
    readonly config: Config,
    private readonly log: Logger,
  ) {
    this.gateway = new LocalRoomGateway(
      {
        maxParticipantsPerRoom: config.maxParticipantsPerRoom,
        peerConfig: serverPeerConfig(config.media),
        iceServers: config.iceServers,
        serverVersion: VERSION,
      },
      log,
    );
    const web = new WebClient(config.webRoot ?? defaultWebRoot());
    if (!web.available) log.warn({ webRoot: web.root }, 'web client not built: pages answer 503 until `npm run build`');
    const routes = new HttpRoutes(config.basePath, web, {
      version: VERSION,
      startedAt: this.startedAt,
      isReady: () => this.#ready,
      stats: () => ({ rooms: this.gateway.registry.size, participants: this.gateway.participantCount() }),
    });
    this.http = createServer((req, res) => {
      try {
        routes.handle(req, res);
      } catch (error) {
        log.error({ err: error, url: req.url }, 'http route failed');
        if (!res.headersSent) sendError(res, new ConfabError('internal_error'));
        else res.destroy();
      }
    });
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  /** Listens; resolves with the bound port (useful with HTTP_PORT=0). */
  async start(): Promise<number> {
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
    this.#ready = true;
    const address = this.http.address();
    const port = typeof address === 'object' && address ? address.port : this.config.httpPort;
    this.log.info({ port, publicUrl: this.config.publicUrl, version: VERSION }, `Confab listening on http://localhost:${port}${this.config.basePath}`);
    return port;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#ready = false;
    clearInterval(this.#heartbeat);
    // Clients reconnect on this code (to this server restarted, or another replica).
    for (const channel of this.#channels) channel.close('server_shutting_down');
    this.gateway.close();
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== `${this.config.basePath}signaling`) {
      socket.end(`HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ error: 'not_found', message: `no WebSocket endpoint at ${path}; signaling is at ${this.config.basePath}signaling` })}\n`);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const channel = new WsSignalingChannel(ws, req);
    this.#channels.add(channel);
    const session = new ParticipantSession(
      channel,
      this.gateway,
      { helloTimeoutMs: this.config.helloTimeoutMs, remoteAddress: channel.description, isAccepting: () => this.#ready },
      this.log,
    );
    ws.on('message', (data, isBinary) => {
      session.receive(isBinary ? '\u0000binary' : data.toString());
    });
    ws.on('close', () => {
      this.#channels.delete(channel);
      session.transportClosed();
    });
    ws.on('error', (error) => this.log.debug({ err: error, from: channel.description }, 'websocket error'));
  }
}
