/**
 * CLUSTER_PORT: where the other replicas reach this one (cluster mode only).
 * Two routes, both for nodes only (an authenticated link token,
 * src/service/cluster/link-auth.ts): the relay WebSocket (relayed
 * participants of rooms hosted here) and this node's own live view, which
 * the REST API of whichever node is asked merges into the cluster's.
 * Nothing here is for browsers: keep the port inside the cluster.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Cluster } from '../service/cluster/cluster.js';
import { RELAY_PATH, ROOMS_PATH } from '../service/cluster/relay-protocol.js';
import type { Logger } from '../util/log.js';
import { WS_MAX_PAYLOAD } from './ws-transport.js';

export class ClusterListener {
  readonly #http: Server;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });

  constructor(
    private readonly cluster: Cluster,
    /** This node's rooms and who is in them (the REST API's live view, as JSON). */
    rooms: () => unknown,
    private readonly log: Logger,
  ) {
    this.#http = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://node').pathname;
      if (!cluster.authorizeLink(req.headers.authorization)) return void res.writeHead(401).end();
      if (req.method === 'GET' && path === ROOMS_PATH) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify(rooms()));
      }
      res.writeHead(404).end();
    });
    this.#http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  /** Listens; resolves with the bound port. */
  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(port, host, () => {
        this.#http.off('error', reject);
        resolve();
      });
    });
    const address = this.#http.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://node').pathname;
    if (path !== RELAY_PATH || !this.cluster.authorizeLink(req.headers.authorization)) {
      this.log.warn({ from: req.socket.remoteAddress, path }, 'cluster link refused: not another node of this cluster');
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.cluster.acceptRelay(ws, `relay ${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`));
  }
}
