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

/** The platform's page: a different origin (another port) that embeds the meeting with `options`. */
function hostPage(confab: URL, room: string, options: Record<string, unknown>): string {
  return `<!doctype html><html><body>
<h1>Platform page</h1><div id="meet"></div>
<script src="${confab.origin}/external_api.js"></script>
<script>
  window.events = [];
  const api = new JitsiMeetExternalAPI('${confab.host}', Object.assign({
    roomName: ${JSON.stringify(room)},
    parentNode: document.getElementById('meet'),
    width: 800, height: 500,
  }, ${JSON.stringify(options)}));
  for (const name of api.getSupportedEvents()) api.addListener(name, (data) => window.events.push({ name, data }));
  window.api = api;
</script></body></html>`;
}

/** The host pages, by path. */
const PAGES: Record<string, (confab: URL) => string> = {
  '/': (confab) => hostPage(confab, 'embed-room', { configOverwrite: { prejoinConfig: { enabled: false }, resolution: 240 }, userInfo: { displayName: 'Host' } }),
  '/class': (confab) =>
    hostPage(confab, 'embed-class', {
      configOverwrite: {
        prejoinConfig: { enabled: false },
        resolution: 240,
        subject: 'Fractions',
        toolbarButtons: ['microphone', 'camera', 'chat', 'participants-pane', 'raisehand', 'hangup'],
        defaultLanguage: 'de',
        lobby: { autoKnock: true },
        disableDeepLinking: true,
      },
      interfaceConfigOverwrite: { SHOW_JITSI_WATERMARK: false, APP_NAME: 'School Meet' },
      userInfo: { displayName: 'Teacher' },
    }),
};

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const confab = new URL(server.url);
  host = createServer((req, res) => {
    const page = PAGES[req.url ?? '/'];
    if (!page) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html' }).end(page(confab));
  });
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

type Api = Record<string, (...args: unknown[]) => unknown>;
/** Calls `api[name](...args)` in the platform page; promises are awaited, a rejection comes back as `{ rejected: message }`. */
async function call(page: Page, name: string, ...args: unknown[]): Promise<unknown> {
  return page.evaluate(
    async ([n, a]) => {
      const api = (window as unknown as { api: Api }).api;
      try {
        return await api[n as string]!(...(a as unknown[]));
      } catch (e) {
        return { rejected: (e as Error).message };
      }
    },
    [name, args] as const,
  );
}
const command = (page: Page, ...args: unknown[]): Promise<unknown> => call(page, 'executeCommand', ...args);

