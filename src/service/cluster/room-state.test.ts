import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Room } from '../../conference/room.js';
import { roomAddress } from '../../protocol/room-name.js';
import { applyToRoom, findReturning, hashSecret, parseSnapshot, snapshotOf } from './room-state.js';

function classInProgress(): { room: Room; secrets: Map<string, string>; teacher: string; student: string } {
  const room = new Room(roomAddress('maths-101'), { maxParticipants: 10 });
  const teacher = room.join({ displayName: 'Teacher', role: 'moderator' });
  const student = room.join({ displayName: 'Student' });
  const late = room.join({ displayName: 'No secret' });
  room.removeAndBlock(room.join({ displayName: 'Troll', identityKey: 'sub/troll' }));
  room.postChat(teacher, 'welcome');
  room.postChat(student, 'psst', teacher.id);
  room.setHandRaised(student, true);
  student.muteByModerator('audio', true);
  room.setLocked(true);
  room.setHardMuted('video', true);
  room.setSubject('Fractions');
  void late;
  const secrets = new Map([
    [teacher.id, hashSecret('teacher-secret')],
    [student.id, hashSecret('student-secret')],
  ]);
  return { room, secrets, teacher: teacher.id, student: student.id };
}

test('a snapshot keeps the room-wide state and each participant with a secret, never a secret itself', () => {
  const { room, secrets, teacher, student } = classInProgress();
  const snapshot = snapshotOf(room, secrets, 1234);
  assert.deepEqual([snapshot.locked, snapshot.lobbyEnabled, snapshot.hardMuted, snapshot.subject, snapshot.blocked], [true, false, { audio: false, video: true }, 'Fractions', ['sub/troll']]);
  assert.deepEqual(snapshot.chat.map((m) => m.text), ['welcome'], 'room messages only: private ones are never kept');
  assert.deepEqual(snapshot.participants.map((p) => p.id), [teacher, student], 'participants without a secret cannot be found again, so are not kept');
  const s = snapshot.participants.find((p) => p.id === student)!;
  assert.deepEqual([s.role, s.audioLocked, s.handRaisedAt !== null], ['participant', true, true]);
  assert.ok(!JSON.stringify(snapshot).includes('student-secret'));
  assert.deepEqual(parseSnapshot(JSON.stringify(snapshot)), snapshot);
});

test('a new room takes the state back; a returning participant is found by its secret only', () => {
  const { room, secrets, student } = classInProgress();
  const snapshot = snapshotOf(room, secrets);
  const next = new Room(roomAddress('maths-101'), { maxParticipants: 10 });
  applyToRoom(next, snapshot);
  assert.deepEqual(next.state(), { locked: true, lobbyEnabled: false, hardMuted: { audio: false, video: true }, subject: 'Fractions' });
  assert.throws(() => next.refuseBlocked('sub/troll'), { code: 'blocked_by_moderator' }, 'a block holds on the next host');
  assert.doesNotThrow(() => next.refuseBlocked('sub/student'));
  assert.deepEqual(next.chat.history().map((m) => m.text), ['welcome']);
  assert.equal(findReturning(snapshot, student, 'student-secret')?.displayName, 'Student');
  assert.equal(findReturning(snapshot, student, 'teacher-secret'), undefined, 'another participant\'s secret');
  assert.equal(findReturning(snapshot, 'nobody', 'student-secret'), undefined);
  // Back with its id and its place in the hand queue, before hands raised here since.
  const newcomer = next.join({ displayName: 'New' }, { bypassLock: true });
  next.setHandRaised(newcomer, true);
  const back = next.join({ displayName: 'Student' }, { id: student, bypassLock: true });
  // (Raised a minute ago, on the previous host.)
  next.restoreHand(back, snapshot.participants.find((p) => p.id === student)!.handRaisedAt! - 60_000);
  assert.deepEqual(next.hands.order(), [student, newcomer.id]);
});

test('a snapshot from a replica that kept less (a rolling update) still restores what it has', () => {
  const { room, secrets } = classInProgress();
  const { subject: _s, blocked: _b, removed: _r, ...older } = snapshotOf(room, secrets);
  const parsed = parseSnapshot(JSON.stringify(older))!;
  const next = new Room(roomAddress('maths-101'), { maxParticipants: 10 });
  applyToRoom(next, parsed);
  assert.deepEqual(next.state(), { locked: true, lobbyEnabled: false, hardMuted: { audio: false, video: true }, subject: '' });
  assert.deepEqual(next.blockedIdentities(), []);
});

test('anything else in Redis is no snapshot', () => {
  for (const bad of [undefined, '', 'nope', '{}', '{"v":2,"chat":[],"participants":[],"hardMuted":{}}']) assert.equal(parseSnapshot(bad), undefined, String(bad));
});
