import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LocalRoomRegistry } from '../../conference/room-registry.js';
import { roomAddress } from '../../protocol/room-name.js';
import { AttendanceRecorder } from './attendance-recorder.js';
import { leaveReason } from '../../protocol/messages.js';
import { LEFT_REASONS, leftReason, type WebhookEvent } from './events.js';

function setup(): { registry: LocalRoomRegistry; events: WebhookEvent[]; recorder: AttendanceRecorder } {
  const registry = new LocalRoomRegistry({ maxParticipants: 10 });
  const events: WebhookEvent[] = [];
  const recorder = new AttendanceRecorder((e) => events.push(e));
  recorder.attach(registry);
  return { registry, events, recorder };
}

const summary = (events: WebhookEvent[]): string[] => events.map((e) => `${e.sequence} ${e.type}${e.participant ? ` ${e.participant.displayName}` : ''}${e.reason ? ` ${e.reason}` : ''}`);

describe('AttendanceRecorder', () => {
  test('a class from start to finish, in order, with identity and durations', () => {
    const { registry, events } = setup();
    const room = registry.getOrCreate(roomAddress('maths-101', 'school'));
    const teacher = room.join({ displayName: 'Ms Hopper', role: 'moderator', user: { id: 't1', name: 'Grace Hopper', email: 'grace@example.com', avatar: undefined } });
    const ada = room.join({ displayName: 'Ada' });
    ada.close('left');
    teacher.close('disconnected');
    assert.deepEqual(summary(events), ['1 room_started', '2 participant_joined Ms Hopper', '3 participant_joined Ada', '4 participant_left Ada left', '5 participant_left Ms Hopper disconnected', '6 room_finished']);
    const [started, joined, , left, , finished] = events as [WebhookEvent, WebhookEvent, WebhookEvent, WebhookEvent, WebhookEvent, WebhookEvent];
    for (const e of events) {
      assert.equal(e.room, 'maths-101');
      assert.equal(e.tenant, 'school');
      assert.equal(e.roomKey, 'school/maths-101');
      assert.equal(e.roomSessionId, started.roomSessionId);
      assert.match(e.occurredAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    assert.equal(new Set(events.map((e) => e.id)).size, 6, 'every event has its own id');
    assert.deepEqual(joined.participant, { id: teacher.id, displayName: 'Ms Hopper', role: 'moderator', joinedAt: new Date(teacher.joinedAt).toISOString(), user: { id: 't1', name: 'Grace Hopper', email: 'grace@example.com' } });
    assert.equal(left.participant!.user, null, 'no token: no user');
    assert.equal(typeof left.durationS, 'number');
    assert.ok(left.durationS! >= 0 && left.durationS! < 5);
    assert.equal(finished.participantsJoined, 2);
    assert.equal(typeof finished.durationS, 'number');
  });

  test('a role change is an event; mute and name changes are not', () => {
    const { registry, events } = setup();
    const room = registry.getOrCreate(roomAddress('physics'));
    room.join({ displayName: 'Teacher', role: 'moderator' });
    const bob = room.join({ displayName: 'Bob' });
    bob.setMuted('audio', true);
    bob.setDisplayName('Bobby');
    bob.setRole('moderator');
    bob.setMuted('audio', false);
    bob.setMuted('video', true);
    const changes = events.filter((e) => e.type === 'participant_role_changed');
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.participant!.role, 'moderator');
    assert.equal(changes[0]!.previousRole, 'participant');
    assert.equal(changes[0]!.participant!.displayName, 'Bobby');
  });

  test('a moderator ending the class, removing someone; a server shutdown', () => {
    const { registry, events, recorder } = setup();
    const ended = registry.getOrCreate(roomAddress('ended'));
    ended.join({ displayName: 'A', role: 'moderator' });
    ended.join({ displayName: 'B' });
    ended.join({ displayName: 'Z' }).close('removed');
    ended.end();
    assert.deepEqual(summary(events).slice(-4), ['5 participant_left Z removed', '6 participant_left A class_ended', '7 participant_left B class_ended', '8 room_finished']);
    events.length = 0;
    const other = registry.getOrCreate(roomAddress('other'));
    other.join({ displayName: 'C' });
    recorder.serverShuttingDown();
    registry.close();
    assert.deepEqual(summary(events), ['1 room_started', '2 participant_joined C', '3 participant_left C server_shutdown', '4 room_finished']);
  });

  test('a room that moved to another server (cluster mode): its people left because of the server, not by choice', () => {
    const { registry, events } = setup();
    registry.getOrCreate(roomAddress('moving')).join({ displayName: 'M' });
    registry.moveAway('moving');
    assert.deepEqual(summary(events), ['1 room_started', '2 participant_joined M', '3 participant_left M server_shutdown', '4 room_finished']);
  });

  test('each life of a room is its own session; detach stops recording', () => {
    const { registry, events, recorder } = setup();
    registry.getOrCreate(roomAddress('chem')).join({ displayName: 'A' }).close();
    registry.getOrCreate(roomAddress('chem')).join({ displayName: 'A' }).close();
    const sessions = [...new Set(events.map((e) => e.roomSessionId))];
    assert.equal(sessions.length, 2);
    recorder.detach();
    registry.getOrCreate(roomAddress('chem')).join({ displayName: 'A' }).close();
    assert.equal(events.length, 8);
  });

  test('domain leave reasons map to the documented ones', () => {
    const ctx = { serverShutdown: false };
    assert.equal(leftReason('left', ctx), 'left');
    assert.equal(leftReason('disconnected', ctx), 'disconnected');
    assert.equal(leftReason('removed', ctx), 'removed');
    assert.equal(leftReason('ended', ctx), 'class_ended');
    assert.equal(leftReason('left', { ...ctx, serverShutdown: true }), 'server_shutdown');
    for (const reason of leaveReason.options) assert.ok(LEFT_REASONS.includes(leftReason(reason, ctx)), reason);
    assert.deepEqual([...LEFT_REASONS].sort(), ['class_ended', 'disconnected', 'left', 'removed', 'server_shutdown']);
  });
});
