/**
 * Network blips between a browser and Confab, made by a TCP proxy on the
 * signaling path (media goes straight over UDP, as it does when only the
 * HTTP ingress hiccups): the page resumes its session on a new connection.
 * Same participant, same peer connections (no renegotiation), video keeps
 * being decoded both ways, and the other participant never sees a leave or
 * a join; a mute made while the connection was dead still reaches everyone.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { TcpProxy } from '../support/tcp-proxy.js';
import { inbound, joinUrl, launchBrowser, openParticipant, startServer, waitFor, type RunningServer } from './support.js';

let browser: Browser;
let server: RunningServer;
let proxy: TcpProxy;

before(async () => {
  browser = await launchBrowser();
  server = await startServer();
  proxy = new TcpProxy(server.port);
  await proxy.start();
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await server?.stop();
});

const totalFrames = async (page: Page): Promise<number> => Object.values((await inbound(page)).video).reduce((a, b) => a + b, 0);

/** Records, in the page, what its conference tells the embed API: joins, leaves, updates. */
const RECORD = `(() => {
  const c = window.confab.conference;
  window.__seen = { joined: [], left: [], interrupted: [] };
  c.events.on('participantJoined', (p) => window.__seen.joined.push(p.id));
  c.events.on('participantLeft', (id) => window.__seen.left.push(id));
  c.events.on('participantUpdated', (p) => p.connectionInterrupted && window.__seen.interrupted.push(p.id));
  window.__media = c.media;
})()`;

interface Seen {
  joined: string[];
  left: string[];
  interrupted: string[];
}

const seen = (page: Page): Promise<Seen> => page.evaluate('window.__seen') as Promise<Seen>;
const participantId = (page: Page): Promise<string> => page.evaluate('window.confab.conference.participantId') as Promise<string>;
const sameMedia = (page: Page): Promise<boolean> => page.evaluate('window.confab.conference.media === window.__media') as Promise<boolean>;
const resumes = (): Promise<number> => Promise.resolve(server.logs.filter((l) => l.includes('session resumed')).length);
const state = (page: Page): Promise<string> => page.evaluate('window.confab.conference.state') as Promise<string>;

async function twoInACall(room: string, adaTransport = 'websocket'): Promise<{ ada: Page; bob: Page; adaId: string }> {
  // Ada's signaling goes through the proxy; Bob connects directly.
  const ada = (await openParticipant(browser, joinUrl(`http://127.0.0.1:${proxy.port}/`, room, 'Ada'))).page;
  const bob = (await openParticipant(browser, joinUrl(server.url, room, 'Bob'))).page;
  for (const page of [ada, bob]) await waitFor(() => totalFrames(page), (n) => n > 10, 20_000);
  for (const page of [ada, bob]) await page.evaluate(RECORD);
  assert.equal(await ada.evaluate('window.confab.conference.signalingTransport'), adaTransport);
  return { ada, bob, adaId: await participantId(ada) };
}

/** Video keeps being decoded on both pages: more frames than `before` within a few seconds. */
async function assertMediaFlows(ada: Page, bob: Page, what: string): Promise<void> {
  for (const [name, page] of [['Ada', ada], ['Bob', bob]] as const) {
    const before = await totalFrames(page);
    const after = await waitFor(() => totalFrames(page), (n) => n > before + 20, 10_000);
    assert.ok(after > before + 20, `${name} keeps decoding video ${what}: ${before} -> ${after}`);
  }
}

