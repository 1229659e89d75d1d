/**
 * Removal and the end of a class revoke every way back (issue 12): the
 * removed participant's rejoin tickets (this connection's and earlier
 * ones to the same class), its resume secret and its held session stop
 * working at once, for everyone at the end of the class; coming back needs
 * a valid token and, with the lobby on, a moderator's admission again. A
 * moderator may also block the identity (token sub + user id) for the rest
 * of the class. Real server, raw signaling clients, tokens from the
 * independent test signer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignalingClient } from '../../src/bot/index.js';
import { ERRORS, type ErrorCode } from '../../src/protocol/errors.js';
import { connect, joinSilently, type HelloExtra, type Inbox } from '../support/class.js';
import { nowS, signJwt } from '../support/jwt.js';
import { sleep, startServer, waitUntil, type TestServer } from '../support/server.js';

const SECRET = 'removal-test-secret-0123456789abcdef0123';
const token = (room: string, user: Record<string, unknown>, extra: Record<string, unknown> = {}): string =>
  signJwt({ iss: 'lms', aud: 'jitsi', sub: 'meet.example.org', room, exp: nowS() + 600, context: { user }, ...extra }, { secret: SECRET });
const teacherToken = (room: string): string => token(room, { id: 'teacher-1', name: 'Teacher', moderator: true });

let s: TestServer;
const inboxes: Inbox[] = [];
const keep = (i: Inbox): Inbox => (inboxes.push(i), i);

before(async () => {
  s = await startServer({ ENABLE_AUTH: '1', JWT_APP_ID: 'lms', JWT_APP_SECRET: SECRET, RESUME_GRACE_S: '5', PING_INTERVAL_S: '1' });
});
after(async () => {
  await Promise.allSettled(inboxes.map((i) => i.client.close()));
  await s.stop();
});

async function join(room: string, name: string, extra: HelloExtra): Promise<{ inbox: Inbox; id: string; ticket: string | undefined; secret: string | undefined }> {
  const { inbox, id } = await joinSilently(s.url, room, name, extra);
  keep(inbox);
  const welcome = inbox.of('welcome')[0]!;
  return { inbox, id, ticket: welcome.rejoinTicket, secret: welcome.resumeSecret };
}

/** The network drops the connection without a goodbye (the server holds the session for a resume). */
function drop(inbox: Inbox): void {
  assert.ok(inbox.client instanceof SignalingClient, 'a WebSocket client');
  inbox.client.socket.terminate();
}

/** A hello that must be refused: the close code and reason. */
async function refusedWith(room: string, extra: HelloExtra, code: ErrorCode): Promise<string> {
  const inbox = keep(await connect(s.url, room, 'Back again', extra));
  const closed = await inbox.closed();
  assert.deepEqual(closed, { code: ERRORS[code].closeCode, reason: code }, `expected ${code}: ${JSON.stringify(inbox.messages)}`);
  assert.equal(inbox.of('welcome').length + inbox.of('resumed').length, 0);
  return inbox.of('error')[0]?.message ?? '';
}