test('a class driven through the embed API: options, lobby answers, subject, pin and tile view, lecture mode, panels, refusals named (issue 12)', { timeout: 180_000 }, async () => {
  // Our own context, so the console (the iframe's too) is recorded from the first line.
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const platform = await context.newPage();
  const consoleLines: string[] = [];
  platform.on('console', (m) => consoleLines.push(m.text()));
  await platform.goto(`${hostUrl}class`);
  const frame = platform.frameLocator('iframe');
  const joined = await waitFor(() => named(platform, 'videoConferenceJoined'), (e) => e.length === 1, 20_000);
  const teacherId = String(joined[0]?.data.id);
  assert.equal((await named(platform, 'participantRoleChanged'))[0]?.data.role, 'moderator', 'first in: moderator');

  // Link options: the subject is set for everyone (we moderate), the toolbar keeps only the listed buttons,
  // APP_NAME names the page, and an unsupported option is named in the console.
  await waitFor(() => named(platform, 'subjectChange'), (e) => e.some((x) => x.data.subject === 'Fractions'), 10_000);
  assert.equal(await frame.locator('#room-subject').textContent(), 'Fractions');
  assert.equal(await frame.locator('#toggle-screen').isHidden(), true, 'desktop is not in toolbarButtons');
  assert.equal(await frame.locator('#toggle-chat').isVisible(), true);
  assert.match(await platform.frames()[1]!.title(), / · School Meet$/);
  await waitFor(async () => consoleLines, (l) => l.some((x) => x.startsWith("confab: link option 'config.defaultLanguage' is not supported (ignored): the page is in English")), 5000);
  assert.ok(!consoleLines.some((l) => l.includes('disableDeepLinking') || l.includes('SHOW_JITSI_WATERMARK')), 'options Confab satisfies are silent');

  // Lobby answers: the lobby goes on, a student knocks, the platform admits them.
  await command(platform, 'toggleLobby', true);
  const student = (await openParticipant(browser, joinUrl(server.url, 'embed-class', 'Student', '&config.startAudioMuted=1'))).page;
  const knock = await waitFor(() => named(platform, 'knockingParticipant'), (e) => e.length === 1, 10_000);
  const knocker = knock[0]!.data.participant as { id: string; name: string };
  assert.equal(knocker.name, 'Student');
  await command(platform, 'answerKnockingParticipant', knocker.id, true);
  const pj = await waitFor(() => named(platform, 'participantJoined'), (e) => e.length === 1, 10_000);
  const studentId = String(pj[0]!.data.id);
  // The student's page: the room's subject, and muted by startAudioMuted: 1 (one person was already in).
  await student.waitForSelector('#room-subject:has-text("Fractions")', { timeout: 10_000 });
  await student.waitForSelector('#toggle-audio[aria-pressed="true"]', { timeout: 10_000 });

  // Pin and tile view: the student large, then back to the grid.
  await command(platform, 'pinParticipant', studentId);
  await waitFor(() => named(platform, 'largeVideoChanged'), (e) => e.some((x) => x.data.id === studentId), 5000);
  assert.deepEqual((await named(platform, 'tileViewChanged')).map((e) => e.data.enabled), [false]);
  await frame.locator(`#presentation[data-participant-id="${studentId}"]`).waitFor({ state: 'visible', timeout: 5000 });
  await command(platform, 'toggleFilmStrip');
  await waitFor(() => named(platform, 'filmstripDisplayChanged'), (e) => e.length === 1 && e[0]!.data.visible === false, 5000);
  await command(platform, 'setTileView', true);
  await waitFor(() => named(platform, 'tileViewChanged'), (e) => e.length === 2 && e[1]!.data.enabled === true, 5000);
  await frame.locator('#presentation').waitFor({ state: 'hidden', timeout: 5000 });

  // Lecture mode (Jitsi's AV moderation): on, asked about, one student allowed to speak.
  await command(platform, 'toggleModeration', true, 'audio');
  await waitFor(() => named(platform, 'moderationStatusChanged'), (e) => e.some((x) => x.data.enabled === true && x.data.mediaType === 'audio'), 5000);
  assert.equal(await call(platform, 'isModerationOn'), true);
  await waitFor(() => call(platform, 'isParticipantForceMuted', studentId), (v) => v === true, 5000);
  await command(platform, 'askToUnmute', studentId);
  await waitFor(() => named(platform, 'moderationParticipantApproved'), (e) => e.some((x) => x.data.id === studentId && x.data.mediaType === 'audio'), 5000);

  // Panels, chat, notifications.
  await command(platform, 'toggleParticipantsPane', true);
  await waitFor(() => named(platform, 'participantsPaneToggled'), (e) => e.some((x) => x.data.open === true), 5000);
  assert.equal(await call(platform, 'isParticipantsPaneOpen'), true);
  await command(platform, 'initiatePrivateChat', studentId);
  await waitFor(() => named(platform, 'chatUpdated'), (e) => e.some((x) => x.data.isOpen === true), 5000);
  assert.equal(await frame.locator('#chat-to').inputValue(), studentId);
  await command(platform, 'sendChatMessage', 'Well done', studentId);
  await waitFor(() => named(platform, 'outgoingMessage'), (e) => e.some((x) => x.data.message === 'Well done' && x.data.privateMessage === true), 5000);
  await command(platform, 'showNotification', { title: 'Break', description: 'back at 10:15', uid: 'n1' });
  await frame.locator('.notice:has-text("Break: back at 10:15")').waitFor({ timeout: 5000 });
  await command(platform, 'hideNotification', 'n1');
  await frame.locator('.notice').waitFor({ state: 'hidden', timeout: 5000 });

  // Functions that ask the page, and the participant list the API keeps.
  const supported = (await call(platform, 'getSupportedCommands')) as string[];
  assert.ok(supported.includes('answerKnockingParticipant') && !supported.includes('startRecording'));
  const rooms = (await call(platform, 'getRoomsInfo')) as { rooms: { participants: { id: string; role: string }[] }[] };
  assert.deepEqual(rooms.rooms[0]!.participants.map((p) => [p.id, p.role]).sort(), [[studentId, 'participant'], [teacherId, 'moderator']].sort());
  assert.equal(await call(platform, 'getDisplayName', studentId), 'Student');
  assert.deepEqual(await call(platform, 'getContentSharingParticipants'), { sharingParticipantIds: [] });
  assert.equal(await call(platform, 'isP2pActive'), false);
  assert.equal(await call(platform, 'isVisitor'), false);

  // Refused: a command, an event and a function, each named in the console with the reason.
  await command(platform, 'startRecording', { mode: 'file' });
  await call(platform, 'addListener', 'recordingStatusChanged', null);
  const devices = (await call(platform, 'getAvailableDevices')) as { rejected: string };
  assert.equal(devices.rejected, "confab: embed function 'getAvailableDevices' is not supported: device choice stays in the browser");
  await waitFor(async () => consoleLines, (l) => l.includes("confab: embed command 'startRecording' is not supported: Confab does not record or stream"), 5000);
  assert.ok(consoleLines.includes("confab: embed event 'recordingStatusChanged' is never sent: Confab does not record or stream"));

  // Removal, as the platform hears it.
  await command(platform, 'kickParticipant', studentId);
  const kicked = await waitFor(() => named(platform, 'participantKickedOut'), (e) => e.length === 1, 5000);
  assert.deepEqual(kicked[0]!.data.kicked, { id: studentId, local: false });
  await student.waitForSelector('.error-code:has-text("removed_by_moderator")', { timeout: 5000 });
  await student.context().close();
  await context.close();
});
