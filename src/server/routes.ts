/**
 * HTTP routing below the base path. Everything Confab serves lives under one
 * prefix (PUBLIC_URL's path), so a single proxy rule routes all of it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfabError, ERRORS } from '../protocol/errors.js';
import { parseRoomPath, type RoomAddress } from '../protocol/room-name.js';
import { pathBelowBase } from './base-path.js';
import type { WebClient } from './web-client.js';

/**
 * Checks a room page's `?jwt=` before the page is served, so a bad link
 * shows its error at once: no camera prompt, no signaling, no media. The
 * hello is still verified on its own; this only answers sooner.
 */
export type PageAdmission = (token: string | undefined, address: RoomAddress) => Promise<unknown>;

/** The REST API below `api/` (api-routes.ts); `rest` is the path below the base path. */
export type ApiHandler = (req: IncomingMessage, res: ServerResponse, rest: string, url: URL) => Promise<void>;

export interface HealthSource {
  readonly version: string;
  readonly startedAt: number;
  isReady(): boolean;
  stats(): { rooms: number; participants: number };
  /** Prometheus exposition, when metrics are on. */
  metrics?(): Promise<{ contentType: string; body: string }>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}

export function sendError(res: ServerResponse, error: ConfabError): void {
  sendJson(res, ERRORS[error.code].status, error.toJSON());
}

export class HttpRoutes {
  constructor(
    private readonly basePath: string,
    private readonly web: WebClient,
    private readonly health: HealthSource,
    private readonly pageAdmission?: PageAdmission,
    private readonly api?: ApiHandler,
  ) {}

  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const rest = pathBelowBase(path, this.basePath);
    if (rest === undefined) {
      // Redirect the base path without its slash; anything else is not ours.
      if (`${path}/` === this.basePath) return this.redirect(res, this.basePath);
      return sendError(res, new ConfabError('not_found', `no route for ${path}: Confab serves everything under ${this.basePath}`));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendError(res, new ConfabError('method_not_allowed', `${req.method} is not allowed on ${path}`));
    }
    switch (rest) {
      case 'healthz':
        return sendJson(res, 200, { status: 'ok', version: this.health.version, uptimeS: Math.round((Date.now() - this.health.startedAt) / 1000) });
      case 'readyz': {
        const ready = this.health.isReady();
        return sendJson(res, ready ? 200 : 503, { ready, version: this.health.version, ...this.health.stats() });
      }
      case '':
        return this.web.servePage(res, this.boot());
      case 'metrics':
        if (!this.health.metrics) break;
        return this.health.metrics().then(({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
          res.end(body);
        });
      case 'external_api.js':
        return this.web.serveExternalApi(res);
      case 'favicon.ico':
        res.writeHead(204).end();
        return;
    }
    // `api/` is the REST API's, never a tenant's rooms.
    if (this.api && (rest === 'api' || rest.startsWith('api/'))) return this.api(req, res, rest, url);
    if (rest.startsWith('assets/')) {
      // sirv resolves against the web root; give it the path below the base.
      req.url = `/${rest}${url.search}`;
      return this.web.serveAsset(req, res, () =>
        sendError(res, new ConfabError('not_found', `no asset ${path}: is the web client built (npm run build)?`)),
      );
    }
    if (rest === 'signaling') {
      return sendError(res, new ConfabError('upgrade_required', `${path} is the WebSocket signaling endpoint: connect with a WebSocket`));
    }
    let address: RoomAddress;
    try {
      address = parseRoomPath(rest);
    } catch (error) {
      if (!(error instanceof ConfabError)) throw error;
      return this.serveError(req, res, error);
    }
    if (!this.pageAdmission) return this.web.servePage(res, this.boot());
    return this.pageAdmission(url.searchParams.get('jwt') ?? undefined, address).then(
      () => this.web.servePage(res, this.boot()),
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
    this.web.serveError(res, { ...this.boot(), error: { code: error.code, message: error.message } });
  }

  private boot(): { basePath: string; serverVersion: string } {
    return { basePath: this.basePath, serverVersion: this.health.version };
  }

  private redirect(res: ServerResponse, location: string): void {
    res.writeHead(308, { location }).end();
  }
}
