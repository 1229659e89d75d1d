/**
 * Token links in real browsers, against a server with ENABLE_AUTH=1: pages
 * opened with `?jwt=<token>` as a class platform links them. Tokens come
 * from the independent test signer (node:crypto).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { nowS, signJwt } from '../support/jwt.js';
import { inbound, launchBrowser, openParticipant, startServer, waitFor, type RunningServer } from './support.js';

const SECRET = 'e2e-secret-long-enough-for-hs256-0123456789';
const APP = 'class_platform';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

function token(room: string, user: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return signJwt({ iss: APP, aud: 'jitsi', sub: 'meet.jitsi', room, exp: nowS() + 3600, context: { user }, ...extra }, { secret: SECRET });
}

/** Opens the link as a class platform makes it; `prejoin` false skips the prejoin screen. */
async function open(room: string, tok: string, prejoin = false): Promise<{ page: Page; sockets: string[] }> {
  const hash = prejoin ? '#config.resolution=240' : '#config.prejoinConfig.enabled=false&config.resolution=240';
  const { context, page } = await openParticipant(browser, `${server.url}${room}?jwt=${tok}${hash}`);
  contexts.push(context);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  return { page, sockets };
}

/** The page's test hook (web/src/main.ts), typed by what these tests read. */
type Hook = { confab?: { conference?: { participantId?: string; participants: Map<string, { role: string }>; media?: unknown } } };

const selfRole = (page: Page): Promise<string | undefined> =>
  page.evaluate(() => {
    const c = (window as unknown as Hook).confab?.conference;
    return c?.participantId ? c.participants.get(c.participantId)?.role : undefined;
  });

describe('token links in real browsers', { timeout: 180_000 }, () => {
  before(async () => {
    server = await startServer({ ENABLE_AUTH: '1', AUTH_TYPE: 'jwt', JWT_APP_ID: APP, JWT_APP_SECRET: SECRET });
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  test('three participants with valid tokens see each other; the moderator token gives the moderator role', async () => {
    const teacher = await open('maths-101', token('maths-101', { id: 't1', name: 'Ms Hopper', moderator: 'true' }));
    await waitFor(() => selfRole(teacher.page), (r) => r !== undefined, 10_000);
    const ada = await open('maths-101', token('maths-101', { id: 's1', name: 'Ada' }));
    const bob = await open('maths-101', token('*', { id: 's2', name: 'Bob' }));
    const pages = [teacher.page, ada.page, bob.page];
    for (const page of pages) {
      const n = await waitFor(() => page.locator('.tile').count(), (c) => c === 3, 15_000);
      assert.equal(n, 3, 'three tiles');
    }
    // Names come from the tokens (context.user.name).
    assert.deepEqual((await ada.page.locator('.tile-name').allTextContents()).sort(), ['Ada (you)', 'Bob', 'Ms Hopper']);
    for (const page of pages) {
      const media = await waitFor(() => inbound(page), (s) => Object.values(s.video).filter((f) => f > 5).length === 2, 20_000);
      assert.equal(Object.values(media.video).filter((f) => f > 5).length, 2, `decoding both others: ${JSON.stringify(media)}`);
    }
    assert.equal(await selfRole(teacher.page), 'moderator');
    assert.equal(await selfRole(ada.page), 'participant');
    assert.equal(await selfRole(bob.page), 'participant');
    assert.equal(await teacher.page.locator('.tile.self.moderator').count(), 1);
    assert.equal(await ada.page.locator('.tile.moderator[data-name="Ms Hopper"]').count(), 1, 'others see who moderates');
    assert.equal(await ada.page.locator('.tile.moderator').count(), 1);
    for (const page of pages) await page.close();
  });

  test('an expired token shows token_expired at once and never reaches signaling or the SFU', async () => {
    const expired = token('maths-101', { name: 'Late' }, { exp: nowS() - 42 });
    const response = await fetch(`${server.url}maths-101?jwt=${expired}`);
    assert.equal(response.status, 401);
    const { page, sockets } = await open('maths-101', expired);
    await page.waitForSelector('.error-card');
    assert.equal(await page.locator('.error-code').textContent(), 'Error code: token_expired');
    // The plain words for the person, the specific reason in small print for whoever helps them.
    assert.equal(await page.locator('.error-message').textContent(), 'The sign-in link has expired. Go back to your class platform and open the meeting again.');
    assert.match((await page.locator('.error-detail').textContent()) ?? '', /^token expired 4\d s ago \(exp /);
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(sockets, [], 'no signaling connection');
    assert.equal(await page.evaluate(() => (window as unknown as Hook).confab?.conference === undefined), true, 'no conference, no peer connection');
    assert.ok(server.logs.some((l) => l.includes('room page refused') && l.includes('"code":"token_expired"')));
    assert.ok(!server.logs.some((l) => l.includes('"displayName":"Late"')), 'never joined');
    await page.close();
  });

  test('a token that expires on the prejoin screen is refused at join with token_expired', async () => {
    const soon = token('physics', { name: 'Slow' }, { exp: nowS() + 4 });
    const { page, sockets } = await open('physics', soon, true);
    await page.waitForSelector('#prejoin-join');
    assert.equal(await page.locator('#prejoin-name').inputValue(), 'Slow', 'the name from the token is filled in');
    await new Promise((r) => setTimeout(r, 5500));
    await page.click('#prejoin-join');
    await page.waitForSelector('.error-card', { timeout: 10_000 });
    assert.equal(await page.locator('.error-code').textContent(), 'Error code: token_expired');
    assert.match((await page.locator('.error-message').textContent()) ?? '', /^The sign-in link has expired\./);
    assert.match((await page.locator('.error-detail').textContent()) ?? '', /^token expired \d+ s ago/);
    assert.equal(sockets.length, 1, 'signaling was reached once, and refused it');
    assert.equal(await page.evaluate(() => (window as unknown as Hook).confab?.conference?.media === undefined), true, 'no media session was started');
    assert.ok(server.logs.some((l) => l.includes('signaling session refused') && l.includes('"code":"token_expired"')));
    assert.ok(!server.logs.some((l) => l.includes('"displayName":"Slow"') && l.includes('participant joined')));
    await page.close();
  });
});
