/**
 * The HTTP edge below the base path. Everything Confab serves lives under one
 * prefix (PUBLIC_URL's path), so a single proxy rule routes all of it;
 * route-table.ts says what each path is, and this serves it: pages, assets,
 * health, metrics, the REST API, and both signaling transports (plain
 * requests and WebSocket upgrades).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ConfabError, ERRORS } from '../protocol/errors.js';
import { parseRoomPath, type RoomAddress } from '../protocol/room-name.js';
import type { Logger } from '../util/log.js';
import { pathBelowBase } from './base-path.js';
import type { MetricsEndpoint } from './metrics-endpoint.js';
import { routeOf, type RouteKind } from './route-table.js';
import type { WebClient } from './web-client.js';

/**
 * Checks a room page's `?jwt=` before the page is served, so a bad link
 * shows its error at once: no camera prompt, no signaling, no media. The
 * hello is still verified on its own; this only answers sooner.
 */
export type PageAdmission = (token: string | undefined, address: RoomAddress) => Promise<unknown>;

export interface HealthSource {
  readonly version: string;
  readonly startedAt: number;
  isReady(): boolean;
  /** This node's load; in cluster mode also the cluster's (`cluster`). */
  stats(): { rooms: number; participants: number; workers?: unknown; cluster?: unknown };
}

/** What serves the routes that are not plain pages: each gets the request as it came. */
export interface RouteTargets {
  /** The REST API below `api/` (api-routes.ts); `rest` is the path below the base path. */
  readonly api?: (req: IncomingMessage, res: ServerResponse, rest: string, url: URL) => Promise<void>;
  /** Long-poll signaling (longpoll-transport.ts). */
  readonly longPoll: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
  /** WebSocket signaling (ws-transport.ts): an upgrade request for `<base>signaling`. */
  readonly websocket: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export interface RoutesOptions {
  readonly basePath: string;
  readonly web: WebClient;
  readonly health: HealthSource;
  readonly targets: RouteTargets;
  readonly pageAdmission?: PageAdmission;
  /** `<base>metrics` (metrics-endpoint.ts); undefined: served on METRICS_PORT instead, so not here. */
  readonly metrics: Pick<MetricsEndpoint, 'serve'> | undefined;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}

/** The catalogue's `{ error, message }` body with the code's status. */
export function sendError(res: ServerResponse, error: ConfabError): void {
  sendJson(res, ERRORS[error.code].status, error.toJSON());
}

export class HttpRoutes {
  constructor(
    private readonly o: RoutesOptions,
    private readonly log: Logger,
  ) {}

  /** Every HTTP request. Failures are logged and answered with internal_error; nothing escapes. */
  request(req: IncomingMessage, res: ServerResponse): void {
    const failed = (error: unknown): void => {
      this.log.error({ err: error, path: req.url?.split('?')[0] }, 'http route failed');
      if (!res.headersSent) sendError(res, new ConfabError('internal_error'));
      else res.destroy();
    };
    try {
      const pending = this.serve(req, res);
      if (pending) pending.catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  /** Every WebSocket upgrade request: only the signaling endpoint takes one. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const rest = pathBelowBase(path, this.o.basePath);
    if (rest !== undefined && routeOf(rest) === 'websocket') return this.o.targets.websocket(req, socket, head);
    const error = new ConfabError('not_found', `no WebSocket endpoint at ${path}; signaling is at ${this.o.basePath}signaling`);
    socket.end(`HTTP/1.1 ${ERRORS.not_found.status} Not Found\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify(error)}\n`);
  }

  private serve(req: IncomingMessage, res: ServerResponse): void | Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const rest = pathBelowBase(path, this.o.basePath);
    if (rest === undefined) {
      // Redirect the base path without its slash; anything else is not ours.
      if (`${path}/` === this.o.basePath) return this.redirect(res, this.o.basePath);
      return sendError(res, new ConfabError('not_found', `no route for ${path}: Confab serves everything under ${this.o.basePath}`));
    }
    const kind = routeOf(rest);
    // Long-poll takes POSTs as well; it answers other methods itself.
    if (kind === 'long-poll') return this.o.targets.longPoll(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendError(res, new ConfabError('method_not_allowed', `${req.method} is not allowed on ${path}`));
    }
    return this.serveGet(kind, req, res, rest, url);
  }

  private serveGet(kind: RouteKind, req: IncomingMessage, res: ServerResponse, rest: string, url: URL): void | Promise<void> {
    const { web, health, targets } = this.o;
    switch (kind) {
      case 'healthz':
        return sendJson(res, 200, { status: 'ok', version: health.version, uptimeS: Math.round((Date.now() - health.startedAt) / 1000) });
      case 'readyz': {
        const ready = health.isReady();
        return sendJson(res, ready ? 200 : 503, { ready, version: health.version, ...health.stats() });
      }
      case 'home':
        return web.servePage(res, this.boot());
      case 'metrics':
        if (!this.o.metrics) return sendError(res, new ConfabError('not_found', 'the metrics are served on their own port (METRICS_PORT), not here'));
        return this.o.metrics.serve(req, res);
      case 'external-api':
        return web.serveExternalApi(res);
      case 'favicon':
        res.writeHead(204).end();
        return;
      case 'api':
        // `api/` is the REST API's, never a tenant's rooms.
        if (!targets.api) return this.serveRoom(req, res, rest, url);
        return targets.api(req, res, rest, url);
      case 'asset':
        // sirv resolves against the web root; give it the path below the base.
        req.url = `/${rest}${url.search}`;
        return web.serveAsset(req, res, () =>
          sendError(res, new ConfabError('not_found', `no asset ${url.pathname}: is the web client built (npm run build)?`)),
        );
      case 'websocket':
        return sendError(res, new ConfabError('upgrade_required', `${url.pathname} is the WebSocket signaling endpoint: connect with a WebSocket`));
      case 'long-poll':
      case 'room':
        return this.serveRoom(req, res, rest, url);
    }
  }

  /** A room's page, once its address (and, with token auth, its `?jwt=`) checks out; else the error page. */
  private serveRoom(req: IncomingMessage, res: ServerResponse, rest: string, url: URL): void | Promise<void> {
    let address: RoomAddress;
    try {
      address = parseRoomPath(rest);
    } catch (error) {
      if (!(error instanceof ConfabError)) throw error;
      return this.serveError(req, res, error);
    }
    const admission = this.o.pageAdmission;
    if (!admission) return this.o.web.servePage(res, this.boot());
    return admission(url.searchParams.get('jwt') ?? undefined, address).then(
      () => this.o.web.servePage(res, this.boot()),
      (error: unknown) => {
        if (!(error instanceof ConfabError)) throw error;
        this.serveError(req, res, error);
      },
    );
  }

  /** The error page (401/403/400... from the catalogue), or `{ error, message }` JSON for a client that asks for JSON. */
  private serveError(req: IncomingMessage, res: ServerResponse, error: ConfabError): void {
    const accept = req.headers.accept ?? '';
    if (accept.includes('application/json') && !accept.includes('text/html')) return sendError(res, error);
    this.o.web.serveError(res, { ...this.boot(), error: { code: error.code, message: error.message } });
  }

  private boot(): { basePath: string; serverVersion: string } {
    return { basePath: this.o.basePath, serverVersion: this.o.health.version };
  }

  private redirect(res: ServerResponse, location: string): void {
    res.writeHead(308, { location }).end();
  }
}
