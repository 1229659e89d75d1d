import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfabError, isRequestOnly, type ErrorCode } from '../protocol/errors.js';
import type { ModerationRequest } from '../protocol/messages.js';
import { roomAddress } from '../protocol/room-name.js';
import { moderate } from './moderation.js';
import { mustWaitInLobby } from './permissions.js';
import { Room } from './room.js';

function classroom() {
  const room = new Room(roomAddress('maths-101'), { maxParticipants: 10 });
  const teacher = room.join({ displayName: 'Teacher', role: 'moderator' });
  const ada = room.join({ displayName: 'Ada' });
  const bob = room.join({ displayName: 'Bob' });
  for (const p of [teacher, ada, bob]) {
    p.publishTrack(`${p.displayName}-mic`, 'audio', 'microphone');
    p.publishTrack(`${p.displayName}-cam`, 'video', 'camera');
  }
  return { room, teacher, ada, bob };
}

const refusedWith = (code: ErrorCode) => (e: unknown) => e instanceof ConfabError && e.code === code;

describe('permissions', () => {
  const every: ModerationRequest[] = [
    { action: 'mute', participantId: 'x', kind: 'audio', hard: true },
    { action: 'mute-everyone', kind: 'video', hard: false },
    { action: 'allow-unmute', participantId: 'x', kind: 'audio' },
    { action: 'allow-unmute-everyone', kind: 'audio' },
    { action: 'remove', participantId: 'x', block: false },
    { action: 'grant-moderator', participantId: 'x' },
    { action: 'lower-hand', participantId: 'x' },
    { action: 'lock-room', locked: true },
    { action: 'set-lobby', enabled: true },
    { action: 'admit', participantId: 'x' },
    { action: 'deny', participantId: 'x' },
    { action: 'end-conference' },
    { action: 'set-subject', subject: 'Taken over' },
  ];

  test('every moderation request from a participant is forbidden, and changes nothing', () => {
    const { room, ada, bob } = classroom();
    const before = JSON.stringify([room.state(), [...room.participants.values()].map((p) => p.info())]);
    for (const request of every) {
      assert.throws(() => moderate(room, ada, request), (e: unknown) => {
        assert.ok(e instanceof ConfabError && e.code === 'forbidden', request.action);
        assert.match(e.message, /^only a moderator can /);
        return true;
      });
    }
    assert.equal(JSON.stringify([room.state(), [...room.participants.values()].map((p) => p.info())]), before);
    assert.equal(bob.closed, false);
    assert.ok(isRequestOnly('forbidden'), 'forbidden keeps the connection');
  });

  test('a moderator acting on someone who is gone gets participant_not_found', () => {
    const { room, teacher } = classroom();
    for (const request of every.filter((r) => 'participantId' in r)) {
      assert.throws(() => moderate(room, teacher, request), refusedWith('participant_not_found'), request.action);
    }
  });

  test('only non-moderators wait in the lobby, and only while it is on', () => {
    assert.equal(mustWaitInLobby(true, 'participant'), true);
    assert.equal(mustWaitInLobby(true, 'moderator'), false);
    assert.equal(mustWaitInLobby(false, 'participant'), false);
  });
});

