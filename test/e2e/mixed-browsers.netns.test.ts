/**
 * Every browser in one class (issue 10): Firefox ESR (puppeteer-core over
 * WebDriver BiDi) and Chromium (playwright-core) in the same rooms, inside
 * the network namespace the e2e tier makes for them (firefox.ts). Each page
 * must decode video and receive audio from every other, whatever browser
 * sent it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser as ChromiumBrowser, Page as ChromiumPage } from 'playwright-core';
import type { Browser as FirefoxBrowser, Page as FirefoxPage } from 'puppeteer-core';
import { countFrom, growth, idOf, inboundTracks } from './class-support.js';
import { launchFirefox, openFirefoxParticipant } from './firefox.js';
import { joinUrl, launchBrowser, openParticipant, startServer, waitFor, type PageLike, type RunningServer } from './support.js';

let server: RunningServer;
let firefox: FirefoxBrowser;
let chromium: ChromiumBrowser;

before(async () => {
  server = await startServer();
  firefox = await launchFirefox();
  chromium = await launchBrowser();
});
after(async () => {
  await firefox?.close();
  await chromium?.close();
  await server?.stop();
});

interface Person {
  readonly name: string;
  readonly browser: 'firefox' | 'chromium';
  readonly page: PageLike & { close(): Promise<void> };
  id: string;
}

async function joinFirefox(room: string, name: string, extra = ''): Promise<Person> {
  const page: FirefoxPage = await openFirefoxParticipant(firefox, joinUrl(server.url, room, name, extra), name);
  return { name, browser: 'firefox', page, id: await idOf(page) };
}

async function joinChromium(room: string, name: string, extra = ''): Promise<Person> {
  const { page }: { page: ChromiumPage } = await openParticipant(chromium, joinUrl(server.url, room, name, extra));
  return { name, browser: 'chromium', page, id: await idOf(page) };
}

/** `viewer` decodes `sender`'s camera and hears its microphone, and both keep going. */
async function assertSeesAndHears(viewer: Person, sender: Person): Promise<void> {
  const label = `${viewer.name} (${viewer.browser}) from ${sender.name} (${sender.browser})`;
  const frames = await waitFor(() => countFrom(viewer.page, sender.id, 'camera'), (n) => n > 10, 30_000);
  assert.ok(frames > 10, `${label}: camera frames decoded ${frames}: ${JSON.stringify(await inboundTracks(viewer.page))}`);
  const audio = await waitFor(() => countFrom(viewer.page, sender.id, 'microphone'), (n) => n > 50, 15_000);
  assert.ok(audio > 50, `${label}: audio packets ${audio}`);
  assert.ok((await growth(viewer.page, sender.id, 'camera', 2000)) >= 5, `${label}: video keeps decoding`);
}

describe('Firefox and Chromium in one class', { timeout: 240_000 }, () => {
  test('2 Firefox + 2 Chromium pages: each decodes video and receives audio from the 3 others', async () => {
    const people = [
      await joinFirefox('mixed-4', 'Fox A'),
      await joinChromium('mixed-4', 'Chrome A'),
      await joinFirefox('mixed-4', 'Fox B'),
      await joinChromium('mixed-4', 'Chrome B'),
    ];
    try {
      for (const viewer of people) {
        for (const sender of people) if (sender !== viewer) await assertSeesAndHears(viewer, sender);
      }
      const failures = server.logs.filter((l) => l.includes('"room":"mixed-4"') && /"state":"failed"|media_stalled/.test(l));
      assert.deepEqual(failures, [], 'no connection failed or stalled on the way');
    } finally {
      for (const p of people) await p.page.close();
    }
  });
});
