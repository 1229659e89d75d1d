/**
 * The conference as people use it: real Chromium pages with fake camera and
 * microphone, real WebRTC through our SFU, asserting on decoded frames and
 * received packets read from RTCPeerConnection.getStats().
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { decodedCodecsFrom, H264_ONLY_INIT_SCRIPT, inbound, inboundVideoDetails, joinUrl, launchBrowser, openParticipant, startServer, waitFor, type RunningServer } from './support.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function join(room: string, name: string, extra = ''): Promise<Page> {
  const { context, page } = await openParticipant(browser, joinUrl(server.url, room, name, extra));
  contexts.push(context);
  return page;
}

async function joinWith(room: string, name: string, initScript: string): Promise<Page> {
  const { context, page } = await openParticipant(browser, joinUrl(server.url, room, name), initScript);
  contexts.push(context);
  return page;
}

const tileCount = (page: Page): Promise<number> => page.locator('.tile').count();
const sum = (values: Record<string, number>): number => Object.values(values).reduce((a, b) => a + b, 0);

/**
 * Every inbound video stream decodes at least `minFrames` more frames within some 2.5 s window, and every
 * audio stream gets 50 packets, within 12 s of all streams being there. A window, not the first
 * 2.5 s: a stream that just started may still be waiting for its first complete keyframe on a
 * loaded machine (seen on CI with an H.264-only publisher), which is start-up, not a dead stream.
 */
async function assertLiveMedia(page: Page, expectedStreams: number, label: string, minFrames = 10): Promise<void> {
  let first = await waitFor(
    () => inbound(page),
    (s) => Object.keys(s.video).length === expectedStreams && Object.keys(s.audio).length === expectedStreams,
    15_000,
  );
  assert.equal(Object.keys(first.video).length, expectedStreams, `${label}: inbound video streams ${JSON.stringify(first)}`);
  assert.equal(Object.keys(first.audio).length, expectedStreams, `${label}: inbound audio streams ${JSON.stringify(first)}`);
  const deadline = Date.now() + 12_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 2500));
    const second = await inbound(page);
    const slowVideo = Object.entries(second.video).filter(([mid, frames]) => frames - (first.video[mid] ?? 0) < minFrames);
    const slowAudio = Object.entries(second.audio).filter(([mid, packets]) => packets - (first.audio[mid] ?? 0) < 50);
    if (slowVideo.length === 0 && slowAudio.length === 0) return;
    if (Date.now() >= deadline) {
      const details = JSON.stringify(await inboundVideoDetails(page));
      for (const [mid, frames] of slowVideo) assert.fail(`${label}: video mid ${mid} decoded ${first.video[mid]} -> ${frames} frames in the last 2.5 s (receiver: ${details})`);
      for (const [mid, packets] of slowAudio) assert.fail(`${label}: audio mid ${mid} got ${first.audio[mid]} -> ${packets} packets in the last 2.5 s`);
    }
    first = second;
  }
}