describe('moderation', () => {
  test('a hard mute mutes and locks: the track is paused, and the participant cannot unmute until allowed', () => {
    const { room, teacher, ada } = classroom();
    const updates: string[] = [];
    room.on('trackUpdated', (p, t) => updates.push(`${p.displayName}:${t.id}:${t.muted}`));
    moderate(room, teacher, { action: 'mute', participantId: ada.id, kind: 'audio', hard: true });
    assert.deepEqual([ada.audioMuted, ada.audioLocked, ada.videoMuted], [true, true, false]);
    assert.deepEqual(updates, ['Ada:Ada-mic:true']);
    assert.throws(() => ada.setMuted('audio', false), refusedWith('muted_by_moderator'));
    assert.equal(ada.tracks.get('Ada-mic')?.muted, true, 'still not forwarded');
    ada.setMuted('video', true); // other kinds stay hers
    moderate(room, teacher, { action: 'allow-unmute', participantId: ada.id, kind: 'audio' });
    assert.deepEqual([ada.audioMuted, ada.audioLocked], [true, false], 'allowed, but stays muted until she unmutes');
    ada.setMuted('audio', false);
    assert.equal(ada.tracks.get('Ada-mic')?.muted, false);
  });

  test('a soft mute can be undone by the participant', () => {
    const { room, teacher, ada } = classroom();
    moderate(room, teacher, { action: 'mute', participantId: ada.id, kind: 'video', hard: false });
    assert.deepEqual([ada.videoMuted, ada.videoLocked], [true, false]);
    ada.setMuted('video', false);
    assert.equal(ada.videoMuted, false);
  });

  test('a video lock silences screen shares too', () => {
    const { room, teacher, ada } = classroom();
    const screen = ada.publishTrack('Ada-screen', 'video', 'screen');
    assert.equal(screen.muted, false);
    moderate(room, teacher, { action: 'mute', participantId: ada.id, kind: 'video', hard: true });
    assert.equal(screen.muted, true);
    moderate(room, teacher, { action: 'allow-unmute', participantId: ada.id, kind: 'video' });
    assert.equal(screen.muted, false);
  });

  test('mute everyone (hard) is lecture mode: everyone but the moderator, and newcomers too, until allowed', () => {
    const { room, teacher, ada, bob } = classroom();
    moderate(room, teacher, { action: 'mute-everyone', kind: 'audio', hard: true });
    assert.deepEqual(room.state().hardMuted, { audio: true, video: false });
    assert.deepEqual([teacher.audioMuted, ada.audioLocked, bob.audioLocked], [false, true, true]);
    const late = room.join({ displayName: 'Late', audioMuted: false });
    assert.deepEqual([late.audioMuted, late.audioLocked], [true, true]);
    const coTeacher = room.join({ displayName: 'Co', role: 'moderator' });
    assert.deepEqual([coTeacher.audioMuted, coTeacher.audioLocked], [false, false], 'moderators are not held by lecture mode');
    moderate(room, teacher, { action: 'allow-unmute-everyone', kind: 'audio' });
    assert.deepEqual(room.state().hardMuted, { audio: false, video: false });
    assert.deepEqual([ada.audioLocked, bob.audioLocked, late.audioLocked], [false, false, false]);
  });

  test('a moderator is muted but never locked', () => {
    const { room, teacher } = classroom();
    const co = room.join({ displayName: 'Co', role: 'moderator' });
    moderate(room, teacher, { action: 'mute', participantId: co.id, kind: 'audio', hard: true });
    assert.deepEqual([co.audioMuted, co.audioLocked], [true, false]);
  });

  test('grant moderator: the role changes with a domain event, locks go, and the new moderator can moderate', () => {
    const { room, teacher, ada, bob } = classroom();
    moderate(room, teacher, { action: 'mute', participantId: ada.id, kind: 'audio', hard: true });
    const changes: string[] = [];
    room.on('participantRoleChanged', (p, previous) => changes.push(`${p.displayName}:${previous}->${p.role}`));
    moderate(room, teacher, { action: 'grant-moderator', participantId: ada.id });
    assert.deepEqual(changes, ['Ada:participant->moderator']);
    assert.deepEqual([ada.role, ada.audioLocked, ada.audioMuted], ['moderator', false, true]);
    moderate(room, ada, { action: 'mute', participantId: bob.id, kind: 'audio', hard: false });
    assert.equal(bob.audioMuted, true);
    moderate(room, teacher, { action: 'grant-moderator', participantId: ada.id });
    assert.equal(changes.length, 1, 'granting again changes nothing');
  });

  test('remove and block: every participant of that identity goes, then the identity is refused, at the door and in the lobby', async () => {
    const room = new Room(roomAddress('maths-101'), { maxParticipants: 10 });
    const teacher = room.join({ displayName: 'Teacher', role: 'moderator' });
    const m1 = room.join({ displayName: 'Mallory', identityKey: 'k-m' });
    const m2 = room.join({ displayName: 'Mallory (tab 2)', identityKey: 'k-m' });
    const bob = room.join({ displayName: 'Bob', identityKey: 'k-b' });
    assert.deepEqual([m1.info().blockable, teacher.info().blockable], [true, false]);
    room.setLobbyEnabled(true);
    const knock = room.knock('Mallory (tab 3)', 'k-m');
    moderate(room, teacher, { action: 'remove', participantId: m1.id, block: true });
    assert.deepEqual([m1.closed, m1.blocked, m2.closed, m2.blocked, bob.closed], [true, true, true, true, false]);
    assert.equal(await knock.decision, 'denied');
    assert.throws(() => room.join({ displayName: 'M', identityKey: 'k-m' }), refusedWith('blocked_by_moderator'));
    assert.throws(() => room.knock('M', 'k-m'), refusedWith('blocked_by_moderator'));
    room.join({ displayName: 'Someone else', identityKey: 'k-x' });
  });

  test('blocking someone without an identity is refused, request-only, and removes nobody', () => {
    const { room, teacher, ada } = classroom();
    assert.throws(() => moderate(room, teacher, { action: 'remove', participantId: ada.id, block: true }), refusedWith('participant_not_blockable'));
    assert.ok(isRequestOnly('participant_not_blockable'));
    assert.equal(ada.closed, false);
  });

  test('set-subject: everyone gets the new room state; an empty subject clears it', () => {
    const { room, teacher } = classroom();
    const states: string[] = [];
    room.on('stateChanged', (state) => states.push(state.subject));
    moderate(room, teacher, { action: 'set-subject', subject: 'Fractions' });
    moderate(room, teacher, { action: 'set-subject', subject: 'Fractions' });
    moderate(room, teacher, { action: 'set-subject', subject: '' });
    assert.deepEqual(states, ['Fractions', '']);
  });

  test('remove closes that participant with reason removed', () => {
    const { room, teacher, ada } = classroom();
    const left: string[] = [];
    room.on('participantLeft', (p, reason) => left.push(`${p.displayName}:${reason}`));
    moderate(room, teacher, { action: 'remove', participantId: ada.id, block: false });
    assert.deepEqual(left, ['Ada:removed']);
    assert.equal(room.participants.has(ada.id), false);
  });

  test('lock: no new joins except with bypass (token moderator, admitted); knocks are refused too', () => {
    const { room, teacher } = classroom();
    moderate(room, teacher, { action: 'lock-room', locked: true });
    assert.equal(room.state().locked, true);
    assert.throws(() => room.join({ displayName: 'Late' }), refusedWith('room_locked'));
    assert.throws(() => room.knock('Late'), refusedWith('room_locked'));
    assert.ok(room.join({ displayName: 'Teacher again', role: 'moderator' }, { bypassLock: true }));
    moderate(room, teacher, { action: 'lock-room', locked: false });
    assert.ok(room.join({ displayName: 'Late' }));
  });

  test('lobby: admit and deny by knock id; turning it off admits the rest; state changes are announced', async () => {
    const { room, teacher } = classroom();
    const states: boolean[] = [];
    room.on('stateChanged', (s) => states.push(s.lobbyEnabled));
    moderate(room, teacher, { action: 'set-lobby', enabled: true });
    const [a, b, c] = [room.knock('A'), room.knock('B'), room.knock('C')];
    moderate(room, teacher, { action: 'admit', participantId: a.knocker.id });
    moderate(room, teacher, { action: 'deny', participantId: b.knocker.id });
    assert.throws(() => moderate(room, teacher, { action: 'admit', participantId: b.knocker.id }), refusedWith('participant_not_found'));
    moderate(room, teacher, { action: 'set-lobby', enabled: false });
    assert.deepEqual(await Promise.all([a.decision, b.decision, c.decision]), ['admitted', 'denied', 'admitted']);
    assert.deepEqual(states, [true, false]);
  });

  test('end conference: everyone leaves with reason ended, knockers are told, the room closes', async () => {
    const { room, teacher } = classroom();
    room.setLobbyEnabled(true);
    const knock = room.knock('Late');
    const left: string[] = [];
    room.on('participantLeft', (p, reason) => left.push(`${p.displayName}:${reason}`));
    moderate(room, teacher, { action: 'end-conference' });
    assert.deepEqual(left.sort(), ['Ada:ended', 'Bob:ended', 'Teacher:ended']);
    assert.equal(await knock.decision, 'ended');
    assert.equal(room.closed, true);
  });

  test('a room nobody joined closes when its last knocker gives up', async () => {
    const room = new Room(roomAddress('empty'), { maxParticipants: 10, lobbyByDefault: true });
    assert.equal(room.state().lobbyEnabled, true);
    const knock = room.knock('Early student');
    room.lobby.decide(knock.knocker.id, 'withdrawn');
    await knock.decision;
    await Promise.resolve();
    assert.equal(room.closed, true);
  });

  test('raise hand: the queue orders hands; a moderator lowers one; leaving lowers it', () => {
    const { room, teacher, ada, bob } = classroom();
    room.setHandRaised(bob, true);
    room.setHandRaised(ada, true);
    assert.deepEqual(room.hands.order(), [bob.id, ada.id]);
    assert.ok(bob.handRaisedAt !== null && ada.handRaisedAt !== null && bob.handRaisedAt < ada.handRaisedAt);
    assert.throws(() => moderate(room, ada, { action: 'lower-hand', participantId: bob.id }), refusedWith('forbidden'));
    moderate(room, teacher, { action: 'lower-hand', participantId: bob.id });
    assert.equal(bob.handRaisedAt, null);
    ada.close('left');
    assert.deepEqual(room.hands.order(), []);
  });

  test('chat: a private message needs its recipient in the room', () => {
    const { room, ada, bob } = classroom();
    const seen: string[] = [];
    room.on('chatMessage', (m) => seen.push(`${m.fromName}>${m.to ?? 'all'}:${m.text}`));
    room.postChat(ada, 'hello all');
    room.postChat(ada, 'hi Bob', bob.id);
    assert.throws(() => room.postChat(ada, 'anyone?', 'gone'), refusedWith('participant_not_found'));
    assert.deepEqual(seen, ['Ada>all:hello all', `Ada>${bob.id}:hi Bob`]);
    assert.deepEqual(room.chat.history().map((m) => m.text), ['hello all']);
  });
});
