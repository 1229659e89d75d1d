import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfabError } from '../protocol/errors.js';
import { roomAddress } from '../protocol/room-name.js';
import { Room } from './room.js';

const newRoom = (maxParticipants = 10) => new Room(roomAddress('maths-101', 'school'), { maxParticipants });

/** Records every room event as a short string naming the participant by display name. */
function record(room: Room): string[] {
  const log: string[] = [];
  room.on('participantJoined', (p) => log.push(`joined:${p.displayName}`));
  room.on('participantUpdated', (p) => log.push(`updated:${p.displayName}`));
  room.on('participantLeft', (p, reason) => log.push(`left:${p.displayName}:${reason}`));
  room.on('trackPublished', (p, t) => log.push(`published:${p.displayName}:${t.id}`));
  room.on('trackUpdated', (p, t) => log.push(`trackUpdated:${p.displayName}:${t.id}:${t.muted ? 'muted' : 'live'}`));
  room.on('trackUnpublished', (p, t) => log.push(`unpublished:${p.displayName}:${t.id}`));
  room.on('closed', () => log.push('closed'));
  return log;
}

describe('Room', () => {
  test('takes its key from the address', () => {
    const room = newRoom();
    assert.equal(room.key, 'school/maths-101');
    assert.equal(room.address.room, 'maths-101');
    assert.equal(room.address.tenant, 'school');
    assert.equal(room.closed, false);
  });

  describe('join', () => {
    test('adds a participant with a fresh id and the given options', () => {
      const room = newRoom();
      const log = record(room);
      const ada = room.join({ displayName: 'Ada', role: 'moderator', videoMuted: true });
      const bob = room.join({ displayName: 'Bob' });
      assert.notEqual(ada.id, bob.id);
      assert.match(ada.id, /^[0-9a-f-]{36}$/);
      assert.deepEqual([...room.participants.keys()], [ada.id, bob.id]);
      assert.equal(room.participants.get(ada.id), ada);
      assert.equal(ada.role, 'moderator');
      assert.equal(ada.videoMuted, true);
      assert.equal(bob.role, 'participant');
      assert.deepEqual(log, ['joined:Ada', 'joined:Bob']);
    });

    test('refuses a participant beyond the limit with room_full', () => {
      const room = newRoom(2);
      room.join({ displayName: 'Ada' });
      room.join({ displayName: 'Bob' });
      assert.throws(
        () => room.join({ displayName: 'Cy' }),
        (e: unknown) => {
          assert.ok(e instanceof ConfabError);
          assert.equal(e.code, 'room_full');
          assert.equal(e.message, "room 'school/maths-101' is full (2 participants)");
          return true;
        },
      );
      assert.equal(room.participants.size, 2);
    });

    test('a place freed by someone leaving can be taken', () => {
      const room = newRoom(2);
      room.join({ displayName: 'Ada' });
      const bob = room.join({ displayName: 'Bob' });
      assert.throws(() => room.join({ displayName: 'Cy' }), { code: 'room_full' });
      bob.close();
      const cy = room.join({ displayName: 'Cy' });
      assert.equal(room.participants.size, 2);
      assert.equal(room.participants.get(cy.id), cy);
    });

    test('a closed room refuses joins with internal_error', () => {
      const room = newRoom();
      room.close();
      assert.throws(() => room.join({ displayName: 'Ada' }), {
        name: 'ConfabError',
        code: 'internal_error',
        message: 'room school/maths-101 is closed',
      });
    });
  });

  test('others() lists everyone but the given participant', () => {
    const room = newRoom();
    const ada = room.join({ displayName: 'Ada' });
    const bob = room.join({ displayName: 'Bob' });
    const cy = room.join({ displayName: 'Cy' });
    assert.deepEqual(room.others(bob.id), [ada, cy]);
    assert.deepEqual(room.others('unknown'), [ada, bob, cy]);
    const solo = newRoom();
    const only = solo.join({ displayName: 'Only' });
    assert.deepEqual(solo.others(only.id), []);
  });

  describe('participant events', () => {
    test('are re-emitted with the participant they came from', () => {
      const room = newRoom();
      const ada = room.join({ displayName: 'Ada' });
      const bob = room.join({ displayName: 'Bob' });
      const log = record(room);
      bob.publishTrack('bob-mic', 'audio', 'microphone');
      ada.publishTrack('ada-cam', 'video', 'camera');
      ada.setMuted('video', true);
      bob.setDisplayName('Robert');
      ada.unpublishTrack('ada-cam');
      assert.deepEqual(log, [
        'published:Bob:bob-mic',
        'published:Ada:ada-cam',
        'trackUpdated:Ada:ada-cam:muted',
        'updated:Ada',
        'updated:Robert',
        'unpublished:Ada:ada-cam',
      ]);
    });

    test('carry the same participant and track objects', () => {
      const room = newRoom();
      const ada = room.join({ displayName: 'Ada' });
      let seen: unknown[] = [];
      room.on('trackPublished', (p, t) => (seen = [p, t]));
      const track = ada.publishTrack('ada-mic', 'audio', 'microphone');
      assert.equal(seen[0], ada);
      assert.equal(seen[1], track);
    });

    test('muting the microphone leaves camera and screen alone', () => {
      const room = newRoom();
      const ada = room.join({ displayName: 'Ada' });
      ada.publishTrack('mic', 'audio', 'microphone');
      ada.publishTrack('cam', 'video', 'camera');
      ada.publishTrack('screen', 'video', 'screen');
      const log = record(room);
      ada.setMuted('audio', true);
      ada.setMuted('video', true);
      assert.deepEqual(log, ['trackUpdated:Ada:mic:muted', 'updated:Ada', 'trackUpdated:Ada:cam:muted', 'updated:Ada']);
      assert.equal(ada.tracks.get('screen')!.muted, false);
    });
  });

  describe('leaving', () => {
    test('a participant closing unpublishes its tracks, then leaves with its reason', () => {
      const room = newRoom();
      const ada = room.join({ displayName: 'Ada' });
      const bob = room.join({ displayName: 'Bob' });
      bob.publishTrack('bob-mic', 'audio', 'microphone');
      bob.publishTrack('bob-cam', 'video', 'camera');
      const log = record(room);
      bob.close('disconnected');
      assert.deepEqual(log, ['unpublished:Bob:bob-mic', 'unpublished:Bob:bob-cam', 'left:Bob:disconnected']);
      assert.deepEqual([...room.participants.values()], [ada]);
      assert.equal(room.closed, false);
    });

    test('the leaver is no longer listed when participantLeft fires', () => {
      const room = newRoom();
      room.join({ displayName: 'Ada' });
      const bob = room.join({ displayName: 'Bob' });
      let listed: boolean | undefined;
      room.on('participantLeft', (p) => (listed = room.participants.has(p.id)));
      bob.close();
      assert.equal(listed, false);
    });

    test('events of a participant who left no longer reach the room', () => {
      const room = newRoom();
      room.join({ displayName: 'Ada' });
      const bob = room.join({ displayName: 'Bob' });
      bob.close();
      const log = record(room);
      bob.setMuted('audio', true);
      assert.deepEqual(log, []);
    });

    test('the room closes itself when the last participant leaves', () => {
      const room = newRoom();
      const ada = room.join({ displayName: 'Ada' });
      const bob = room.join({ displayName: 'Bob' });
      const log = record(room);
      ada.close('left');
      assert.equal(room.closed, false);
      bob.close('disconnected');
      assert.equal(room.closed, true);
      assert.deepEqual(log, ['left:Ada:left', 'left:Bob:disconnected', 'closed']);
    });

    test('people waiting in the lobby keep the room and its rules when the last participant leaves', () => {
      const room = newRoom();
      const teacher = room.join({ displayName: 'Teacher', role: 'moderator' });
      room.setLobbyEnabled(true);
      room.knock('Cy');
      room.setLocked(true);
      assert.equal(room.hasModerator, true);
      teacher.close('left');
      assert.deepEqual([room.closed, room.hasModerator, room.lobby.enabled, room.locked, room.lobby.size], [false, false, true, true, 1]);
    });

    test('hasModerator: only a moderator still in the room counts', () => {
      const room = newRoom();
      const ada = room.join({ displayName: 'Ada' });
      assert.equal(room.hasModerator, false);
      ada.setRole('moderator');
      assert.equal(room.hasModerator, true);
      room.join({ displayName: 'Bob' });
      ada.close('left');
      assert.equal(room.hasModerator, false);
    });

    test("a room's knocker who gives up after everyone inside left closes it", async () => {
      const room = newRoom();
      const teacher = room.join({ displayName: 'Teacher', role: 'moderator' });
      const knock = room.knock('Cy');
      teacher.close('left');
      assert.equal(room.closed, false, 'kept for the knocker');
      room.lobby.decide(knock.knocker.id, 'withdrawn');
      await knock.decision;
      await Promise.resolve();
      assert.equal(room.closed, true);
    });
  });

  describe('close', () => {
    test("removes everyone with reason 'removed', then emits closed", () => {
      const room = newRoom();
      const ada = room.join({ displayName: 'Ada' });
      const bob = room.join({ displayName: 'Bob' });
      ada.publishTrack('ada-cam', 'video', 'camera');
      const log = record(room);
      room.close();
      assert.deepEqual(log, ['unpublished:Ada:ada-cam', 'left:Ada:removed', 'left:Bob:removed', 'closed']);
      assert.equal(room.closed, true);
      assert.equal(room.participants.size, 0);
      assert.equal(ada.closed, true);
      assert.equal(bob.closed, true);
      assert.equal(ada.tracks.size, 0);
    });

    test('an empty room closes too', () => {
      const room = newRoom();
      const log = record(room);
      room.close();
      assert.deepEqual(log, ['closed']);
    });

    test('is idempotent and drops all listeners', () => {
      const room = newRoom();
      room.join({ displayName: 'Ada' });
      record(room);
      room.close();
      assert.equal(room.listenerCount('closed'), 0);
      assert.equal(room.listenerCount('participantLeft'), 0);
      let closedAgain = 0;
      room.on('closed', () => closedAgain++);
      room.close();
      assert.equal(closedAgain, 0);
      assert.equal(room.closed, true);
    });
  });
});
