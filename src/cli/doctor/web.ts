/** Check 2: the web page and its assets load (200) under the base path. */
import { missingRouteFix } from './fixes.js';
import { describeAnswer, excerpt, formatBytes, httpGet } from './probe.js';
import type { DoctorContext, DoctorOptions, Report } from './types.js';

interface Boot {
  basePath?: string;
  serverVersion?: string;
}

/** The boot data Confab writes into every page it serves. */
function bootData(html: string): Boot | undefined {
  const json = /<script id="confab-boot" type="application\/json">([^<]*)<\/script>/.exec(html)?.[1];
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as Boot;
  } catch {
    return undefined;
  }
}

/** Script and stylesheet URLs, resolved the way a browser does (against `<base href>`). */
function assetUrls(html: string, pageUrl: URL): URL[] {
  const baseHref = /<base href="([^"]*)"/.exec(html)?.[1];
  const base = baseHref !== undefined ? new URL(baseHref, pageUrl) : pageUrl;
  const urls: URL[] = [];
  for (const m of html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"[^>]*>/g)) {
    const ref = m[1]!;
    if (ref.startsWith('data:') || !/\.(m?js|css)(\?|$)/.test(ref)) continue;
    urls.push(new URL(ref, base));
  }
  return urls;
}

export async function webChecks(o: DoctorOptions, _ctx: DoctorContext, report: Report): Promise<void> {
  const base = o.url.pathname;
  const page = await httpGet(o.url, o.timeoutMs, 'text/html');
  const boot = page.ok ? bootData(page.body) : undefined;
  if (!page.ok || page.status !== 200 || !boot) {
    const what = `GET ${base} -> ${describeAnswer(page)}`;
    let fix: string;
    if (!page.ok) fix = `the page did not load: ${page.error.startsWith('no answer') ? 'a proxy or firewall holds the request' : 'see the network checks above'}`;
    else if (page.status >= 300 && page.status < 400) fix = `something redirects ${base} (to ${excerpt(page.body)}): Confab serves its page at ${base} itself; remove the redirect or fix PUBLIC_URL`;
    else if (page.status === 200) fix = `${base} answers, but not with Confab's page (another application or a default backend): ${missingRouteFix({ ...page, status: 404 }, base, base, o.url.href)}`;
    else if (page.status === 503 && page.body.includes('not built')) fix = 'the web client is not built on the server: run `npm run build` (or use the release image)';
    else fix = missingRouteFix(page, base, base, o.url.href);
    report({ group: 'web', name: 'page', status: 'fail', evidence: what, fix, latencyMs: page.ms, data: page.ok ? { status: page.status } : {} });
    return;
  }
  const serverBase = boot.basePath ?? '/';
  if (serverBase !== base && base.startsWith(serverBase)) {
    // A room page answers with the same page: the URL given was a room link, not the base.
    const baseUrl = new URL(serverBase, o.url).href;
    report({ group: 'web', name: 'page', status: 'fail', evidence: `GET ${base} -> 200 Confab ${boot.serverVersion ?? '?'} page for a room: the base path is ${serverBase}`, fix: `run the doctor on the base URL, without the room: confab doctor ${baseUrl}`, latencyMs: page.ms });
    return;
  }
  if (serverBase !== base) {
    report({
      group: 'web',
      name: 'page',
      status: 'fail',
      evidence: `GET ${base} -> 200 Confab ${boot.serverVersion ?? '?'} page in ${page.ms} ms, but the server's base path is ${serverBase}`,
      fix: `browsers would load assets and signaling from ${serverBase}, which this URL does not route: set PUBLIC_URL=${o.url.href} on the server`,
      latencyMs: page.ms,
    });
    return;
  }
  report({ group: 'web', name: 'page', status: 'pass', evidence: `GET ${base} -> 200 text/html ${formatBytes(page.bytes)}, Confab ${boot.serverVersion ?? '?'} page (base ${serverBase}) in ${page.ms} ms`, latencyMs: page.ms, data: { status: 200, serverVersion: boot.serverVersion } });

  const assets = assetUrls(page.body, o.url);
  if (assets.length === 0) {
    report({ group: 'web', name: 'assets', status: 'fail', evidence: `the page at ${base} names no script or stylesheet`, fix: 'the web client build is incomplete: rebuild it (npm run build)' });
    return;
  }
  const outside = assets.filter((a) => a.origin !== o.url.origin || !a.pathname.startsWith(base));
  if (outside.length > 0) {
    report({ group: 'web', name: 'assets', status: 'fail', evidence: `assets outside ${base}: ${outside.map((a) => a.pathname).join(', ')}`, fix: `the page uses absolute asset paths that a ${base} route does not cover: rebuild the web client with relative paths (npm run build)` });
    return;
  }
  const started = performance.now();
  const answers = await Promise.all(assets.map(async (url) => ({ url, answer: await httpGet(url, o.timeoutMs) })));
  const ms = Math.round(performance.now() - started);
  const bad = answers.filter(({ answer }) => !answer.ok || answer.status !== 200);
  if (bad.length > 0) {
    const first = bad[0]!;
    const path = first.url.pathname;
    report({
      group: 'web',
      name: 'assets',
      status: 'fail',
      evidence: `${bad.length} of ${assets.length} assets failed: GET ${path} -> ${describeAnswer(first.answer)}`,
      fix: first.answer.ok ? missingRouteFix(first.answer, path, base, o.url.href) : `assets did not load: ${first.answer.error}`,
      latencyMs: ms,
    });
    return;
  }
  const list = answers.map(({ url, answer }) => `${url.pathname.slice(base.length)} ${formatBytes(answer.ok ? answer.bytes : 0)}`).join(', ');
  report({ group: 'web', name: 'assets', status: 'pass', evidence: `${assets.length} assets 200 (${list}) in ${ms} ms`, latencyMs: ms, data: { assets: answers.map(({ url }) => url.pathname) } });
}
