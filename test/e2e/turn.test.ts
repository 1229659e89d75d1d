/**
 * TURN: browsers forced to relay (iceTransportPolicy 'relay') still see and
 * hear each other through Debian's coturn, with the short-lived credentials
 * Confab hands out from the shared secret. When the relay goes away
 * mid-call, the pages see their media fail after it had worked, join again
 * with new peer connections, and meet again once TURN is back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startCoturn, type RunningTurn } from '../support/coturn.js';
import { inbound, joinUrl, launchBrowser, openParticipant, selectedPairs, startServer, waitFor, type RunningServer } from './support.js';

let browser: Browser;
let server: RunningServer;
let turn: RunningTurn;

// A string, not a function: tsx would wrap inner names in helpers the page lacks.
const FORCE_RELAY = `
  const Original = window.RTCPeerConnection;
  const Forced = function (config, ...rest) { return new Original({ ...(config || {}), iceTransportPolicy: 'relay' }, ...rest); };
  Forced.prototype = Original.prototype;
  Object.setPrototypeOf(Forced, Original);
  window.RTCPeerConnection = Forced;
`;

before(async () => {
  turn = await startCoturn();
  server = await startServer({
    MEDIA_ADVERTISE_IPS: '127.0.0.2',
    MEDIA_BIND_ADDRESS: '127.0.0.2',
    TURN_HOST: '127.0.0.1',
    TURN_PORT: String(turn.port),
    TURN_TRANSPORT: 'udp',
    TURN_CREDENTIALS: turn.secret,
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await turn?.stop();
});

test('browsers forced to relay through coturn see and hear each other', { timeout: 120_000 }, async () => {
  const pages: Page[] = [];
  for (const name of ['Relay A', 'Relay B']) pages.push((await openParticipant(browser, joinUrl(server.url, 'relayed', name), FORCE_RELAY)).page);
  for (const page of pages) {
    const s = await waitFor(() => inbound(page), (v) => Object.values(v.video).some((f) => f > 10) && Object.values(v.audio).some((p) => p > 20), 30_000);
    assert.ok(Object.values(s.video).some((f) => f > 10), `video through TURN: ${JSON.stringify(s)}`);
    assert.ok(Object.values(s.audio).some((p) => p > 20), `audio through TURN: ${JSON.stringify(s)}`);
    assert.deepEqual((await selectedPairs(page)).map((p) => p.localType), ['relay', 'relay'], 'both peer connections relay');
  }
  // The browser got a TURN REST username (expiry:participant), never the secret.
  const ice = await pages[0]!.evaluate(() => JSON.stringify((window as unknown as { confab?: { conference?: { media?: { publishPc: RTCPeerConnection } } } }).confab?.conference?.media?.publishPc.getConfiguration().iceServers));
  assert.match(ice, /"username":"\d{10}:[0-9a-f-]{36}"/);
  assert.ok(!ice.includes(turn.secret));
  for (const page of pages) await page.close();
});

/** Participant id and video frames decoded, per page. */
async function where(page: Page): Promise<{ id: string; frames: number }> {
  const id = (await page.evaluate('window.confab.conference.participantId')) as string;
  return { id, frames: Object.values((await inbound(page)).video).reduce((a, b) => a + b, 0) };
}