describe('conference in real browsers', { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  test('three participants see and hear each other; a late joiner sees all; a leaver disappears', async () => {
    const pages = [await join('maths-101', 'Ada'), await join('Maths-101', 'Bob'), await join('maths-101', 'Cy')];
    for (const [i, page] of pages.entries()) await assertLiveMedia(page, 2, `participant ${i}`);
    for (const page of pages) {
      assert.equal(await tileCount(page), 3);
      assert.equal(await page.locator('#participant-count').textContent(), '3');
    }
    const names = await pages[0]!.locator('.tile-name').allTextContents();
    assert.deepEqual(names.sort(), ['Ada (you)', 'Bob', 'Cy']);
    // The README's picture: refreshed on purpose (CONFAB_UPDATE_SCREENSHOT=1), not by every run.
    if (process.env.CONFAB_UPDATE_SCREENSHOT === '1') await pages[0]!.screenshot({ path: 'docs/screenshot-3-party.png' });

    const late = await join('maths-101', 'Dee');
    await assertLiveMedia(late, 3, 'late joiner');
    await waitFor(() => tileCount(pages[0]!), (n) => n === 4, 5000);
    assert.equal(await tileCount(pages[0]!), 4);

    // Closing a tab removes that tile for everyone within 2 s.
    const closedAt = Date.now();
    await late.close();
    for (const page of pages) {
      const n = await waitFor(() => tileCount(page), (c) => c === 3, 2000, 100);
      assert.equal(n, 3, 'tile removed after the tab closed');
    }
    assert.ok(Date.now() - closedAt <= 2500);
    await assertLiveMedia(pages[1]!, 2, 'after the leave');
    for (const page of pages) await page.close();
  });

  test('two rooms at once stay isolated', async () => {
    const a = [await join('room-a', 'A1'), await join('room-a', 'A2')];
    const b = [await join('room-b', 'B1'), await join('room-b', 'B2')];
    for (const page of [...a, ...b]) await assertLiveMedia(page, 1, 'isolated room');
    for (const page of [...a, ...b]) assert.equal(await tileCount(page), 2);
    assert.deepEqual((await a[0]!.locator('.tile-name').allTextContents()).sort(), ['A1 (you)', 'A2']);
    assert.deepEqual((await b[0]!.locator('.tile-name').allTextContents()).sort(), ['B1 (you)', 'B2']);
    for (const page of [...a, ...b]) await page.close();
  });

  test('mute and camera-off stop forwarding and show on the tile', async () => {
    const teacher = await join('mute-room', 'Teacher');
    const student = await join('mute-room', 'Student');
    await assertLiveMedia(student, 1, 'before mute');
    await teacher.click('#toggle-audio');
    await teacher.click('#toggle-video');
    const tile = student.locator('.tile:not(.self)');
    await waitFor(() => tile.getAttribute('class'), (c) => !!c?.includes('audio-muted') && c.includes('video-muted'), 3000);
    assert.match((await tile.getAttribute('class')) ?? '', /audio-muted/);
    assert.match((await tile.getAttribute('class')) ?? '', /video-muted/);
    await new Promise((r) => setTimeout(r, 1000));
    const muted1 = await inbound(student);
    await new Promise((r) => setTimeout(r, 2000));
    const muted2 = await inbound(student);
    assert.ok(sum(muted2.audio) - sum(muted1.audio) <= 3, `audio forwarded while muted: ${sum(muted1.audio)} -> ${sum(muted2.audio)}`);
    assert.ok(sum(muted2.video) - sum(muted1.video) <= 2, `video forwarded while camera off: ${sum(muted1.video)} -> ${sum(muted2.video)}`);
    await teacher.click('#toggle-audio');
    await teacher.click('#toggle-video');
    await assertLiveMedia(student, 1, 'after unmute');
    await teacher.close();
    await student.close();
  });

  test('hash options: name, start muted; prejoin shown without them', async () => {
    const quiet = await join('hash-room', 'Quiet', '&config.startWithAudioMuted=true');
    const other = await join('hash-room', 'Other');
    const tile = other.locator('.tile:not(.self)');
    await waitFor(() => tile.count(), (n) => n === 1, 5000);
    assert.equal(await tile.getAttribute('data-name'), 'Quiet');
    assert.match((await tile.getAttribute('class')) ?? '', /audio-muted/);

    const { context, page } = await openParticipant(browser, `${server.url}hash-room`);
    contexts.push(context);
    await page.waitForSelector('#prejoin-join');
    assert.equal(await page.locator('.preview-video').count(), 1);
    await page.fill('#prejoin-name', 'Prejoined');
    await page.click('#prejoin-cam');
    await page.click('#prejoin-join');
    await waitFor(() => tileCount(other), (n) => n === 3, 10_000);
    assert.equal(await other.locator('.tile[data-name="Prejoined"]').count(), 1);
    assert.match((await other.locator('.tile[data-name="Prejoined"]').getAttribute('class')) ?? '', /video-muted/);
    for (const p of [quiet, other, page]) await p.close();
  });

  test('the speaking indicator follows remote audio level, and not a muted speaker', async () => {
    const speaker = await join('speak-room', 'Speaker');
    const listener = await join('speak-room', 'Listener');
    // Chromium's fake microphone beeps; the remote tile lights up on the beeps.
    await listener.waitForSelector('.tile:not(.self).speaking', { timeout: 15_000 });
    await speaker.click('#toggle-audio');
    await waitFor(() => listener.locator('.tile:not(.self).audio-muted').count(), (n) => n === 1, 3000);
    const lit = await waitFor(() => listener.locator('.tile:not(.self).speaking').count(), (n) => n > 0, 3000);
    assert.equal(lit, 0, 'a muted participant never shows as speaking');
    await speaker.close();
    await listener.close();
  });

  test('codec policy: a publisher that prefers H.264 sends VP8 (every browser decodes it); one that can only send H.264 is forwarded as H.264', async () => {
    const prefers = await join('codec-room', 'Prefers H264', '&config.videoQuality.preferredCodec="H264"');
    const only = await joinWith('codec-room', 'Only H264', H264_ONLY_INIT_SCRIPT);
    const viewer = await join('codec-room', 'Viewer');
    // Software H.264 (OpenH264) on a busy CI machine ran at ~3 fps where VP8 kept 25: still decoding is what counts here.
    await assertLiveMedia(viewer, 2, 'viewer of both', 5);
    const ids = await Promise.all([prefers, only].map((p) => p.evaluate(() => (window as unknown as { confab?: { conference?: { participantId?: string } } }).confab?.conference?.participantId ?? '')));
    assert.deepEqual(await decodedCodecsFrom(viewer, ids[0]!), ['video/VP8'], 'the room uses VP8 when the publisher offers it');
    assert.deepEqual(await decodedCodecsFrom(viewer, ids[1]!), ['video/H264'], 'H.264 from a publisher that offers nothing else');
    for (const p of [prefers, only, viewer]) await p.close();
  });

  test('an invalid room name gets an error page with its code', async () => {
    const response = await fetch(`${server.url}bad%20room!`);
    assert.equal(response.status, 400);
    const { context, page } = await openParticipant(browser, `${server.url}bad%20room!`);
    contexts.push(context);
    await page.waitForSelector('.error-card');
    assert.equal(await page.locator('.error-code').textContent(), 'Error code: room_name_invalid');
    assert.match((await page.locator('.error-message').textContent()) ?? '', /not valid/);
  });

  test('Unicode room names (issue 12): /тест and /ТЕСТ are one class; a mixed-script name shows what is allowed', async () => {
    const a = await join(encodeURIComponent('тест'), 'Аня');
    const b = await join(encodeURIComponent('ТЕСТ'), 'Борис');
    for (const page of [a, b]) {
      await waitFor(() => tileCount(page), (n) => n === 2, 15_000);
      assert.equal(await page.locator('.room-name').textContent(), 'тест');
    }
    assert.equal(await a.title(), 'тест · Confab');
    const { context, page } = await openParticipant(browser, `${server.url}${encodeURIComponent('pаypal')}`);
    contexts.push(context);
    await page.waitForSelector('.error-card');
    assert.equal(await page.locator('.error-code').textContent(), 'Error code: room_name_invalid');
    assert.match((await page.locator('.error-message').textContent()) ?? '', /Use 1-64 letters or digits \(of any language, one script per name\)/);
    assert.match((await page.locator('.error-detail').textContent()) ?? '', /mixes Latin and Cyrillic letters.*use 1-64 letters or digits of one script/);
  });
});