test('a connection reset: the page resumes at once, same participant and peer connections, nobody sees a leave', { timeout: 90_000 }, async () => {
  const { ada, bob, adaId } = await twoInACall('blip-reset');
  const resumedBefore = await resumes();
  assert.ok(proxy.cut() > 0, 'the proxy carried Ada\'s signaling');
  assert.ok((await waitFor(resumes, (n) => n > resumedBefore, 10_000)) > resumedBefore, 'the server resumed a session');
  assert.equal(await waitFor(() => state(ada), (s) => s === 'joined', 10_000), 'joined');

  assert.equal(await participantId(ada), adaId, 'the same participant id');
  assert.ok(await sameMedia(ada), 'the same MediaSession: no new peer connections, no renegotiation');
  assert.deepEqual((await seen(bob)).left, [], 'Bob never saw Ada leave');
  assert.deepEqual((await seen(bob)).joined, [], 'nor join again');
  assert.equal(await bob.locator('.tile').count(), 2);
  await assertMediaFlows(ada, bob, 'after the reset');
  // The server logged the resume and the page's own report of it.
  assert.ok(server.logs.some((l) => l.includes(adaId) && l.includes('signaling_resumed')), 'the client reported the resume');
  await ada.close();
  await bob.close();
});

test('a silent network: the page notices by itself, resumes, and a mute made meanwhile reaches the others', { timeout: 120_000 }, async (t) => {
  const { ada, bob, adaId } = await twoInACall('blip-silent');
  const resumedBefore = await resumes();
  const droppedAt = Date.now();
  proxy.blackhole();
  // Into the dead connection: this set-muted never reaches the server on it.
  await ada.locator('#toggle-audio').click();
  // The page hears nothing for ~6 s, gives the connection up and resumes through a new one.
  assert.ok((await waitFor(resumes, (n) => n > resumedBefore, 20_000)) > resumedBefore, 'the server resumed a session');
  const backAfterMs = Date.now() - droppedAt;
  assert.equal(await waitFor(() => state(ada), (s) => s === 'joined', 5000), 'joined');
  assert.ok(backAfterMs < 15_000, `resumed ${backAfterMs} ms after the network went silent, inside the server's hold`);

  assert.equal(await participantId(ada), adaId, 'the same participant id');
  assert.ok(await sameMedia(ada), 'the same peer connections');
  // The mute was sent again after the resume: Bob sees Ada muted.
  await bob.waitForSelector(`.tile[data-participant-id="${adaId}"].audio-muted`, { timeout: 5000 });
  assert.deepEqual((await seen(bob)).left, [], 'Bob never saw Ada leave');
  assert.deepEqual((await seen(bob)).joined, []);
  await assertMediaFlows(ada, bob, 'after the silent drop');
  t.diagnostic(`back after ${backAfterMs} ms`);
  await ada.close();
  await bob.close();
});

test('over long-polling (a proxy without WebSocket support), a proxy blip with 502s resumes the same way', { timeout: 90_000 }, async () => {
  proxy.refuseUpgrades = true;
  try {
    const { ada, bob, adaId } = await twoInACall('blip-longpoll', 'long-poll');
    const resumedBefore = await resumes();
    // The proxy loses its upstream for 2.5 s: open requests die, new ones get 502 (a browser
    // retries a reset poll by itself, so a reset alone is not even noticed over long-poll).
    proxy.badGatewayFor(2500);
    assert.ok(proxy.cut() > 0);
    assert.ok((await waitFor(resumes, (n) => n > resumedBefore, 15_000)) > resumedBefore, 'resumed over long-poll');
    assert.equal(await waitFor(() => state(ada), (s) => s === 'joined', 10_000), 'joined');
    assert.equal(await participantId(ada), adaId, 'the same participant id');
    assert.ok(await sameMedia(ada), 'the same peer connections');
    assert.equal(await ada.evaluate('window.confab.conference.signalingTransport'), 'long-poll');
    await waitFor(() => Promise.resolve(server.logs.some((l) => l.includes(adaId) && l.includes('signaling_resumed'))), Boolean, 5000);
    assert.ok(server.logs.some((l) => l.includes(adaId) && l.includes('signaling_resumed')), 'the client reported the resume');
    assert.deepEqual((await seen(bob)).left, []);
    assert.deepEqual((await seen(bob)).joined, []);
    await assertMediaFlows(ada, bob, 'after the reset');
    await ada.close();
    await bob.close();
  } finally {
    proxy.refuseUpgrades = false;
  }
});
