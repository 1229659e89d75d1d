/**
 * The lobby in real browsers: with ENABLE_LOBBY=1 a student's page waits on
 * the lobby screen while the teacher's page lists them with Admit and Deny;
 * admitted, they see and hear each other; denied, the page shows why with
 * the code. With tokens, the teacher's moderator claim skips the lobby and
 * the students knocking before the teacher arrives are listed by the names
 * in their tokens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { nowS, signJwt } from '../support/jwt.js';
import { People, countFrom, idOf, openPeople } from './class-support.js';
import { launchBrowser, openParticipant, startServer, waitFor, type RunningServer } from './support.js';

let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const knock = (name: string): string => `#knocks .knock[data-name="${name}"]`;

describe('lobby for every room (ENABLE_LOBBY=1)', { timeout: 180_000 }, () => {
  let server: RunningServer;
  let people: People;
  before(async () => {
    server = await startServer({ ENABLE_LOBBY: '1' });
    people = new People(browser, () => server.url);
  });
  after(async () => {
    await people?.closeAll();
    await server?.stop();
  });

  test('a student waits on the lobby screen, the teacher admits them, and media flows both ways', async () => {
    const teacher = await people.join('bio-1', 'Teacher');
    const teacherId = await idOf(teacher);
    const student = await people.join('bio-1', 'Sam Student');
    await student.waitForSelector('#lobby-waiting', { timeout: 10_000 });
    assert.equal(await student.locator('.tile').count(), 0, 'nothing of the class is shown while waiting');
    await teacher.waitForSelector(knock('Sam Student'), { timeout: 10_000 });
    assert.equal(await teacher.locator('#toggle-people').getAttribute('data-badge'), '1');
    assert.equal(await teacher.locator('.tile').count(), 1, 'the knocker is not in the room yet');

    await teacher.click(`${knock('Sam Student')} .admit`);
    await student.waitForSelector('#lobby-waiting', { state: 'detached', timeout: 10_000 });
    const studentId = await idOf(student);
    await waitFor(() => countFrom(student, teacherId, 'camera'), (n) => n > 10, 15_000);
    await waitFor(() => countFrom(teacher, studentId, 'microphone'), (n) => n > 50, 15_000);
    assert.equal(await teacher.locator('#knocks').isVisible(), false, 'the lobby list is gone');
    for (const p of [teacher, student]) await p.close();
  });

  test('a denied student sees why, with the code; turning the lobby off lets the next one straight in', async () => {
    const teacher = await people.join('bio-2', 'Teacher');
    await idOf(teacher);
    const denied = await people.join('bio-2', 'Dan');
    await teacher.waitForSelector(knock('Dan'), { timeout: 10_000 });
    await teacher.click(`${knock('Dan')} .deny`);
    await denied.waitForSelector('.error-card', { timeout: 10_000 });
    assert.equal(await denied.locator('.error-code').textContent(), 'Error code: lobby_denied');
    assert.match((await denied.locator('.error-message').textContent()) ?? '', /declined your request/);

    await openPeople(teacher);
    assert.equal(await teacher.locator('#lobby-toggle').isChecked(), true);
    await teacher.click('#lobby-toggle');
    await waitFor(() => teacher.locator('#lobby-toggle').isChecked(), (on) => !on, 5000);
    const walkIn = await people.join('bio-2', 'Walk-in');
    await idOf(walkIn);
    await waitFor(() => teacher.locator('.tile').count(), (n) => n === 2, 10_000);
    for (const p of [teacher, denied, walkIn]) await p.close();
  });
});

describe('lobby with token links: students wait for the teacher', { timeout: 180_000 }, () => {
  const SECRET = 'e2e-lobby-secret-long-enough-0123456789';
  let server: RunningServer;
  const pages: Page[] = [];
  const link = (name: string, moderator: boolean): string =>
    `${server.url}chem-1?jwt=${signJwt({ iss: 'school', aud: 'jitsi', sub: 'meet.jitsi', room: 'chem-1', exp: nowS() + 3600, context: { user: { name, moderator } } }, { secret: SECRET })}#config.prejoinConfig.enabled=false&config.resolution=240`;
  const open = async (url: string): Promise<Page> => {
    const { page } = await openParticipant(browser, url);
    pages.push(page);
    return page;
  };
  before(async () => {
    server = await startServer({ ENABLE_AUTH: '1', JWT_APP_ID: 'school', JWT_APP_SECRET: SECRET, ENABLE_AUTO_OWNER: '0', ENABLE_LOBBY: '1' });
  });
  after(async () => {
    for (const p of pages) await p.context().close().catch(() => undefined);
    await server?.stop();
  });

  test('the moderator token skips the lobby and sees the waiting students by their token names', async () => {
    const ann = await open(link('Ann Token', false));
    await ann.waitForSelector('#lobby-waiting', { timeout: 10_000 });
    const teacher = await open(link('Ms Token', true));
    await idOf(teacher);
    assert.equal(await teacher.locator('#lobby-waiting').count(), 0, 'the teacher never waits');
    await teacher.waitForSelector(knock('Ann Token'), { timeout: 10_000 });
    await teacher.click(`${knock('Ann Token')} .admit`);
    await idOf(ann);
    await waitFor(() => ann.locator('.tile').count(), (n) => n === 2, 10_000);
    assert.deepEqual((await ann.locator('.tile-name').allTextContents()).sort(), ['Ann Token (you)', 'Ms Token']);
  });
});

describe('issue 12: an early student with the default auto-owner waits, and the waiting screen says why', { timeout: 180_000 }, () => {
  const SECRET = 'e2e-lobby-secret-long-enough-0123456789';
  let server: RunningServer;
  const pages: Page[] = [];
  const link = (name: string, moderator: boolean): string =>
    `${server.url}phys-1?jwt=${signJwt({ iss: 'school', aud: 'jitsi', sub: 'meet.jitsi', room: 'phys-1', exp: nowS() + 3600, context: { user: { id: name, name } }, moderator }, { secret: SECRET })}#config.prejoinConfig.enabled=false&config.resolution=240`;
  before(async () => {
    server = await startServer({ ENABLE_AUTH: '1', JWT_APP_ID: 'school', JWT_APP_SECRET: SECRET, ENABLE_LOBBY: '1' });
  });
  after(async () => {
    for (const p of pages) await p.context().close().catch(() => undefined);
    await server?.stop();
  });

  test('a student whose token says moderator: false arrives first: no moderator role, "no moderator is here yet", then let in by the teacher', async () => {
    const { page: student } = await openParticipant(browser, link('Early Student', false));
    pages.push(student);
    await student.waitForSelector('#lobby-waiting[data-moderator-present="false"]', { timeout: 10_000 });
    assert.equal(await student.locator('#lobby-waiting h1').textContent(), 'Waiting for a moderator');
    assert.match((await student.locator('#lobby-waiting-text').textContent()) ?? '', /^No moderator is here yet, Early Student\. You will wait here until one arrives/);

    // The teacher's token has the top-level moderator claim (the token-moderation plugin convention).
    const { page: teacher } = await openParticipant(browser, link('Teacher', true));
    pages.push(teacher);
    await idOf(teacher);
    await student.waitForSelector('#lobby-waiting[data-moderator-present="true"]', { timeout: 10_000 });
    assert.match((await student.locator('#lobby-waiting-text').textContent()) ?? '', /^A moderator will let you in shortly/);
    await teacher.waitForSelector(knock('Early Student'), { timeout: 10_000 });
    await teacher.click(`${knock('Early Student')} .admit`);
    const studentId = await idOf(student);
    await waitFor(() => teacher.locator(`.tile[data-participant-id="${studentId}"]`).count(), (n) => n === 1, 10_000);
    assert.equal(await teacher.locator(`.tile[data-participant-id="${studentId}"]`).getAttribute('class').then((c) => c?.includes('moderator')), false, 'the student is no moderator');
    assert.ok((await teacher.locator('.tile.self').getAttribute('class'))?.includes('moderator'), 'the teacher is');
  });
});
