/**
 * The page's own hardening in Chromium (issue 11): its Content-Security-Policy
 * does not break it (a class with a token link joins, sends and receives media,
 * with no CSP violation reported), the `?jwt=` leaves the address bar once
 * read, and `frame-ancestors` (ALLOWED_EMBED_ORIGINS) lets the platform embed
 * the meeting and nobody else. embed.test.ts checks the default, any page.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { nowS, signJwt } from '../support/jwt.js';
import { inbound, launchBrowser, openParticipant, startServer, waitFor, type RunningServer } from './support.js';

const SECRET = 'e2e-hardening-secret-0123456789abcdef012';
let server: RunningServer;
let browser: Browser;
let platform: Server;
let stranger: Server;
let platformUrl = '';
let strangerUrl = '';
const contexts: BrowserContext[] = [];

const token = (name: string): string =>
  signJwt({ iss: 'platform', aud: 'jitsi', room: '*', exp: nowS() + 3600, context: { user: { id: name, name } } }, { secret: SECRET });

/** A page that embeds the meeting in an iframe, as a class platform does. */
function hostPage(): string {
  const src = `${server.url}embedded-class?jwt=${token('Embedded')}#config.prejoinConfig.enabled=false&config.resolution=240`;
  return `<!doctype html><html><body><h1>Platform</h1><iframe id="meet" src="${src}" width="640" height="400" allow="camera; microphone"></iframe></body></html>`;
}

async function listen(): Promise<{ server: Server; url: string }> {
  const host = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(hostPage()));
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  return { server: host, url: `http://127.0.0.1:${(host.address() as { port: number }).port}/` };
}

/** Collects CSP violations from the page's first script on (a string: see openParticipant). */
const RECORD_VIOLATIONS = `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
`;
const violations = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);

before(async () => {
  ({ server: platform, url: platformUrl } = await listen());
  ({ server: stranger, url: strangerUrl } = await listen());
  server = await startServer({
    ENABLE_AUTH: '1',
    JWT_APP_ID: 'platform',
    JWT_APP_SECRET: SECRET,
    ALLOWED_EMBED_ORIGINS: new URL(platformUrl).origin,
  });
  browser = await launchBrowser();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => platform?.close(resolve));
  await new Promise((resolve) => stranger?.close(resolve));
});

test('under its CSP the page joins with a token link, sends and receives media, and drops the token from the address bar', { timeout: 120_000 }, async () => {
  const pages: Page[] = [];
  for (const name of ['Teacher', 'Student']) {
    const url = `${server.url}csp-class?jwt=${token(name)}#config.prejoinConfig.enabled=false&config.resolution=240`;
    const { context, page } = await openParticipant(browser, url, RECORD_VIOLATIONS);
    contexts.push(context);
    pages.push(page);
  }
  for (const page of pages) {
    const media = await waitFor(() => inbound(page), (m) => Object.values(m.video).some((f) => f > 10) && Object.values(m.audio).some((p) => p > 20), 30_000);
    assert.ok(Object.values(media.video).some((f) => f > 10), `video decoded under the CSP: ${JSON.stringify(media)}`);
    assert.deepEqual(await violations(page), [], 'no CSP violation');
    const address = new URL(page.url());
    assert.equal(address.searchParams.get('jwt'), null, 'the token left the address bar');
    assert.match(address.hash, /prejoinConfig/, 'the link options stay');
  }
});

test('frame-ancestors: the platform embeds the meeting, another origin cannot', { timeout: 120_000 }, async () => {
  const { context, page } = await openParticipant(browser, platformUrl);
  contexts.push(context);
  const frame = await waitFor(
    async () => page.frames().find((f) => f.url().startsWith(server.url)),
    (f) => f !== undefined,
    10_000,
  );
  assert.ok(frame, 'the meeting loaded in the platform page');
  const joined = await waitFor(
    () => frame.evaluate(() => (window as unknown as { confab?: { conference?: { participantId?: string } } }).confab?.conference?.participantId),
    (id) => typeof id === 'string',
    20_000,
  );
  assert.equal(typeof joined, 'string', 'joined from inside the platform page');
  assert.equal(await frame.evaluate(() => new URLSearchParams(location.search).get('jwt')), null);

  const other = await openParticipant(browser, strangerUrl);
  contexts.push(other.context);
  const blocked = await waitFor(
    async () => other.page.frames().map((f) => f.url()),
    (urls) => urls.some((u) => u.startsWith('chrome-error://')),
    10_000,
  );
  assert.ok(blocked.some((u) => u.startsWith('chrome-error://')), `the meeting refused to load in another origin's page: ${blocked.join(', ')}`);
  assert.ok(!blocked.some((u) => u.startsWith(server.url)));
});
