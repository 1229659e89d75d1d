/**
 * Last-N and the dominant speaker in Chromium (issue 16). Every page's
 * microphone plays the same tone (a WAV file as Chromium's fake audio), and
 * a page "stops speaking" by disabling its audio track: Chrome goes on
 * sending packets, marked silent (RFC 6464 level 127), so everybody is still
 * heard but only one speaks. Cy opens the room with `#config.channelLastN=1`:
 * Cy decodes the video of exactly one other, the one speaking, and hears all.
 */
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { countFrom, growth, idOf } from './class-support.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, joinUrl, openParticipant, startServer, waitFor, type RunningServer } from './support.js';

let browser: Browser;
let server: RunningServer;
let dir: string;

/** A 440 Hz tone at -10 dBFS, 16-bit mono 48 kHz: speech as far as audio levels go. Chromium loops it. */
function toneWav(path: string, seconds = 3): void {
  const rate = 48_000;
  const samples = rate * seconds;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 0.3 * 32767), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([header, data]));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'confab-lastn-'));
  const wav = join(dir, 'tone.wav');
  toneWav(wav);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${wav}`], headless: true });
  server = await startServer({ CHANNEL_LAST_N: '-1' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Speaking or not: the page's microphone track on or off, without telling the server (Chrome sends silence). */
function speak(page: Page, on: boolean): Promise<void> {
  return page.evaluate((enabled) => {
    type Media = { publishPc: RTCPeerConnection };
    const media = (window as unknown as { confab?: { conference?: { media?: Media } } }).confab?.conference?.media;
    for (const s of media?.publishPc.getSenders() ?? []) if (s.track?.kind === 'audio') s.track.enabled = enabled;
  }, on);
}

/** Whose camera the page decodes now: more than 5 frames over 2 s. */
async function decodingFrom(page: Page, ids: readonly string[]): Promise<string[]> {
  const grown = await Promise.all(ids.map((id) => growth(page, id, 'camera', 2000)));
  return ids.filter((_, i) => grown[i]! > 5);
}

test('#config.channelLastN=1: the page decodes only the one speaking, hears everyone, and follows the floor', { timeout: 120_000 }, async () => {
  // Bob first: with nobody speaking, last-N would pick him by join order.
  const bob = (await openParticipant(browser, joinUrl(server.url, 'lastn-room', 'Bob'))).page;
  const bobId = await idOf(bob);
  await speak(bob, false);
  const ada = (await openParticipant(browser, joinUrl(server.url, 'lastn-room', 'Ada'))).page;
  const adaId = await idOf(ada);
  const cy = (await openParticipant(browser, joinUrl(server.url, 'lastn-room', 'Cy', '&config.channelLastN=1'))).page;
  await idOf(cy);
  await speak(cy, false);

  // Ada speaks: she takes the floor, every page hears it, and Cy's one video is hers.
  const dominantOn = (page: Page): Promise<string | undefined> => page.evaluate(() => document.querySelector('.tile.dominant')?.getAttribute('data-participant-id') ?? undefined);
  const onBob = await waitFor(() => dominantOn(bob), (id) => id === adaId, 15_000);
  assert.equal(onBob, adaId, "Bob's page marks Ada's tile as the dominant speaker");
  const first = await waitFor(() => decodingFrom(cy, [adaId, bobId]), (ids) => ids.length === 1 && ids[0] === adaId, 15_000);
  assert.deepEqual(first, [adaId], "Cy decodes Ada's camera only");
  for (const id of [adaId, bobId]) {
    const before = await countFrom(cy, id, 'microphone');
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok((await countFrom(cy, id, 'microphone')) - before >= 30, `Cy hears ${id === adaId ? 'Ada' : 'Bob'}`);
  }

  // Ada stops, Bob speaks: the floor and Cy's one video follow.
  await speak(ada, false);
  await speak(bob, true);
  const second = await waitFor(() => decodingFrom(cy, [adaId, bobId]), (ids) => ids.length === 1 && ids[0] === bobId, 15_000);
  assert.deepEqual(second, [bobId], "Cy now decodes Bob's camera only");
  const frozen = await cy.evaluate(async () => {
    const media = (window as unknown as { confab?: { conference?: { media?: { subscribePc?: RTCPeerConnection } } } }).confab?.conference?.media;
    let freezes = 0;
    (await media!.subscribePc!.getStats()).forEach((s: { type: string; kind?: string; freezeCount?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') freezes += s.freezeCount ?? 0;
    });
    return freezes;
  });
  assert.ok(frozen <= 2, `switching speakers does not freeze the decoder (${frozen} freezes)`);
});