test('the TURN server dies mid-call: the server notices media stopped, restarts ICE, and the class goes on through the restarted TURN server', { timeout: 180_000 }, async (t) => {
  const pages: Page[] = [];
  for (const name of ['Relay C', 'Relay D']) pages.push((await openParticipant(browser, joinUrl(server.url, 'relay-dies', name), FORCE_RELAY)).page);
  for (const page of pages) await waitFor(() => where(page), (w) => w.frames > 10, 30_000);

  // coturn stops (its allocations are gone) and comes back on the same port a moment later.
  const stoppedAt = Date.now();
  await turn.stop();
  await new Promise((r) => setTimeout(r, 1000));
  turn = await startCoturn(turn.secret, turn.port);
  const stalled = await Promise.all(pages.map(where));

  // ICE still says connected for a while (consent takes ~30 s to expire), but receiver reports stop
  // and the publishers' packets stop: the server restarts ICE on both connections of both pages
  // (issue 18), which gathers new relay allocations. Same participants, no rejoin.
  for (const [i, page] of pages.entries()) {
    const again = await waitFor(() => where(page), (w) => w.frames > stalled[i]!.frames + 50, 60_000);
    assert.equal(again.id, stalled[i]!.id, 'the same participant: repaired, not joined again');
    assert.ok(again.frames > stalled[i]!.frames + 50, `video decoded again through the restarted TURN server: ${JSON.stringify(again)}`);
    assert.deepEqual((await selectedPairs(page)).map((p) => p.localType), ['relay', 'relay']);
  }
  t.diagnostic(`both pages decoding again ${Math.round((Date.now() - stoppedAt) / 1000)} s after TURN stopped`);
  for (const page of pages) {
    assert.equal(await page.locator('.tile').count(), 2);
    assert.equal(await page.locator('.tile.interrupted, .tile.media-stalled').count(), 0, 'no tile left reconnecting');
  }
  const repaired = server.logs.filter((l) => l.includes('"room":"relay-dies"') && l.includes('media stall repaired'));
  assert.ok(repaired.some((l) => l.includes('"pc":"subscribe"')), 'a subscribe connection was repaired');
  assert.ok(repaired.some((l) => l.includes('"pc":"publish"')), 'a publish connection was repaired');
  assert.ok(!server.logs.some((l) => l.includes('"room":"relay-dies"') && l.includes('not repaired')), 'no repair failed');
  for (const page of pages) await page.close();
});

test('TURN down for longer than a repair can bridge: the repair fails, the pages join again and meet once TURN is back', { timeout: 180_000 }, async (t) => {
  const pages: Page[] = [];
  for (const name of ['Relay E', 'Relay F']) pages.push((await openParticipant(browser, joinUrl(server.url, 'relay-gone', name), FORCE_RELAY)).page);
  for (const page of pages) await waitFor(() => where(page), (w) => w.frames > 10, 30_000);
  const before = await Promise.all(pages.map(where));

  // Down for 18 s: the server sees the stall after ~5 s and restarts ICE, which cannot get through while
  // TURN is gone: the restarted connections fail (or the server's 15 s for the repair run out and it
  // says media_stalled), and either way the pages rebuild with new connections.
  const stoppedAt = Date.now();
  await turn.stop();
  await new Promise((r) => setTimeout(r, 18_000));
  turn = await startCoturn(turn.secret, turn.port);

  for (const [i, page] of pages.entries()) {
    const again = await waitFor(() => where(page), (w) => w.id !== before[i]!.id && w.frames > 10, 90_000);
    assert.notEqual(again.id, before[i]!.id, 'joined again with new peer connections');
    assert.ok(again.frames > 10, `video decoded again through the restarted TURN server: ${JSON.stringify(again)}`);
    assert.deepEqual((await selectedPairs(page)).map((p) => p.localType), ['relay', 'relay']);
  }
  t.diagnostic(`both pages decoding again ${Math.round((Date.now() - stoppedAt) / 1000)} s after TURN stopped`);
  // The old sessions ended with a goodbye: no ghost tiles waiting out the resume grace.
  for (const page of pages) {
    assert.equal(await page.locator('.tile').count(), 2, 'two tiles: no ghost of the earlier sessions');
    assert.equal(await page.locator('.tile.interrupted').count(), 0);
  }
  assert.ok(server.logs.some((l) => l.includes('"room":"relay-gone"') && l.includes('"code":"media_stalled"')), 'the server saw the stall');
  assert.ok(server.logs.some((l) => l.includes('media_connection_lost')), 'the pages reported why they joined again');
  for (const page of pages) await page.close();
});
