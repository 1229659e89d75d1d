/**
 * Moderation enforced by the server, with real werift bots on loopback:
 * a participant's moderator requests are refused with `forbidden` (the
 * connection stays), a hard-muted bot that keeps sending media and asks to
 * unmute has nothing forwarded, and lock, remove, grant and end class act
 * on the server, not just in a UI.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bot } from '../../src/bot/index.js';
import { ERRORS } from '../../src/protocol/errors.js';
import type { ModerationRequest } from '../../src/protocol/messages.js';
import { allReceiving, closeAll, joinBots, received } from '../support/bots.js';
import { Inbox, connect, joinSilently } from '../support/class.js';
import { sleep, startServer, waitUntil, type TestServer } from '../support/server.js';

let server: TestServer;
const bots: Bot[] = [];
const inboxes: Inbox[] = [];

before(async () => {
  server = await startServer();
});
after(async () => {
  await closeAll(bots);
  await Promise.allSettled(inboxes.map((i) => i.client.close()));
  await server.stop();
});

/** The first to join is the moderator (auto-owner); the others join after. */
async function classOf(room: string, ...names: string[]): Promise<Bot[]> {
  const [first, ...rest] = names;
  const teacher = await joinBots(server.url, room, [first!]);
  const others = await joinBots(server.url, room, rest);
  bots.push(...teacher, ...others);
  return [...teacher, ...others];
}
const inbox = (bot: Bot): Inbox => new Inbox(bot.signaling);

test('every moderator request from a participant is refused with forbidden; the connection and the room stay as they were', { timeout: 30_000 }, async () => {
  const [teacher, student, other] = await classOf('forbidden', 'teacher', 'student', 'other');
  assert.ok(teacher && student && other);
  await waitUntil(() => allReceiving([teacher, student, other], 20), 10_000, 'media among three');
  const room = server.server.gateway.registry.get('forbidden')!;
  assert.equal(room.participants.get(teacher.participantId)?.role, 'moderator');
  const s = inbox(student);
  const requests: ModerationRequest[] = [
    { action: 'mute', participantId: other.participantId, kind: 'audio', hard: true },
    { action: 'mute-everyone', kind: 'video', hard: true },
    { action: 'allow-unmute', participantId: other.participantId, kind: 'audio' },
    { action: 'allow-unmute-everyone', kind: 'audio' },
    { action: 'remove', participantId: teacher.participantId, block: false },
    { action: 'grant-moderator', participantId: student.participantId },
    { action: 'lower-hand', participantId: other.participantId },
    { action: 'lock-room', locked: true },
    { action: 'set-lobby', enabled: true },
    { action: 'admit', participantId: 'k1' },
    { action: 'deny', participantId: 'k1' },
    { action: 'end-conference' },
    { action: 'set-subject', subject: 'Taken over' },
  ];
  for (const request of requests) {
    const refused = s.next('error');
    s.moderate(request);
    const error = await refused;
    assert.deepEqual([error.code, error.fatal], ['forbidden', false], request.action);
    assert.match(error.message, /^only a moderator can /);
  }
  assert.equal(student.signaling.closed, undefined, 'the connection stays open');
  assert.deepEqual(room.state(), { locked: false, lobbyEnabled: false, hardMuted: { audio: false, video: false }, subject: '' });
  assert.equal(room.participants.size, 3);
  for (const p of room.participants.values()) assert.deepEqual([p.audioMuted, p.videoMuted, p.role === 'moderator'], [false, false, p.id === teacher.participantId]);
  const from = received(other, student, 'audio');
  await waitUntil(() => received(other, student, 'audio') - from > 20, 3_000, 'the student keeps being heard');
});

