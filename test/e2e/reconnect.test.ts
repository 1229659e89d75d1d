/**
 * A server restart mid-class: pages show "Reconnecting", then join again by
 * themselves when the server is back, and see and hear each other again.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { inbound, joinUrl, launchBrowser, openParticipant, startServer, waitFor, type RunningServer } from './support.js';

let browser: Browser;
let server: RunningServer | undefined;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a server restart shows Reconnecting, then everyone is back with media', { timeout: 120_000 }, async () => {
  const port = String(await freePort());
  server = await startServer({ HTTP_PORT: port });
  const url = server.url;
  const a = (await openParticipant(browser, joinUrl(url, 'restart-room', 'Ada'))).page;
  const b = (await openParticipant(browser, joinUrl(url, 'restart-room', 'Bob'))).page;
  const videoFrames = async (): Promise<number> => Object.values((await inbound(b)).video).reduce((x, y) => x + y, 0);
  assert.ok((await waitFor(videoFrames, (n) => n > 10, 15_000)) > 10, 'media flows before the restart');

  await server.stop();
  for (const page of [a, b]) {
    await page.waitForSelector('.overlay:not([hidden])', { timeout: 5000 });
    assert.match((await page.locator('.overlay').textContent()) ?? '', /Reconnecting/);
  }

  server = await startServer({ HTTP_PORT: port });
  for (const page of [a, b]) {
    await page.waitForSelector('.overlay', { state: 'hidden', timeout: 20_000 });
    assert.equal(await waitFor(() => page.locator('.tile').count(), (n) => n === 2, 10_000), 2);
  }
  const frames = await waitFor(
    async () => Object.values((await inbound(a)).video),
    (v) => v.length === 1 && v[0]! > 10,
    15_000,
  );
  assert.ok(frames.length === 1 && frames[0]! > 10, `video decoded after the restart: ${JSON.stringify(frames)}`);
});
