/**
 * The lobby, enforced by the server: with it on (for all rooms with
 * ENABLE_LOBBY=1, or per room by a moderator), a non-moderator's join waits
 * until a moderator admits or denies it; moderators see who is knocking by
 * the name from their hello or token; a denial closes with lobby_denied;
 * moderators (auto-owner or token claim) skip it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Bot } from '../../src/bot/index.js';
import { ERRORS } from '../../src/protocol/errors.js';
import { allReceiving, closeAll } from '../support/bots.js';
import { Inbox, connect, joinSilently } from '../support/class.js';
import { nowS, signJwt } from '../support/jwt.js';
import { startServer, waitUntil, type TestServer } from '../support/server.js';

const bots: Bot[] = [];
const inboxes: Inbox[] = [];
after(async () => {
  await closeAll(bots);
  await Promise.allSettled(inboxes.map((i) => i.client.close()));
});
const keep = (i: Inbox): Inbox => (inboxes.push(i), i);

describe('lobby for every room (ENABLE_LOBBY=1)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ ENABLE_LOBBY: '1' });
  });
  after(() => server.stop());

  test('the teacher (auto-owner) walks in; a student waits, is seen by name, is admitted and exchanges media', { timeout: 30_000 }, async () => {
    const teacher = await Bot.join({ url: server.url, room: 'algebra', displayName: 'Teacher', publish: { audio: true, video: true }, network: { loopbackOnly: true } });
    bots.push(teacher);
    const t = new Inbox(teacher.signaling);
    const knocking = t.wait('lobby', (m) => m.waiting.length === 1);
    const studentJoin = Bot.join({ url: server.url, room: 'algebra', displayName: 'Student Sam', publish: { audio: true, video: true }, network: { loopbackOnly: true }, timeoutMs: 15_000 });
    const lobby = await knocking;
    assert.equal(lobby.waiting[0]?.displayName, 'Student Sam');
    assert.equal(server.server.gateway.registry.get('algebra')?.participants.size, 1, 'not in the room while waiting');
    assert.equal(teacher.participants.size, 0, 'not in presence while waiting');
    t.moderate({ action: 'admit', participantId: lobby.waiting[0]!.id });
    const student = await studentJoin;
    bots.push(student);
    await t.wait('lobby', (m) => m.waiting.length === 0);
    await waitUntil(() => allReceiving([teacher, student], 25), 10_000, 'media both ways after admission');
  });

  test('a denied student is closed with lobby_denied and never enters', { timeout: 30_000 }, async () => {
    const teacher = keep((await joinSilently(server.url, 'geometry', 'Teacher')).inbox);
    const student = keep(await connect(server.url, 'geometry', 'Dan'));
    await student.wait('lobby-waiting');
    const { waiting } = await teacher.wait('lobby', (m) => m.waiting.length === 1);
    teacher.moderate({ action: 'deny', participantId: waiting[0]!.id });
    assert.deepEqual(await student.closed(), { code: ERRORS.lobby_denied.closeCode, reason: 'lobby_denied' });
    assert.equal(student.of('error')[0]?.code, 'lobby_denied');
    assert.equal(student.of('welcome').length, 0);
    assert.equal(server.server.gateway.registry.get('geometry')?.participants.size, 1);
  });

  test('a knocker who goes away leaves the list; the moderator can turn the lobby off, which admits the rest', { timeout: 30_000 }, async () => {
    const teacher = keep((await joinSilently(server.url, 'calculus', 'Teacher')).inbox);
    const gone = keep(await connect(server.url, 'calculus', 'Gone'));
    const stays = keep(await connect(server.url, 'calculus', 'Stays'));
    await teacher.wait('lobby', (m) => m.waiting.length === 2);
    await gone.client.close();
    const after = await teacher.next('lobby');
    assert.deepEqual(after.waiting.map((k) => k.displayName), ['Stays']);
    teacher.moderate({ action: 'set-lobby', enabled: false });
    await stays.wait('welcome');
    const state = await teacher.wait('room-state', (m) => !m.state.lobbyEnabled);
    assert.equal(state.state.lobbyEnabled, false);
    // Now anyone walks in.
    keep((await joinSilently(server.url, 'calculus', 'Walk-in')).inbox);
  });

  test('a participant cannot admit anyone: forbidden', { timeout: 30_000 }, async () => {
    const teacher = keep((await joinSilently(server.url, 'stats', 'Teacher')).inbox);
    const knocker = keep(await connect(server.url, 'stats', 'First'));
    const { waiting } = await teacher.wait('lobby', (m) => m.waiting.length === 1);
    teacher.moderate({ action: 'admit', participantId: waiting[0]!.id });
    await knocker.wait('welcome');
    const second = keep(await connect(server.url, 'stats', 'Second'));
    const { waiting: now } = await teacher.wait('lobby', (m) => m.waiting.length === 1 && m.waiting[0]?.displayName === 'Second');
    knocker.moderate({ action: 'admit', participantId: now[0]!.id });
    assert.equal((await knocker.next('error')).code, 'forbidden');
    assert.equal(second.of('welcome').length, 0);
    assert.equal(knocker.of('lobby').length, 0, 'participants are not told who knocks');
  });
});

describe('lobby with tokens: students wait for the teacher', () => {
  const SECRET = 'lobby-test-secret-0123456789abcdef0123';
  let server: TestServer;
  const token = (name: string, moderator: boolean): string =>
    signJwt({ iss: 'school', aud: 'jitsi', sub: '*', room: 'history', exp: nowS() + 600, context: { user: { name, moderator } } }, { secret: SECRET });
  before(async () => {
    server = await startServer({ ENABLE_AUTH: '1', JWT_APP_ID: 'school', JWT_APP_SECRET: SECRET, ENABLE_AUTO_OWNER: '0', ENABLE_LOBBY: '1' });
  });
  after(() => server.stop());

  test('students knock before anyone is in; the token moderator skips the lobby and sees them by their token names', { timeout: 30_000 }, async () => {
    const ann = keep(await connect(server.url, 'history', '', { token: token('Ann from token', false) }));
    const ben = keep(await connect(server.url, 'history', '', { token: token('Ben from token', false) }));
    await ann.wait('lobby-waiting');
    await ben.wait('lobby-waiting');
    const teacher = keep((await joinSilently(server.url, 'history', '', { token: token('Ms Teacher', true) })).inbox);
    const welcome = await teacher.wait('welcome');
    assert.equal(welcome.self.role, 'moderator');
    const { waiting } = await teacher.wait('lobby', (m) => m.waiting.length === 2);
    assert.deepEqual(waiting.map((k) => k.displayName), ['Ann from token', 'Ben from token']);
    teacher.moderate({ action: 'admit', participantId: waiting[0]!.id });
    const annIn = await ann.wait('welcome');
    assert.deepEqual([annIn.self.displayName, annIn.self.role], ['Ann from token', 'participant']);
    teacher.moderate({ action: 'deny', participantId: waiting[1]!.id });
    assert.equal((await ben.closed()).reason, 'lobby_denied');
  });
});
