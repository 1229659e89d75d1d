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
import { freePort, proxyLocation, startNginx } from '../support/nginx.js';
import { startXvfb, type RunningXvfb } from '../support/xvfb.js';
import { countFrom, growth, idOf, inboundTracks } from './class-support.js';
import { launchFirefox, openFirefoxParticipant } from './firefox.js';
import { cameraUrl, inboundCamera, layersOf, pin } from './simulcast-support.js';
import { decodedCodecsFrom, H264_ONLY_INIT_SCRIPT, inboundVideoDetails, joinUrl, launchBrowser, openParticipant, startServer, waitFor, type PageLike, type RunningServer } from './support.js';

let server: RunningServer;
let firefox: FirefoxBrowser;
let chromium: ChromiumBrowser;
let xvfb: RunningXvfb;

before(async () => {
  server = await startServer();
  // Headful on a virtual screen, so it can share that screen (a headless Firefox has none).
  xvfb = await startXvfb();
  firefox = await launchFirefox({ display: xvfb.display });
  chromium = await launchBrowser();
});
after(async () => {
  await firefox?.close();
  await chromium?.close();
  await xvfb?.stop();
  await server?.stop();
});

interface Person {
  readonly name: string;
  readonly browser: 'firefox' | 'chromium';
  readonly page: PageLike & { close(): Promise<void> };
  id: string;
}

async function joinFirefox(room: string, name: string, base = server.url): Promise<Person & { page: FirefoxPage }> {
  const page: FirefoxPage = await openFirefoxParticipant(firefox, joinUrl(base, room, name), name);
  return { name, browser: 'firefox', page, id: await idOf(page) };
}

async function joinChromium(room: string, name: string, initScript?: string, base = server.url): Promise<Person & { page: ChromiumPage }> {
  const { page }: { page: ChromiumPage } = await openParticipant(chromium, joinUrl(base, room, name), initScript);
  return { name, browser: 'chromium', page, id: await idOf(page) };
}

/** How many elements match on the page (both drivers evaluate a function the same way). */
function count(page: PageLike, selector: string): Promise<number> {
  return page.evaluate(new Function(`return document.querySelectorAll(${JSON.stringify(selector)}).length`) as () => number);
}

/** The tile of one participant, e.g. `.tile[data-participant-id="..."].audio-muted`. */
const tileOf = (id: string, state = ''): string => `.tile[data-participant-id="${id}"]${state}`;

