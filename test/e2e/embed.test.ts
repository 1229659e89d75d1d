/**
 * The Jitsi-compatible embed API: a platform page on another origin loads
 * <confab>/external_api.js, embeds a meeting with `new JitsiMeetExternalAPI`,
 * receives events and drives the meeting with commands.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { joinUrl, launchBrowser, openParticipant, startServer, waitFor, type RunningServer } from './support.js';

let browser: Browser;
let server: RunningServer;
let host: Server;
let hostUrl = '';

const EVENTS = [
  'videoConferenceJoined',
  'videoConferenceLeft',
  'participantJoined',
  'participantLeft',
  'readyToClose',
  'audioMuteStatusChanged',
  'displayNameChange',
  'participantRoleChanged',
  'raiseHandUpdated',
  'incomingMessage',
];

/** The platform's page: a different origin (another port) that embeds the meeting. */
function hostPage(confab: URL): string {
  return `<!doctype html><html><body>
<h1>Platform page</h1><div id="meet"></div>
<script src="${confab.origin}/external_api.js"></script>
<script>
  window.events = [];
  const api = new JitsiMeetExternalAPI('${confab.host}', {
    roomName: 'embed-room',
    parentNode: document.getElementById('meet'),
    width: 800, height: 500,
    configOverwrite: { prejoinConfig: { enabled: false }, resolution: 240 },
    userInfo: { displayName: 'Host' },
  });
  for (const name of ${JSON.stringify(EVENTS)}) api.addListener(name, (data) => window.events.push({ name, data }));
  window.api = api;
</script></body></html>`;
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const page = hostPage(new URL(server.url));
  host = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as { port: number }).port}/`;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => host?.close(resolve));
});

type Recorded = { name: string; data: Record<string, unknown> };
const events = (page: Page): Promise<Recorded[]> => page.evaluate(() => (window as unknown as { events: Recorded[] }).events);
const named = async (page: Page, name: string): Promise<Recorded[]> => (await events(page)).filter((e) => e.name === name);

test('a page on another origin embeds a meeting, gets its events and drives it', { timeout: 120_000 }, async () => {
  const platform = (await openParticipant(browser, hostUrl)).page;
  const joined = await waitFor(() => named(platform, 'videoConferenceJoined'), (e) => e.length === 1, 20_000);
  assert.equal(joined[0]?.data.roomName, 'embed-room');
  assert.equal(joined[0]?.data.displayName, 'Host');

  const student = (await openParticipant(browser, joinUrl(server.url, 'embed-room', 'Student'))).page;
  const pj = await waitFor(() => named(platform, 'participantJoined'), (e) => e.length === 1, 10_000);
  assert.equal(pj[0]?.data.displayName, 'Student');
  assert.equal(await platform.evaluate(() => (window as unknown as { api: { getNumberOfParticipants(): number } }).api.getNumberOfParticipants()), 2);
  const names = await platform.evaluate(() =>
    (window as unknown as { api: { getParticipantsInfo(): { displayName: string }[] } }).api.getParticipantsInfo().map((p) => p.displayName),
  );
  assert.deepEqual(names.sort(), ['Host', 'Student']);

  // Commands: toggleAudio mutes the host for everyone; displayName renames.
  await platform.evaluate(() => (window as unknown as { api: { executeCommand(n: string): void } }).api.executeCommand('toggleAudio'));
  const mute = await waitFor(() => named(platform, 'audioMuteStatusChanged'), (e) => e.length === 1, 5000);
  assert.equal(mute[0]?.data.muted, true);
  assert.equal(await platform.evaluate(() => (window as unknown as { api: { isAudioMuted(): Promise<boolean> } }).api.isAudioMuted()), true);
  const hostTile = student.locator('.tile:not(.self)');
  await waitFor(() => hostTile.getAttribute('class'), (c) => !!c?.includes('audio-muted'), 5000);
  assert.match((await hostTile.getAttribute('class')) ?? '', /audio-muted/);
  await platform.evaluate(() => (window as unknown as { api: { executeCommand(n: string, a: string): void } }).api.executeCommand('displayName', 'Teacher'));
  await waitFor(() => hostTile.getAttribute('data-name'), (n) => n === 'Teacher', 5000);
  assert.equal(await hostTile.getAttribute('data-name'), 'Teacher');

  // Class commands and events: raise hand, chat both ways.
  await platform.evaluate(() => (window as unknown as { api: { executeCommand(n: string): void } }).api.executeCommand('toggleRaiseHand'));
  const hand = await waitFor(() => named(platform, 'raiseHandUpdated'), (e) => e.some((h) => Number(h.data.handRaised) > 0), 5000);
  assert.equal(hand.find((h) => Number(h.data.handRaised) > 0)?.data.id, joined[0]?.data.id, 'the host raised their hand');
  await student.evaluate(() => {
    type Hook = { conference: { events: { on(e: string, f: (m: unknown) => void): void }; sendChat(t: string): void } };
    const c = (window as unknown as { confab: Hook }).confab.conference;
    (window as unknown as { got: unknown[] }).got = [];
    c.events.on('incomingMessage', (m) => (window as unknown as { got: unknown[] }).got.push(m));
    c.sendChat('Hi teacher');
  });
  const chat = await waitFor(() => named(platform, 'incomingMessage'), (e) => e.length === 1, 5000);
  assert.deepEqual([chat[0]?.data.nick, chat[0]?.data.message, chat[0]?.data.privateMessage], ['Student', 'Hi teacher', false]);
  await platform.evaluate(() => (window as unknown as { api: { executeCommand(n: string, m: string): void } }).api.executeCommand('sendChatMessage', 'Welcome!'));
  const got = await waitFor(
    () => student.evaluate(() => (window as unknown as { got: { message: string }[] }).got),
    (g) => g.length === 1,
    5000,
  );
  assert.equal(got[0]?.message, 'Welcome!');

  // The student leaves: the platform hears of it; hangup ends the embedded meeting.
  await student.close();
  const left = await waitFor(() => named(platform, 'participantLeft'), (e) => e.length === 1, 10_000);
  assert.equal(left[0]?.data.id, pj[0]?.data.id);
  await platform.evaluate(() => (window as unknown as { api: { executeCommand(n: string): void } }).api.executeCommand('hangup'));
  await waitFor(() => named(platform, 'readyToClose'), (e) => e.length === 1, 5000);
  assert.equal((await named(platform, 'videoConferenceLeft')).length, 1);
  await platform.evaluate(() => (window as unknown as { api: { dispose(): void } }).api.dispose());
  assert.equal(await platform.locator('iframe').count(), 0);
});