describe('removal', () => {
  test("the reported scenario: a removed student's rejoin ticket from the first welcome no longer gets them in, even after the token expired", { timeout: 30_000 }, async () => {
    const room = 'removal-a';
    const teacher = await join(room, 'Teacher', { token: teacherToken(room) });
    const shortLived = token(room, { id: 's1', name: 'Student' }, { exp: nowS() + 2 });
    const student = await join(room, '', { token: shortLived });
    assert.match(student.ticket ?? '', /^[\w-]{32}$/);
    teacher.inbox.moderate({ action: 'remove', participantId: student.id });
    assert.deepEqual(await student.inbox.closed(), { code: ERRORS.removed_by_moderator.closeCode, reason: 'removed_by_moderator' });
    // The ticket alone: dead (so it falls through to the missing token).
    await refusedWith(room, { rejoinTicket: student.ticket }, 'token_missing');
    await sleep(2200);
    // The ticket with the token, now expired: the expiry is what is checked, not the ticket.
    assert.match(await refusedWith(room, { rejoinTicket: student.ticket, token: shortLived }, 'token_expired'), /^token expired/);
  });

  test('tickets from earlier connections to the same class are revoked too, and the held session with its resume secret', { timeout: 30_000 }, async () => {
    const room = 'removal-b';
    const teacher = await join(room, 'Teacher', { token: teacherToken(room) });
    const studentToken = token(room, { id: 's2', name: 'Student' });
    // First connection: the student leaves (its ticket stays good for 10 minutes) and comes back with the token.
    const first = await join(room, '', { token: studentToken });
    first.inbox.send({ type: 'leave' });
    await first.inbox.closed();
    const second = await join(room, '', { token: studentToken });
    // The second connection drops without a goodbye: held for a resume.
    drop(second.inbox);
    await teacher.inbox.wait('participant-updated', (m) => m.participant.id === second.id && m.participant.connectionInterrupted);
    teacher.inbox.moderate({ action: 'remove', participantId: second.id });
    await teacher.inbox.wait('participant-left', (m) => m.participantId === second.id && m.reason === 'removed');
    assert.equal(s.server.resume.suspendedCount(), 0, 'the hold ended with the removal');
    // Resume secret, this connection's ticket and the first connection's ticket: none gets back in.
    const resume = { participantId: second.id, secret: second.secret!, received: 3 };
    await refusedWith(room, { resume, rejoinTicket: second.ticket }, 'token_missing');
    await refusedWith(room, { rejoinTicket: first.ticket }, 'token_missing');
    assert.equal(s.server.gateway.registry.get(room)?.participants.size, 1, 'only the teacher');
  });

  test('with the lobby on, a removed student with a valid token waits for admission again', { timeout: 30_000 }, async () => {
    const room = 'removal-c';
    const teacher = await join(room, 'Teacher', { token: teacherToken(room) });
    teacher.inbox.moderate({ action: 'set-lobby', enabled: true });
    await teacher.inbox.wait('room-state', (m) => m.state.lobbyEnabled);
    const studentToken = token(room, { id: 's3', name: 'Sam' });
    const sam = keep(await connect(s.url, room, '', { token: studentToken }));
    const { waiting } = await teacher.inbox.wait('lobby', (m) => m.waiting.length === 1);
    teacher.inbox.moderate({ action: 'admit', participantId: waiting[0]!.id });
    const welcome = await sam.wait('welcome');
    teacher.inbox.moderate({ action: 'remove', participantId: welcome.participantId });
    await sam.closed();
    const again = keep(await connect(s.url, room, '', { token: studentToken, rejoinTicket: welcome.rejoinTicket }));
    assert.equal((await again.wait('lobby-waiting')).moderatorPresent, true, 'waits in the lobby again');
    await teacher.inbox.wait('lobby', (m) => m.waiting.length === 1 && m.waiting[0]?.displayName === 'Sam');
    assert.equal(again.of('welcome').length, 0);
  });

  test('remove and block: the identity is refused until the class ends, with a new token too; others are not', { timeout: 30_000 }, async () => {
    const room = 'removal-d';
    const teacher = await join(room, 'Teacher', { token: teacherToken(room) });
    const mallory = await join(room, '', { token: token(room, { id: 'm1', name: 'Mallory' }) });
    const malloryTab2 = await join(room, '', { token: token(room, { id: 'm1', name: 'Mallory' }) });
    const bob = await join(room, '', { token: token(room, { id: 'b1', name: 'Bob' }) });
    const seen = await teacher.inbox.wait('participant-joined', (m) => m.participant.id === mallory.id);
    assert.equal(seen.participant.blockable, true, 'a token user id makes someone blockable');
    teacher.inbox.moderate({ action: 'remove', participantId: mallory.id, block: true });
    for (const tab of [mallory, malloryTab2]) {
      assert.deepEqual(await tab.inbox.closed(), { code: ERRORS.blocked_by_moderator.closeCode, reason: 'blocked_by_moderator' });
    }
    await teacher.inbox.wait('participant-left', (m) => m.participantId === malloryTab2.id && m.reason === 'removed');
    // A freshly minted token for the same user (sub + id) is refused, before any lobby or room.
    const message = await refusedWith(room, { token: token(room, { id: 'm1', name: 'Mallory, again' }) }, 'blocked_by_moderator');
    assert.equal(message, `a moderator removed you from room '${room}' and blocked you from joining it again until the class ends`);
    await refusedWith(room, { rejoinTicket: mallory.ticket }, 'token_missing');
    // With the lobby on, a knock from the blocked identity is refused just the same.
    teacher.inbox.moderate({ action: 'set-lobby', enabled: true });
    await teacher.inbox.wait('room-state', (m) => m.state.lobbyEnabled);
    await refusedWith(room, { token: token(room, { id: 'm1', name: 'M' }) }, 'blocked_by_moderator');
    assert.ok(s.server.gateway.registry.get(room)?.participants.has(bob.id), 'Bob stays');
    // Someone else with the same user id under another sub is someone else.
    const other = keep(await connect(s.url, room, '', { token: token(room, { id: 'm1', name: 'Other M' }, { sub: 'other.example.org' }) }));
    await other.wait('lobby-waiting');
  });

  test('a guest (JWT_ALLOW_EMPTY=1) has nothing to block: participant_not_blockable, and nobody is removed', { timeout: 30_000 }, async () => {
    const guests = await startServer({ ENABLE_AUTH: '1', JWT_APP_ID: 'lms', JWT_APP_SECRET: SECRET, JWT_ALLOW_EMPTY: '1' });
    try {
      const room = 'removal-e';
      const teacher = keep((await joinSilently(guests.url, room, 'Teacher', { token: teacherToken(room) })).inbox);
      const guest = await joinSilently(guests.url, room, 'Guest', {});
      keep(guest.inbox);
      const info = await teacher.wait('participant-joined', (m) => m.participant.id === guest.id);
      assert.equal(info.participant.blockable, false);
      teacher.moderate({ action: 'remove', participantId: guest.id, block: true });
      const error = await teacher.next('error');
      assert.deepEqual([error.code, error.fatal], ['participant_not_blockable', false]);
      assert.match(error.message, /^Guest joined without a token user id/);
      assert.ok(guests.server.gateway.registry.get(room)?.participants.has(guest.id));
    } finally {
      await guests.stop();
    }
  });
});