/** `viewer` decodes `sender`'s camera and hears its microphone, and both keep going. */
async function assertSeesAndHears(viewer: Person, sender: Person, minFramesIn2s = 5): Promise<void> {
  const label = `${viewer.name} (${viewer.browser}) from ${sender.name} (${sender.browser})`;
  const frames = await waitFor(() => countFrom(viewer.page, sender.id, 'camera'), (n) => n > 10, 30_000);
  assert.ok(frames > 10, `${label}: camera frames decoded ${frames}: ${JSON.stringify(await inboundTracks(viewer.page))}`);
  const audio = await waitFor(() => countFrom(viewer.page, sender.id, 'microphone'), (n) => n > 50, 15_000);
  assert.ok(audio > 50, `${label}: audio packets ${audio}`);
  // Any 2 s window within 10 s: a stream just started may wait for its first whole keyframe on a loaded machine.
  const decoding = await waitFor(() => growth(viewer.page, sender.id, 'camera', 2000), (n) => n >= minFramesIn2s, 10_000, 0);
  assert.ok(decoding >= minFramesIn2s, `${label}: video keeps decoding (${decoding} frames in the last 2 s; receiver: ${JSON.stringify(await inboundVideoDetails(viewer.page))})`);
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

  test('a Firefox screen share is decoded by Chromium, and a Chromium screen share by Firefox', async () => {
    const fox = await joinFirefox('mixed-share', 'Fox presenter');
    const chrome = await joinChromium('mixed-share', 'Chrome presenter');
    try {
      await assertSeesAndHears(chrome, fox);
      await fox.page.click('#toggle-screen');
      const foxScreen = await waitFor(() => countFrom(chrome.page, fox.id, 'screen'), (n) => n > 10, 30_000);
      assert.ok(foxScreen > 10, `Chromium decodes Firefox's screen: ${JSON.stringify(await inboundTracks(chrome.page))}`);
      assert.ok((await growth(chrome.page, fox.id, 'camera', 2000)) >= 5, "Firefox's camera keeps going beside its screen");
      await fox.page.click('#toggle-screen');
      await waitFor(() => countFrom(chrome.page, fox.id, 'screen'), (n) => n === -1, 15_000);
      assert.equal(await countFrom(chrome.page, fox.id, 'screen'), -1, 'the share ends for Chromium');

      await chrome.page.click('#toggle-screen');
      const chromeScreen = await waitFor(() => countFrom(fox.page, chrome.id, 'screen'), (n) => n > 10, 30_000);
      assert.ok(chromeScreen > 10, `Firefox decodes Chromium's screen: ${JSON.stringify(await inboundTracks(fox.page))}`);
    } finally {
      await fox.page.close();
      await chrome.page.close();
    }
  });

  test('Firefox mutes and unmutes, turns its camera off and on: Chromium sees each, and media comes back', async () => {
    const fox = await joinFirefox('mixed-mute', 'Fox');
    const chrome = await joinChromium('mixed-mute', 'Chrome');
    try {
      await assertSeesAndHears(chrome, fox);
      await fox.page.click('#toggle-audio');
      await waitFor(() => count(chrome.page, tileOf(fox.id, '.audio-muted')), (n) => n === 1, 10_000);
      assert.equal(await count(chrome.page, tileOf(fox.id, '.audio-muted')), 1, 'Chromium shows Firefox muted');
      assert.ok((await growth(chrome.page, fox.id, 'microphone', 1500)) <= 5, 'no audio forwarded while muted');
      await fox.page.click('#toggle-audio');
      await waitFor(() => count(chrome.page, tileOf(fox.id, '.audio-muted')), (n) => n === 0, 10_000);
      const heard = await waitFor(() => growth(chrome.page, fox.id, 'microphone', 1000), (n) => n >= 20, 10_000);
      assert.ok(heard >= 20, `audio again after unmuting: ${heard} packets/s`);

      await fox.page.click('#toggle-video');
      await waitFor(() => count(chrome.page, tileOf(fox.id, '.video-muted')), (n) => n === 1, 10_000);
      assert.equal(await count(chrome.page, tileOf(fox.id, '.video-muted')), 1, 'Chromium shows Firefox camera off');
      await fox.page.click('#toggle-video');
      await waitFor(() => count(chrome.page, tileOf(fox.id, '.video-muted')), (n) => n === 0, 10_000);
      const frames = await waitFor(() => growth(chrome.page, fox.id, 'camera', 1000), (n) => n >= 5, 15_000);
      assert.ok(frames >= 5, `video again after the camera came back: ${frames} frames/s`);
    } finally {
      await fox.page.close();
      await chrome.page.close();
    }
  });

  test('Firefox leaves and comes back: Chromium loses the tile, then sees and hears the new session', async () => {
    const chrome = await joinChromium('mixed-rejoin', 'Chrome');
    const first = await joinFirefox('mixed-rejoin', 'Fox');
    try {
      await assertSeesAndHears(chrome, first);
      await first.page.click('#leave');
      await waitFor(() => count(chrome.page, tileOf(first.id)), (n) => n === 0, 10_000);
      assert.equal(await count(chrome.page, tileOf(first.id)), 0, 'the tile goes');
      const again = await joinFirefox('mixed-rejoin', 'Fox');
      assert.notEqual(again.id, first.id);
      await assertSeesAndHears(chrome, again);
      await assertSeesAndHears(again, chrome);
      await again.page.close();
    } finally {
      await first.page.close();
      await chrome.page.close();
    }
  });

  test('Firefox behind a proxy that drops WebSocket upgrades signals over long-polling and meets Chromium', async () => {
    const port = await freePort();
    const proxied = await startServer({ PUBLIC_URL: `http://127.0.0.1:${port}/jitsi/` });
    const nginx = await startNginx({ upstreamPort: proxied.port, locations: proxyLocation('/jitsi/', 'UPSTREAM/', false) }, port);
    const base = `${nginx.url}jitsi/`;
    try {
      const fox = await joinFirefox('mixed-longpoll', 'Fox', base);
      const chrome = await joinChromium('mixed-longpoll', 'Chrome', undefined, base);
      const transport = await fox.page.evaluate(() => (window as unknown as { confab?: { conference?: { signalingTransport?: string } } }).confab?.conference?.signalingTransport);
      assert.equal(transport, 'long-poll');
      await assertSeesAndHears(chrome, fox);
      await assertSeesAndHears(fox, chrome);
      await fox.page.close();
      await chrome.page.close();
    } finally {
      await nginx.stop();
      await proxied.stop();
    }
  });

  test('simulcast both ways: a 960x720 Firefox camera goes out in layers, Chromium gets the top one on stage and a lower one in a small tile; Firefox decodes Chromium\'s layers', async () => {
    const foxPage: FirefoxPage = await openFirefoxParticipant(firefox, cameraUrl(server.url, 'mixed-sim', 'Fox', 720), 'Fox');
    const fox = { name: 'Fox', browser: 'firefox' as const, page: foxPage, id: await idOf(foxPage) };
    const { page: chromePage }: { page: ChromiumPage } = await openParticipant(chromium, cameraUrl(server.url, 'mixed-sim', 'Chrome', 360));
    const chrome = { name: 'Chrome', browser: 'chromium' as const, page: chromePage, id: await idOf(chromePage) };
    try {
      // Chrome shows Fox large in a tall window: Fox's top layer is wanted.
      await chrome.page.setViewportSize({ width: 1280, height: 1000 });
      await pin(chrome.page, fox.id);
      await assertSeesAndHears(chrome, fox);
      await assertSeesAndHears(fox, chrome);
      const before = await layersOf(fox.page);
      await new Promise((r) => setTimeout(r, 2000));
      const after = await layersOf(fox.page);
      const grown = Object.fromEntries(Object.entries(after).map(([rid, l]) => [rid, l.framesEncoded - (before[rid]?.framesEncoded ?? 0)]));
      process.stdout.write(`# Firefox 960x720 camera layers: ${JSON.stringify(after)}; framesEncoded in 2 s: ${JSON.stringify(grown)}\n`);
      assert.ok(Object.values(grown).filter((n) => n > 5).length >= 2, `Firefox encodes at least 2 layers: ${JSON.stringify(grown)}`);
      const large = await waitFor(() => inboundCamera(chrome.page, fox.id), (s) => (s?.frameHeight ?? 0) >= 720, 20_000);
      // A small window: Fox becomes a small tile, and Chrome gets a lower layer without stopping.
      await pin(chrome.page, undefined);
      await chrome.page.setViewportSize({ width: 440, height: 420 });
      const small = await waitFor(() => inboundCamera(chrome.page, fox.id), (s) => (s?.frameHeight ?? 0) > 0 && (s?.frameHeight ?? 0) < 720, 20_000);
      process.stdout.write(`# Chromium decodes Firefox's camera: on stage ${JSON.stringify(large)}, small tile ${JSON.stringify(small)}\n`);
      assert.equal(large?.frameHeight, 720, "Chromium's stage gets Firefox's 720 layer");
      assert.ok((small?.frameHeight ?? 0) > 0 && (small?.frameHeight ?? 0) < 720, `a small tile gets a lower layer (${small?.frameHeight})`);
      assert.ok((await growth(chrome.page, fox.id, 'camera', 2000)) >= 5, 'and keeps decoding after the switch');
      assert.ok((small?.freezeCount ?? 0) - (large?.freezeCount ?? 0) <= 2, 'at most 2 freezes across the switch');
    } finally {
      await fox.page.close();
      await chrome.page.close();
    }
  });

  test('a Chromium page that can only send H.264: Chromium decodes it, Firefox (no H.264 here) says so on the tile', async () => {
    const sender = await joinChromium('mixed-h264', 'H264 only', H264_ONLY_INIT_SCRIPT);
    const chrome = await joinChromium('mixed-h264', 'Chrome viewer');
    const fox = await joinFirefox('mixed-h264', 'Fox viewer');
    try {
      // Software H.264 (OpenH264) on a busy CI machine ran at ~3 fps where VP8 kept 25: still decoding is what counts here.
      await assertSeesAndHears(chrome, sender, 3);
      const codecs = await decodedCodecsFrom(chrome.page, sender.id);
      assert.deepEqual(codecs, ['video/H264'], 'Chromium decodes the camera as H.264');
      const flagged = await waitFor(() => count(fox.page, tileOf(sender.id, '.video-unavailable')), (n) => n === 1, 15_000);
      assert.equal(flagged, 1, "Firefox's tile for the H.264 sender says its video cannot be shown");
      const text = await fox.page.evaluate(new Function(`return document.querySelector('${tileOf(sender.id)} .tile-video-unavailable')?.textContent ?? ''`) as () => string);
      assert.match(text, /cannot decode H264/);
      assert.ok((await countFrom(fox.page, sender.id, 'microphone')) > 0 || (await waitFor(() => countFrom(fox.page, sender.id, 'microphone'), (n) => n > 20, 10_000)) > 20, 'Firefox still hears the H.264 sender');
      // Firefox's own camera is VP8 and reaches both.
      await assertSeesAndHears(chrome, fox);
      await assertSeesAndHears(sender, fox);
    } finally {
      for (const p of [sender, chrome, fox]) await p.page.close();
    }
  });
});
