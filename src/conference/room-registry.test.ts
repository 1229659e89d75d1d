import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoomPath, roomAddress } from '../protocol/room-name.js';
import { LocalRoomRegistry } from './room-registry.js';
import type { Room } from './room.js';

const newRegistry = () => new LocalRoomRegistry({ maxParticipants: 2 });

/** Records registry events as `created:<key>` / `closed:<key>`. */
function record(registry: LocalRoomRegistry): string[] {
  const log: string[] = [];
  registry.on('roomCreated', (room: Room) => log.push(`created:${room.key}`));
  registry.on('roomClosed', (room: Room) => log.push(`closed:${room.key}`));
  return log;
}

describe('LocalRoomRegistry', () => {
  test('creates a room on first use and returns the same one after', () => {
    const registry = newRegistry();
    const log = record(registry);
    const room = registry.getOrCreate(roomAddress('maths-101'));
    assert.equal(registry.getOrCreate(roomAddress('maths-101')), room);
    assert.equal(registry.get('maths-101'), room);
    assert.equal(registry.size, 1);
    assert.deepEqual(log, ['created:maths-101']);
  });

  test('room keys are case-insensitive through room-name parsing', () => {
    const registry = newRegistry();
    const room = registry.getOrCreate(parseRoomPath('School/Maths-101'));
    assert.equal(registry.getOrCreate(parseRoomPath('school/maths-101')), room);
    assert.equal(registry.getOrCreate(roomAddress('MATHS-101', 'SCHOOL')), room);
    assert.equal(room.key, 'school/maths-101');
    assert.equal(registry.size, 1);
  });

  test('rooms are isolated by name and by tenant', () => {
    const registry = newRegistry();
    const plain = registry.getOrCreate(roomAddress('maths-101'));
    const tenant = registry.getOrCreate(roomAddress('maths-101', 'school'));
    const other = registry.getOrCreate(roomAddress('physics'));
    assert.equal(new Set([plain, tenant, other]).size, 3);
    assert.deepEqual([...registry.rooms.keys()], ['maths-101', 'school/maths-101', 'physics']);

    const ada = plain.join({ displayName: 'Ada' });
    tenant.join({ displayName: 'Bob' });
    const log: string[] = [];
    tenant.on('trackPublished', (p) => log.push(p.displayName));
    other.on('trackPublished', (p) => log.push(p.displayName));
    ada.publishTrack('mic', 'audio', 'microphone');
    ada.close();
    assert.deepEqual(log, []);
    assert.equal(tenant.participants.size, 1);
    assert.equal(tenant.closed, false);
  });

  test('room_full in one room does not affect another', () => {
    const registry = newRegistry();
    const a = registry.getOrCreate(roomAddress('a'));
    a.join({ displayName: 'Ada' });
    a.join({ displayName: 'Bob' });
    assert.throws(() => a.join({ displayName: 'Cy' }), { code: 'room_full' });
    const b = registry.getOrCreate(roomAddress('b'));
    assert.doesNotThrow(() => b.join({ displayName: 'Cy' }));
  });

  test('forgets a room when its last participant leaves', () => {
    const registry = newRegistry();
    const log = record(registry);
    const room = registry.getOrCreate(roomAddress('maths-101'));
    const ada = room.join({ displayName: 'Ada' });
    const bob = room.join({ displayName: 'Bob' });
    ada.close();
    assert.equal(registry.get('maths-101'), room);
    assert.equal(registry.participantCount(), 1);
    bob.close('disconnected');
    assert.equal(room.closed, true);
    assert.equal(registry.get('maths-101'), undefined);
    assert.equal(registry.size, 0);
    assert.deepEqual(log, ['created:maths-101', 'closed:maths-101']);
  });

  test('the same address after a room closed gives a new, open room', () => {
    const registry = newRegistry();
    const first = registry.getOrCreate(roomAddress('maths-101'));
    first.join({ displayName: 'Ada' }).close();
    const second = registry.getOrCreate(roomAddress('maths-101'));
    assert.notEqual(second, first);
    assert.equal(second.closed, false);
    assert.equal(registry.get('maths-101'), second);
  });

  test('participantCount() sums over rooms', () => {
    const registry = newRegistry();
    assert.equal(registry.participantCount(), 0);
    const a = registry.getOrCreate(roomAddress('a'));
    a.join({ displayName: 'Ada' });
    a.join({ displayName: 'Bob' });
    registry.getOrCreate(roomAddress('b', 'school')).join({ displayName: 'Cy' });
    assert.equal(registry.participantCount(), 3);
  });

  test('close() closes every room, removing everyone, and forgets them', () => {
    const registry = newRegistry();
    const a = registry.getOrCreate(roomAddress('a'));
    const ada = a.join({ displayName: 'Ada' });
    const b = registry.getOrCreate(roomAddress('b'));
    const left: string[] = [];
    a.on('participantLeft', (p, reason) => left.push(`${p.displayName}:${reason}`));
    const log = record(registry);
    registry.close();
    assert.equal(a.closed, true);
    assert.equal(b.closed, true);
    assert.equal(ada.closed, true);
    assert.deepEqual(left, ['Ada:removed']);
    assert.equal(registry.size, 0);
    assert.deepEqual(log, ['closed:a', 'closed:b']);
  });
});
