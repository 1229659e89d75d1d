/**
 * Serves the built web client: hashed assets with long caching, and the
 * single page for every room address, with boot data (base path, version,
 * or the error for an invalid room name) written into it.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { ERRORS, type ErrorCode } from '../protocol/errors.js';
import { pageSecurityHeaders } from './page-headers.js';

export interface BootData {
  readonly basePath: string;
  readonly serverVersion: string;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

/** The built client, dist/web, whether the server runs from dist/src/server or from src/server (tsx). */
export function defaultWebRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const top = resolve(here, '../..');
  return basename(top) === 'dist' ? join(top, 'web') : join(top, 'dist', 'web');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A server started before `npm run build`: plain words for whoever opened the page, with the catalogue's code. */
function notBuilt(res: ServerResponse, detail: string): void {
  const { status, message } = ERRORS.web_client_not_built;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${message} (${detail})\nError code: web_client_not_built\n`);
}

export class WebClient {
  readonly #template: string | undefined;
  readonly #assets: ReturnType<typeof sirv>;
  readonly #pageHeaders: Record<string, string>;

  /** `frameAncestors`: who may embed the pages (ALLOWED_EMBED_ORIGINS as CSP sources). */
  constructor(
    readonly root: string,
    frameAncestors: readonly string[] = ['*'],
  ) {
    this.#pageHeaders = pageSecurityHeaders(frameAncestors);
    const index = join(root, 'index.html');
    this.#template = existsSync(index) ? readFileSync(index, 'utf8') : undefined;
    this.#assets = sirv(root, { immutable: true, dev: false, etag: true, gzip: false, brotli: false });
  }

  get available(): boolean {
    return this.#template !== undefined;
  }

  serveAsset(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    this.#assets(req, res, next);
  }

  /**
   * external_api.js keeps its name across releases (platforms hard-code the
   * URL), so it is revalidated on every load rather than cached forever.
   */
  serveExternalApi(res: ServerResponse): void {
    const path = join(this.root, 'external_api.js');
    if (!existsSync(path)) return notBuilt(res, `no ${path}`);
    res.writeHead(200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(readFileSync(path));
  }

  servePage(res: ServerResponse, boot: BootData, status = 200): void {
    const errorText = boot.error
      ? `<noscript><p>${escapeHtml(boot.error.message)}</p><p>Error code: ${boot.error.code}</p></noscript>`
      : '';
    if (!this.#template) return notBuilt(res, `no index.html in ${this.root}`);
    // JSON in a script tag: escape '<' so no value can end the tag.
    const json = JSON.stringify(boot).replace(/</g, '\\u003c');
    const html = this.#template
      .replace('<head>', `<head>\n    <base href="${escapeHtml(boot.basePath)}">`)
      .replace('</body>', `${errorText}<script id="confab-boot" type="application/json">${json}</script>\n  </body>`);
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      ...this.#pageHeaders,
    });
    res.end(html);
  }

  serveError(res: ServerResponse, boot: BootData & { error: NonNullable<BootData['error']> }): void {
    this.servePage(res, boot, ERRORS[boot.error.code].status);
  }
}
