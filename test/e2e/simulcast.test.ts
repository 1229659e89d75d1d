/**
 * Simulcast, per-subscriber layers, dynacast and grid paging in Chromium
 * (issue 16). Cameras are 480x360 (config.resolution=360), which Chromium
 * sends as two layers, h (240x180) and f (480x360) (web/src/simulcast.ts);
 * one page opens a 960x720 camera to show the three (180, 360, 720). Pages are 800x600: a
 * tile in the strip beside a pinned participant is 130 CSS pixels tall, so
 * it asks for about 140 and gets h; the pinned one's stage is ~300 tall and
 * gets f. Three pages at most at a time: the machine has 2 cores.
 *
 * Pinning is done as the embed API does it (layout.pin): the page has no
 * click-to-pin of its own.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { idOf } from './class-support.js';
import { ASK_SPY_INIT_SCRIPT, cameraUrl, decodedGrowth, encodedGrowth, inboundCamera, lastAsk, outboundLayers, pin } from './simulcast-support.js';
import { launchBrowser, openParticipant, startServer, waitFor, type RunningServer } from './support.js';

let browser: Browser;
let server: RunningServer;
const contexts: BrowserContext[] = [];

before(async () => {
  browser = await launchBrowser();
  // Everyone's video, whatever the server's default: these tests are about layers, not last-N.
  server = await startServer({ CHANNEL_LAST_N: '-1' });
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

async function join(room: string, name: string, height = 360): Promise<{ page: Page; id: string }> {
  const { context, page } = await openParticipant(browser, cameraUrl(server.url, room, name, height), ASK_SPY_INIT_SCRIPT);
  contexts.push(context);
  return { page, id: await idOf(page) };
}

async function leave(...pages: Page[]): Promise<void> {
  for (const p of pages) await p.context().close();
}

const log = (label: string, value: unknown): void => void process.stdout.write(`# ${label}: ${JSON.stringify(value)}\n`);

test('a 960x720 camera goes out as 3 live layers (q, h, f), a 480x360 one as 2 (h and f)', { timeout: 120_000 }, async () => {
  const ada = await join('sim-layers', 'Ada', 720);
  const bob = await join('sim-layers', 'Bob', 360);
  const cy = await join('sim-layers', 'Cy', 360);
  // Every layer of Ada's is received by someone, so dynacast leaves them all on: Bob pins her in a tall
  // window (a stage ~700 device pixels tall: f), Cy shows her in the 2x2 grid (a tile drawn 280 tall: h),
  // and q, the lowest, always stays. Ada pins Bob, so Bob's f is wanted too.
  await bob.page.setViewportSize({ width: 1280, height: 1000 });
  await pin(ada.page, bob.id);
  await pin(bob.page, ada.id);
  const live = (g: Record<string, number>): string[] => Object.keys(g).filter((rid) => g[rid]! > 5).sort();
  const adaGrowth = await waitFor(() => encodedGrowth(ada.page), (g) => live(g).length === 3, 30_000, 0);
  const bobGrowth = await waitFor(() => encodedGrowth(bob.page), (g) => live(g).length === 2, 30_000, 0);
  const adaLayers = await outboundLayers(ada.page);
  const bobLayers = await outboundLayers(bob.page);
  log('Ada 960x720: layers', adaLayers);
  log('Ada framesEncoded in 2 s by rid', adaGrowth);
  log('Bob 480x360: layers', bobLayers);
  log('Bob framesEncoded in 2 s by rid', bobGrowth);
  assert.deepEqual(live(adaGrowth), ['f', 'h', 'q'], `Ada's 960x720 camera encodes q, h and f: ${JSON.stringify(adaGrowth)}`);
  assert.deepEqual([adaLayers.q?.frameHeight, adaLayers.h?.frameHeight, adaLayers.f?.frameHeight], [180, 360, 720], 'a quarter, a half and the camera');
  assert.deepEqual(live(bobGrowth), ['f', 'h'], `Bob's 480x360 camera encodes h and f: ${JSON.stringify(bobGrowth)}`);
  assert.deepEqual([bobLayers.h?.frameHeight, bobLayers.f?.frameHeight], [180, 360], 'h is half the camera, f the camera');
  // Each decodes the other's top layer on stage.
  const bobFromAda = await waitFor(() => inboundCamera(bob.page, ada.id), (s) => (s?.frameHeight ?? 0) >= 720, 20_000);
  const adaFromBob = await waitFor(() => inboundCamera(ada.page, bob.id), (s) => (s?.frameHeight ?? 0) >= 360, 20_000);
  log("Bob's ask (tall window, Ada pinned)", await lastAsk(bob.page));
  assert.equal(bobFromAda?.frameHeight, 720, "Bob's tall stage decodes Ada's full 720 layer");
  assert.equal(adaFromBob?.frameHeight, 360, "Ada's stage decodes Bob's full 360 layer");
  // Its layer follows its ask (sent after a 250 ms quiet) and the next keyframe: wait for it, bounded.
  const cyFromAda = await waitFor(() => inboundCamera(cy.page, ada.id), (s) => s?.frameHeight === 360, 20_000);
  log("Cy's ask (grid)", await lastAsk(cy.page));
  assert.equal(cyFromAda?.frameHeight, 360, "Cy's grid tile decodes Ada's h layer (360 of 720)");
  await leave(ada.page, bob.page, cy.page);
});

test('a small tile receives a lower layer than the stage; dynacast stops the top layer nobody watches; switches do not freeze', { timeout: 240_000 }, async () => {
  const ada = await join('sim-class', 'Ada');
  const bob = await join('sim-class', 'Bob');
  const cy = await join('sim-class', 'Cy');

  // Nobody shows Ada large: Bob pins Cy, Cy pins Bob, Ada's tile is in both strips (130 px).
  await pin(bob.page, cy.id);
  await pin(cy.page, bob.id);
  const small = await waitFor(() => inboundCamera(cy.page, ada.id), (s) => s !== undefined && s.frameHeight > 0 && s.frameHeight <= 180, 30_000);
  log("Cy's ask (Ada in the strip)", await lastAsk(cy.page));
  log("Cy decodes Ada's camera (strip tile)", small);
  assert.ok(small && small.frameHeight > 0 && small.frameHeight <= 180, `Cy's small tile gets Ada's h layer (frameHeight ${small?.frameHeight})`);

  // Dynacast: Ada's f layer is not received by anybody, so Ada's page sets it inactive (the server waits
  // 3 s before a pause) and stops encoding it. (f encoding nothing is not enough: Chrome may not have
  // started it yet while its bandwidth estimate ramps up.)
  await waitFor(() => outboundLayers(ada.page), (l) => l.f?.senderActive === false, 30_000);
  const paused = await waitFor(() => encodedGrowth(ada.page), (g) => (g.f ?? 0) === 0 && (g.h ?? 0) > 5, 30_000, 0);
  const pausedLayers = await outboundLayers(ada.page);
  log("Ada's framesEncoded in 2 s by rid, nobody watching her large", paused);
  log("Ada's layers, nobody watching her large", pausedLayers);
  assert.equal(paused.f, 0, `Ada's f layer stops encoding: ${JSON.stringify(paused)}`);
  assert.ok((paused.h ?? 0) > 5, `Ada's h layer goes on: ${JSON.stringify(paused)}`);
  assert.equal(pausedLayers.f?.senderActive, false, "the page set f's encoding inactive (video-layers)");

  // Bob pins Ada: f starts again, Bob's stage gets it, Cy's strip keeps h.
  const beforePin = await inboundCamera(bob.page, ada.id);
  await pin(bob.page, ada.id);
  const resumed = await waitFor(() => encodedGrowth(ada.page), (g) => (g.f ?? 0) > 5, 30_000, 0);
  log("Ada's framesEncoded in 2 s by rid, Bob watching her large", resumed);
  assert.ok((resumed.f ?? 0) > 5, `Ada's f layer encodes again: ${JSON.stringify(resumed)}`);
  const large = await waitFor(() => inboundCamera(bob.page, ada.id), (s) => (s?.frameHeight ?? 0) >= 360, 30_000);
  const stillSmall = await inboundCamera(cy.page, ada.id);
  log("Bob's ask (Ada pinned)", await lastAsk(bob.page));
  log("Bob decodes Ada's camera (stage)", large);
  log("Cy decodes Ada's camera (strip)", stillSmall);
  assert.equal(large?.frameHeight, 360, "Bob's stage gets Ada's f layer");
  assert.ok((stillSmall?.frameHeight ?? 0) < (large?.frameHeight ?? 0), `the strip tile's layer (${stillSmall?.frameHeight}) is lower than the stage's (${large?.frameHeight})`);

  // Down and up again (unpin: Ada back to a strip tile; pin again): Bob keeps decoding Ada throughout.
  await pin(bob.page, cy.id);
  const down = await waitFor(() => inboundCamera(bob.page, ada.id), (s) => (s?.frameHeight ?? 0) > 0 && (s?.frameHeight ?? 0) <= 180, 30_000);
  assert.ok((down?.frameHeight ?? 0) <= 180, `unpinned, Bob gets h again (${down?.frameHeight})`);
  assert.ok((await decodedGrowth(bob.page, ada.id)) > 10, "Bob decodes Ada's h layer after the switch down");
  await pin(bob.page, ada.id);
  const up = await waitFor(() => inboundCamera(bob.page, ada.id), (s) => (s?.frameHeight ?? 0) >= 360, 30_000);
  assert.equal(up?.frameHeight, 360, 'pinned again, Bob gets f again');
  assert.ok((await decodedGrowth(bob.page, ada.id)) > 10, "Bob decodes Ada's f layer after the switch up");
  const after = await inboundCamera(bob.page, ada.id);
  log("Bob's receiver of Ada's camera after 4 switches", { beforePin, after });
  assert.ok((after?.freezeCount ?? 99) - (beforePin?.freezeCount ?? 0) <= 2, `at most 2 freezes across the switches (${JSON.stringify({ beforePin, after })})`);
  assert.ok((after?.framesDropped ?? 99) - (beforePin?.framesDropped ?? 0) <= 5, `at most 5 frames dropped across the switches (${JSON.stringify({ beforePin, after })})`);
  await leave(ada.page, bob.page, cy.page);
});

test('grid paging: a page that fits one other tile shows Ada or Bob, receives only the one shown, and turns pages with labelled buttons', { timeout: 180_000 }, async () => {
  const ada = await join('sim-pages', 'Ada');
  const bob = await join('sim-pages', 'Bob');
  const cy = await join('sim-pages', 'Cy');
  // 440x420: 2 columns of 180-pixel tiles, 1 row: our own tile and one other per page.
  await cy.page.setViewportSize({ width: 440, height: 420 });
  const pager = cy.page.locator('nav.pager');
  await pager.waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await pager.locator('.pager-status').textContent(), 'Page 1 of 2');
  const visible = (id: string): Promise<boolean> => cy.page.locator(`.tile[data-participant-id="${id}"]`).isVisible();
  assert.deepEqual([await visible(ada.id), await visible(bob.id)], [true, false], 'page 1: Ada (first to join), not Bob');

  const decodes = async (id: string): Promise<boolean> => (await decodedGrowth(cy.page, id)) > 5;
  const page1 = await waitFor(async () => [await decodes(ada.id), await decodes(bob.id)], ([a, b]) => a === true && b === false, 30_000, 0);
  log("Cy's ask on page 1", await lastAsk(cy.page));
  assert.deepEqual(page1, [true, false], "on page 1 Cy decodes Ada's camera and not Bob's");

  await cy.page.getByRole('button', { name: 'Next page of participants' }).click();
  assert.equal(await pager.locator('.pager-status').textContent(), 'Page 2 of 2');
  assert.deepEqual([await visible(ada.id), await visible(bob.id)], [false, true], 'page 2: Bob');
  assert.equal(await cy.page.getByRole('button', { name: 'Next page of participants' }).isDisabled(), true, 'no page after the last');
  const page2 = await waitFor(async () => [await decodes(ada.id), await decodes(bob.id)], ([a, b]) => a === false && b === true, 30_000, 0);
  log("Cy's ask on page 2", await lastAsk(cy.page));
  assert.deepEqual(page2, [false, true], "on page 2 Cy decodes Bob's camera and not Ada's");

  // Room for everyone again: the pager goes and both are decoded.
  await cy.page.setViewportSize({ width: 800, height: 600 });
  await pager.waitFor({ state: 'hidden', timeout: 10_000 });
  const both = await waitFor(async () => [await decodes(ada.id), await decodes(bob.id)], ([a, b]) => a === true && b === true, 30_000, 0);
  assert.deepEqual(both, [true, true], 'a bigger window shows and decodes both');
  await leave(ada.page, bob.page, cy.page);
});
