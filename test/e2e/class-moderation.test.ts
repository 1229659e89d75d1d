/**
 * Moderation in real browsers: a teacher hard-mutes a student from the
 * People panel and the other participant's inbound audio from that student
 * stops (getStats packetsReceived); the student's page cannot unmute, and
 * even a page that turns its microphone back on and tells the server it
 * unmuted has nothing forwarded. Allowed again, the student is heard. A
 * removed student and everyone at the end of the class see why. With
 * token links, "Remove and block" keeps a student out until the class ends,
 * even when their page is reloaded with the same link.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { nowS, signJwt } from '../support/jwt.js';
import { useClassroom, countFrom, growth, idOf, openPeople, person, sendRaw } from './class-support.js';
import { launchBrowser, openParticipant, startServer, waitFor, type RunningServer } from './support.js';


describe('moderation in real browsers', { timeout: 240_000 }, () => {
  const room = useClassroom();

  test('a hard-muted student is not heard, cannot unmute, and a misbehaving page changes nothing; allowed, it is heard again', async () => {
    const teacher = await room.people.join('physics-1', 'Teacher');
    await idOf(teacher);
    const student = await room.people.join('physics-1', 'Student');
    const observer = await room.people.join('physics-1', 'Observer');
    const studentId = await idOf(student);
    await idOf(observer);
    await waitFor(() => countFrom(observer, studentId, 'microphone'), (n) => n > 50, 15_000);
    assert.ok((await growth(observer, studentId, 'microphone', 1000)) > 30, 'the student is heard before the mute');

    await openPeople(teacher);
    await teacher.click(`${person(studentId)} [data-action="hard-mute-audio"]`);
    // Everyone sees the hard mute: the observer's tile of the student shows the lock.
    await observer.waitForSelector(`.tile[data-participant-id="${studentId}"].audio-muted.audio-locked`, { timeout: 5000 });
    await student.waitForSelector('#toggle-audio.locked[aria-pressed="true"]', { timeout: 5000 });
    await new Promise((r) => setTimeout(r, 1000));
    const muted = await growth(observer, studentId, 'microphone', 2000);
    assert.ok(muted <= 3, `audio from the hard-muted student kept arriving: ${muted} packets in 2 s`);

    // The UI refuses to unmute.
    await student.click('#toggle-audio');
    assert.equal(await student.locator('#toggle-audio').getAttribute('aria-pressed'), 'true', 'still muted');
    assert.match((await student.locator('.notice').textContent()) ?? '', /muted_by_moderator/);

    // A misbehaving page: microphone track back on, and it tells the server it unmuted.
    await student.evaluate(() => {
      type Media = { publishPc: RTCPeerConnection };
      const media = (window as unknown as { confab?: { conference?: { media?: Media } } }).confab?.conference?.media;
      for (const s of media?.publishPc.getSenders() ?? []) if (s.track) s.track.enabled = true;
    });
    await sendRaw(student, { type: 'set-muted', kind: 'audio', muted: false });
    await new Promise((r) => setTimeout(r, 500));
    const misbehaving = await growth(observer, studentId, 'microphone', 2500);
    assert.ok(misbehaving <= 3, `the server forwarded a hard-muted student's audio: ${misbehaving} packets in 2.5 s`);
    assert.equal(await observer.locator(`.tile[data-participant-id="${studentId}"].audio-muted`).count(), 1, 'still shown muted to others');
    assert.ok(room.server.logs.some((l) => l.includes('request refused') && l.includes('muted_by_moderator')));

    // Allowed again: the student unmutes and is heard.
    await teacher.click(`${person(studentId)} [data-action="allow-audio"]`);
    await student.waitForSelector('#toggle-audio:not(.locked)', { timeout: 5000 });
    await student.click('#toggle-audio');
    await observer.waitForSelector(`.tile[data-participant-id="${studentId}"]:not(.audio-muted)`, { timeout: 5000 });
    const heard = await waitFor(() => growth(observer, studentId, 'microphone', 1000), (n) => n > 30, 8000);
    assert.ok(heard > 30, `audio after being allowed to unmute: ${heard} packets/s`);
    for (const p of [teacher, student, observer]) await p.close();
  });

  test('mute everyone from the panel; a participant sees no moderator controls', async () => {
    const teacher = await room.people.join('physics-2', 'Teacher');
    await idOf(teacher);
    const a = await room.people.join('physics-2', 'A');
    const b = await room.people.join('physics-2', 'B');
    const [aId, bId] = [await idOf(a), await idOf(b)];
    await openPeople(a);
    assert.equal(await a.locator('#room-controls').isVisible(), false, 'no room controls for a participant');
    assert.equal(await a.locator('.person-actions').count(), 0, 'no per-person actions for a participant');
    await openPeople(teacher);
    await teacher.click('#mute-everyone-audio');
    for (const id of [aId, bId]) await teacher.waitForSelector(`.tile[data-participant-id="${id}"].audio-muted`, { timeout: 5000 });
    await a.waitForSelector('#toggle-audio[aria-pressed="true"]', { timeout: 5000 });
    assert.equal(await teacher.locator('#toggle-audio').getAttribute('aria-pressed'), 'false', 'the moderator stays unmuted');
    // A soft mute: the student may unmute.
    await a.click('#toggle-audio');
    await teacher.waitForSelector(`.tile[data-participant-id="${aId}"]:not(.audio-muted)`, { timeout: 5000 });
    for (const p of [teacher, a, b]) await p.close();
  });

  test('a removed student sees removed_by_moderator; ending the class shows conference_ended to everyone', async () => {
    const teacher = await room.people.join('physics-3', 'Teacher');
    await idOf(teacher);
    const student = await room.people.join('physics-3', 'Leaving');
    const other = await room.people.join('physics-3', 'Staying');
    const studentId = await idOf(student);
    await idOf(other);
    await openPeople(teacher);
    await teacher.click(`${person(studentId)} [data-action="remove"]`);
    await student.waitForSelector('.error-card', { timeout: 5000 });
    assert.equal(await student.locator('.error-code').textContent(), 'Error code: removed_by_moderator');
    assert.match((await student.locator('.error-card h1').textContent()) ?? '', /removed/i);
    await waitFor(() => other.locator('.tile').count(), (n) => n === 2, 5000);
    assert.equal(await other.locator(`.tile[data-participant-id="${studentId}"]`).count(), 0);

    await teacher.click('#end-conference');
    await teacher.click('#end-conference'); // the second click confirms
    for (const page of [other, teacher]) {
      await page.waitForSelector('.error-card', { timeout: 5000 });
      assert.equal(await page.locator('.error-code').textContent(), 'Error code: conference_ended');
      assert.match((await page.locator('.error-card h1').textContent()) ?? '', /ended/i);
    }
    for (const p of [teacher, student, other]) await p.close();
  });
});

describe('remove and block, with token links (issue 12)', { timeout: 180_000 }, () => {
  const SECRET = 'e2e-block-secret-long-enough-0123456789';
  let server: RunningServer;
  let browser: Browser;
  const pages: Page[] = [];
  const avatar = (id: string): string => `http://127.0.0.1:9/avatars/${id}.png`;
  const link = (id: string, name: string, moderator: boolean): string =>
    `${server.url}civics-1?jwt=${signJwt({ iss: 'school', aud: 'jitsi', sub: 'meet.jitsi', room: 'civics-1', exp: nowS() + 3600, context: { user: { id, name, moderator, avatar: avatar(id) } } }, { secret: SECRET })}#config.prejoinConfig.enabled=false&config.resolution=240`;
  const open = async (url: string): Promise<Page> => {
    const { page } = await openParticipant(browser, url);
    pages.push(page);
    return page;
  };
  before(async () => {
    server = await startServer({ ENABLE_AUTH: '1', JWT_APP_ID: 'school', JWT_APP_SECRET: SECRET });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const p of pages) await p.context().close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  test('the People panel offers Remove and Remove and block; a blocked student sees why, and reloading the link does not get them back', async () => {
    const teacher = await open(link('t-1', 'Teacher', true));
    await idOf(teacher);
    const studentLink = link('s-1', 'Blocked Student', false);
    const student = await open(studentLink);
    const other = await open(link('s-2', 'Other Student', false));
    const studentId = await idOf(student);
    await idOf(other);
    // The token's avatar is on the student's tile for the others (shown while the camera is off).
    assert.equal(await teacher.locator(`.tile[data-participant-id="${studentId}"] .tile-avatar img`).getAttribute('src'), avatar('s-1'));
    await openPeople(teacher);
    await teacher.waitForSelector(`${person(studentId)} [data-action="remove-block"]`, { timeout: 5000 });
    assert.equal(await teacher.locator(`${person(studentId)} [data-action="remove"]`).count(), 1, 'plain Remove is there too');
    await teacher.click(`${person(studentId)} [data-action="remove-block"]`);
    await student.waitForSelector('.error-card', { timeout: 5000 });
    assert.equal(await student.locator('.error-code').textContent(), 'Error code: blocked_by_moderator');
    assert.match((await student.locator('.error-message').textContent()) ?? '', /blocked you from joining it again until it ends/);
    await waitFor(() => other.locator('.tile').count(), (n) => n === 2, 5000);

    // The same link again (a reload): refused at join, with the same code.
    await student.goto(studentLink);
    await student.waitForSelector('.error-card', { timeout: 10_000 });
    assert.equal(await student.locator('.error-code').textContent(), 'Error code: blocked_by_moderator');
    assert.equal(await teacher.locator('.tile').count(), 2, 'teacher and the other student only');
  });
});
