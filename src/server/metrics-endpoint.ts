/**
 * Serving the Prometheus metrics. They say how many classes run, who
 * reports what and how the media paths fare: not for the public (issue 11:
 * `/metrics` was public through the one Ingress rule). Two ways to keep it
 * in:
 *
 * - METRICS_PORT: a listener of its own, answering `/metrics` only, on a
 *   port the proxy or Ingress does not expose (the Kubernetes manifests use
 *   9100, reached by Prometheus inside the cluster); the HTTP port then
 *   answers `<base>metrics` with 404;
 * - METRICS_TOKEN: `/metrics` (on either port) answers only a request with
 *   `Authorization: Bearer <METRICS_TOKEN>`, 401 `metrics_token_invalid`
 *   otherwise (`confab doctor --metrics-token` sends it).
 *
 * Without either, `<base>metrics` is public on the HTTP port, as before.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Secret } from '../config/secret.js';
import { ConfabError } from '../protocol/errors.js';
import { sendError } from './routes.js';

export type RenderMetrics = () => Promise<{ contentType: string; body: string }>;

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export class MetricsEndpoint {
  #server: Server | undefined;

  constructor(
    private readonly render: RenderMetrics,
    private readonly token: Secret | undefined,
  ) {}

  /** A GET of the metrics: served, or refused without the token. */
  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.token) {
      const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
      // Compared as hashes: equal length for timingSafeEqual, and no timing hint at the token's length.
      if (!timingSafeEqual(digest(given), digest(this.token.reveal()))) {
        res.setHeader('www-authenticate', 'Bearer realm="confab-metrics"');
        return sendError(res, new ConfabError('metrics_token_invalid', given === '' ? undefined : 'the Bearer token is not METRICS_TOKEN'));
      }
    }
    const { contentType, body } = await this.render();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(body);
  }

  /** METRICS_PORT: a listener for `/metrics` only; resolves with its port (useful with 0). */
  async listen(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== '/metrics') return sendError(res, new ConfabError('not_found', `this is the metrics port: GET /metrics`));
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        return sendError(res, new ConfabError('method_not_allowed'));
      }
      this.serve(req, res).catch(() => {
        if (!res.headersSent) sendError(res, new ConfabError('internal_error'));
        else res.destroy();
      });
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new Error(`cannot listen on ${host}:${port} (METRICS_PORT): ${error.message}`, { cause: error })));
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