describe('end of class', () => {
  test("ending the class revokes everyone's tickets (also of people who dropped earlier) and held sessions; a valid token starts afresh", { timeout: 40_000 }, async () => {
    const room = 'ended-a';
    const teacher = await join(room, 'Teacher', { token: teacherToken(room) });
    const annToken = token(room, { id: 'a1', name: 'Ann' });
    const ann = await join(room, '', { token: annToken });
    const ben = await join(room, '', { token: token(room, { id: 'b2', name: 'Ben' }) });
    // Ann left with a goodbye earlier: her ticket is in its grace period. Ben's connection drops: held.
    ann.inbox.send({ type: 'leave' });
    await ann.inbox.closed();
    drop(ben.inbox);
    await teacher.inbox.wait('participant-updated', (m) => m.participant.id === ben.id && m.participant.connectionInterrupted);
    assert.equal(s.server.rejoinTickets!.size >= 3, true);
    teacher.inbox.moderate({ action: 'end-conference' });
    assert.deepEqual(await teacher.inbox.closed(), { code: ERRORS.conference_ended.closeCode, reason: 'conference_ended' });
    await waitUntil(() => s.server.gateway.registry.get(room) === undefined, 5000, 'the room to close');
    await refusedWith(room, { rejoinTicket: ann.ticket }, 'token_missing');
    await refusedWith(room, { resume: { participantId: ben.id, secret: ben.secret!, received: 3 }, rejoinTicket: ben.ticket }, 'token_missing');
    await refusedWith(room, { rejoinTicket: teacher.ticket }, 'token_missing');
    // A new admission with a valid token: a new class, a new participant.
    const fresh = await join(room, '', { token: annToken });
    assert.notEqual(fresh.id, ann.id);
    assert.equal(fresh.inbox.of('welcome')[0]?.self.role, 'moderator', 'no moderator claim, first in: auto-owner');
  });
});
