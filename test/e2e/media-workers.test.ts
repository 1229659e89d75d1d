/**
 * A media worker dies mid-class (issue 14), as Chromium users see it: the
 * pages stay in the class (same participant, same tiles, no "Reconnecting"
 * rejoin), rebuild their peer connections against the worker the room moved
 * to, and decode each other's video again within 10 s. The server runs in
 * this process (src through tsx, pages from dist/web) so the test can kill
 * the worker thread.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { inbound, joinUrl, launchBrowser, openParticipant, waitFor } from './support.js';

let browser: Browser;
let server: TestServer;

before(async () => {
  browser = await launchBrowser();
  server = await startServer({ MEDIA_WORKERS: '2' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const participantId = (page: Page): Promise<string | undefined> =>
  page.evaluate(() => (window as unknown as { confab?: { conference?: { participantId?: string } } }).confab?.conference?.participantId);

/** Frames decoded from everyone this page receives video from, summed. */
const framesDecoded = async (page: Page): Promise<number> => Object.values((await inbound(page)).video).reduce((a, b) => a + b, 0);

test('a media worker killed mid-class: the pages stay in the class and see each other again within 10 s', { timeout: 120_000 }, async () => {
  const pages = await Promise.all(['Ada', 'Bob'].map(async (name) => (await openParticipant(browser, joinUrl(server.url, 'worker-loss', name))).page));
  for (const page of pages) assert.ok((await waitFor(() => framesDecoded(page), (n) => n > 10, 20_000)) > 10, 'video before the loss');
  const ids = await Promise.all(pages.map(participantId));
  const media = server.server.gateway.media.get('worker-loss');
  assert.ok(media);
  const victim = media.router.worker.index;

  // Mark each page's media session, to tell the rebuilt one (its counters start from zero) from the old.
  type Hook = { confab?: { conference?: { media?: object } }; oldMedia?: object };
  for (const page of pages) await page.evaluate(() => ((window as unknown as Hook).oldMedia = (window as unknown as Hook).confab?.conference?.media));
  const rebuilt = (page: Page): Promise<boolean> => page.evaluate(() => (window as unknown as Hook).confab?.conference?.media !== (window as unknown as Hook).oldMedia);

  const killedAt = Date.now();
  server.server.media.workers[victim]!.kill('killed by the test');
  for (const page of pages) {
    assert.ok(await waitFor(() => rebuilt(page), (yes) => yes, 10_000 - (Date.now() - killedAt)), 'the page made new peer connections');
    const frames = await waitFor(() => framesDecoded(page), (n) => n > 10, 10_000 - (Date.now() - killedAt));
    assert.ok(frames > 10, `video decoded on the new connections within 10 s (${frames} frames)`);
  }
  const recoveredMs = Date.now() - killedAt;
  assert.ok(recoveredMs <= 10_000, `video back within 10 s (${recoveredMs} ms)`);
  assert.deepEqual(await Promise.all(pages.map(participantId)), ids, 'the same participants: nobody joined again');
  for (const page of pages) assert.equal(await page.locator('.tile').count(), 2, 'both tiles');
  assert.equal(server.server.gateway.rooms.get('worker-loss')?.participants.size, 2);
  assert.notEqual(server.server.gateway.media.get('worker-loss')!.router.worker, undefined);
  process.stderr.write(`pages decoding again ${recoveredMs} ms after the worker was killed\n`);
});

test('a class spanning two workers: Chromium pages on either worker decode everyone, through the pipe too', { timeout: 120_000 }, async () => {
  // Two participants a worker: the third page lands on the other worker.
  const split = await startServer({ MEDIA_WORKERS: '2', MEDIA_PARTICIPANTS_PER_WORKER: '2' });
  try {
    const pages: Page[] = [];
    for (const name of ['Ada', 'Bob', 'Cy']) {
      pages.push((await openParticipant(browser, joinUrl(split.url, 'split-room', name))).page);
      // One after another, as students arrive.
      const joined = await waitFor(async () => split.server.gateway.rooms.get('split-room')?.participants.size ?? 0, (n) => n === pages.length, 15_000);
      assert.equal(joined, pages.length, `${name} joined`);
    }
    const media = split.server.gateway.media.get('split-room')!;
    assert.deepEqual(media.routers.map((r) => r.peers.size).sort(), [1, 2], 'the room spans both workers');
    assert.notEqual(media.routers[0]!.worker, media.routers[1]!.worker);
    for (const page of pages) {
      const videos = await waitFor(
        async () => Object.values((await inbound(page)).video),
        (v) => v.length === 2 && v.every((f) => f > 10),
        20_000,
      );
      assert.ok(videos.length === 2 && videos.every((f) => f > 10), `decoding both others: ${JSON.stringify(videos)}`);
    }
  } finally {
    await split.stop();
  }
});