test('hard mute: nothing is forwarded although the muted client keeps sending and asks to unmute; allowed, it can unmute', { timeout: 30_000 }, async () => {
  const [teacher, student, listener] = await classOf('hard-mute', 'teacher', 'student', 'listener');
  assert.ok(teacher && student && listener);
  await waitUntil(() => allReceiving([teacher, student, listener], 25), 10_000, 'media among three');
  const t = inbox(teacher);
  const s = inbox(student);
  t.moderate({ action: 'mute', participantId: student.participantId, kind: 'audio', hard: true });
  await waitUntil(() => listener.participants.get(student.participantId)?.audioLocked === true, 3_000, 'the listener to see the student hard-muted');
  assert.equal(listener.participants.get(student.participantId)?.audioMuted, true);
  await s.wait('participant-updated', (m) => m.participant.id === student.participantId && m.participant.audioLocked);
  await sleep(300); // packets already on the wire when the producer paused
  const at = { audio: received(listener, student, 'audio'), video: received(listener, student, 'video'), sent: student.stats().sent.audio.packets };

  // The misbehaving client: keeps sending audio (bots always do) and says it unmuted.
  const refused = s.next('error');
  student.setMuted('audio', false);
  const error = await refused;
  assert.deepEqual([error.code, error.fatal], ['muted_by_moderator', false]);
  await sleep(1500);
  assert.equal(received(listener, student, 'audio'), at.audio, 'no audio forwarded from the hard-muted student');
  assert.equal(received(teacher, student, 'audio') > 0, true);
  assert.ok(student.stats().sent.audio.packets - at.sent > 50, 'the student kept sending: the SFU is what stopped it');
  assert.ok(received(listener, student, 'video') - at.video > 25, 'video is not affected');
  assert.equal(listener.participants.get(student.participantId)?.audioMuted, true);

  t.moderate({ action: 'allow-unmute', participantId: student.participantId, kind: 'audio' });
  await waitUntil(() => listener.participants.get(student.participantId)?.audioLocked === false, 3_000, 'the lock to be lifted');
  assert.equal(received(listener, student, 'audio'), at.audio, 'allowed to unmute is not unmuted');
  student.setMuted('audio', false);
  const resumed = received(listener, student, 'audio');
  await waitUntil(() => received(listener, student, 'audio') - resumed > 25, 3_000, 'audio to flow again after the student unmuted');
  assert.ok(server.server.gateway.registry.get('hard-mute'));
});

test('lecture mode: a hard mute-everyone holds newcomers too, the moderator keeps talking; allow-unmute-everyone lifts it', { timeout: 30_000 }, async () => {
  const [teacher, a, b] = await classOf('lecture', 'teacher', 'a', 'b');
  assert.ok(teacher && a && b);
  await waitUntil(() => allReceiving([teacher, a, b], 20), 10_000, 'media among three');
  inbox(teacher).moderate({ action: 'mute-everyone', kind: 'audio', hard: true });
  await waitUntil(() => [a, b].every((x) => teacher.participants.get(x.participantId)?.audioLocked === true), 3_000, 'both students locked');
  const [late] = await joinBots(server.url, 'lecture', ['late']);
  assert.ok(late);
  bots.push(late);
  await waitUntil(() => teacher.participants.get(late.participantId)?.audioLocked === true, 3_000, 'the newcomer locked too');
  await sleep(1000);
  const at = [a, b, late].map((x) => received(teacher, x, 'audio'));
  const teacherAt = received(a, teacher, 'audio');
  await sleep(1500);
  assert.deepEqual([a, b, late].map((x) => received(teacher, x, 'audio')), at, 'no student audio forwarded');
  assert.ok(received(a, teacher, 'audio') - teacherAt > 50, 'the moderator is heard');
  inbox(teacher).moderate({ action: 'allow-unmute-everyone', kind: 'audio' });
  await waitUntil(() => [a, b, late].every((x) => teacher.participants.get(x.participantId)?.audioLocked === false), 3_000, 'locks lifted');
  late.setMuted('audio', false);
  const from = received(teacher, late, 'audio');
  await waitUntil(() => received(teacher, late, 'audio') - from > 20, 3_000, 'the newcomer heard after unmuting');
});

test('lock: new joins are refused with room_locked, the teacher is not; unlocking lets people in', { timeout: 30_000 }, async () => {
  const teacher = await joinSilently(server.url, 'lockable', 'teacher');
  inboxes.push(teacher.inbox);
  teacher.inbox.moderate({ action: 'lock-room', locked: true });
  await teacher.inbox.wait('room-state', (m) => m.state.locked);
  const refused = await connect(server.url, 'lockable', 'late');
  inboxes.push(refused);
  const closed = await refused.closed();
  assert.deepEqual(closed, { code: ERRORS.room_locked.closeCode, reason: 'room_locked' });
  assert.equal(refused.of('error')[0]?.code, 'room_locked');
  assert.equal(refused.of('welcome').length, 0);
  assert.equal(server.server.gateway.registry.get('lockable')?.participants.size, 1);
  teacher.inbox.moderate({ action: 'lock-room', locked: false });
  await teacher.inbox.wait('room-state', (m) => !m.state.locked);
  const late = await joinSilently(server.url, 'lockable', 'late');
  inboxes.push(late.inbox);
  assert.equal(server.server.gateway.registry.get('lockable')?.participants.size, 2);

  // Locked again, and the only moderator drops: the next to join becomes moderator (auto-owner) and may enter.
  teacher.inbox.moderate({ action: 'lock-room', locked: true });
  await late.inbox.wait('room-state', (m) => m.state.locked);
  await teacher.inbox.client.close();
  await late.inbox.wait('participant-left', (m) => m.participantId === teacher.id);
  const next = await joinSilently(server.url, 'lockable', 'next teacher');
  inboxes.push(next.inbox);
  assert.equal((await next.inbox.wait('welcome')).self.role, 'moderator');
  const stillLocked = await connect(server.url, 'lockable', 'student');
  inboxes.push(stillLocked);
  assert.equal((await stillLocked.closed()).reason, 'room_locked', 'the lock holds for everyone else');
});

test('remove: the participant is closed with removed_by_moderator, everyone else sees reason removed', { timeout: 30_000 }, async () => {
  const teacher = await joinSilently(server.url, 'removal', 'teacher');
  const student = await joinSilently(server.url, 'removal', 'student');
  const other = await joinSilently(server.url, 'removal', 'other');
  inboxes.push(teacher.inbox, student.inbox, other.inbox);
  teacher.inbox.moderate({ action: 'remove', participantId: student.id });
  assert.deepEqual(await student.inbox.closed(), { code: ERRORS.removed_by_moderator.closeCode, reason: 'removed_by_moderator' });
  assert.equal(student.inbox.of('error').at(-1)?.code, 'removed_by_moderator');
  const left = await other.inbox.wait('participant-left', (m) => m.participantId === student.id);
  assert.equal(left.reason, 'removed');
  assert.deepEqual([...server.server.gateway.registry.get('removal')!.participants.keys()].sort(), [teacher.id, other.id].sort());
});

test('grant moderator: everyone sees the new role, and the new moderator is obeyed', { timeout: 30_000 }, async () => {
  const teacher = await joinSilently(server.url, 'granting', 'teacher');
  const ta = await joinSilently(server.url, 'granting', 'assistant');
  const student = await joinSilently(server.url, 'granting', 'student');
  inboxes.push(teacher.inbox, ta.inbox, student.inbox);
  teacher.inbox.moderate({ action: 'grant-moderator', participantId: ta.id });
  const seen = await student.inbox.wait('participant-updated', (m) => m.participant.id === ta.id && m.participant.role === 'moderator');
  assert.equal(seen.participant.displayName, 'assistant');
  ta.inbox.moderate({ action: 'mute', participantId: student.id, kind: 'video', hard: false });
  const muted = await teacher.inbox.wait('participant-updated', (m) => m.participant.id === student.id && m.participant.videoMuted);
  assert.equal(muted.participant.videoLocked, false);
  assert.equal(ta.inbox.of('error').length, 0);
});

test('end class: everyone is closed with conference_ended and the room is gone', { timeout: 30_000 }, async () => {
  const [teacher, a, b] = await classOf('ending', 'teacher', 'a', 'b');
  assert.ok(teacher && a && b);
  const closes = [a, b, teacher].map((bot) => new Promise<{ code: number; reason: string }>((resolve) => bot.on('closed', resolve)));
  inbox(teacher).moderate({ action: 'end-conference' });
  const closed = await Promise.all(closes);
  for (const c of closed) assert.deepEqual(c, { code: ERRORS.conference_ended.closeCode, reason: 'conference_ended' });
  await waitUntil(() => server.server.gateway.registry.get('ending') === undefined, 3_000, 'the room to close');
  assert.equal(server.server.gateway.media.has('ending'), false, 'and its media router');
});
