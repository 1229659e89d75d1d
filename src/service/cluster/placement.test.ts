import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeInfo } from './node-info.js';
import { encodeLease, parseLease } from './node-info.js';
import { pickHost } from './placement.js';

const node = (id: string, participants: number, rooms = 0, state: NodeInfo['state'] = 'ready'): NodeInfo => ({
  id,
  url: `http://10.0.0.1:8001/${id}`,
  media: { ips: ['10.0.0.1'], udpPort: 10000, tcpPort: 4443 },
  state,
  rooms,
  participants,
  version: 'test',
  startedAt: 0,
});

test('the least-loaded ready node hosts a new room: participants first, then rooms', () => {
  assert.equal(pickHost([node('a', 30, 1), node('b', 4, 2), node('c', 12, 1)], 'maths')?.id, 'b');
  assert.equal(pickHost([node('a', 4, 3), node('b', 4, 1)], 'maths')?.id, 'b');
});

test('draining nodes, and nodes found unreachable, take no new room; none left: undefined', () => {
  assert.equal(pickHost([node('a', 0, 0, 'draining'), node('b', 50)], 'maths')?.id, 'b');
  assert.equal(pickHost([node('a', 0), node('b', 50)], 'maths', new Set(['a']))?.id, 'b');
  assert.equal(pickHost([node('a', 0, 0, 'draining')], 'maths'), undefined);
  assert.equal(pickHost([], 'maths'), undefined);
});

test('at equal load rooms spread over the nodes, and each room always picks the same one', () => {
  const idle = [node('a', 0), node('b', 0), node('c', 0)];
  const picks = new Map<string, number>();
  for (let i = 0; i < 300; i++) {
    const id = pickHost(idle, `room-${i}`)!.id;
    picks.set(id, (picks.get(id) ?? 0) + 1);
    assert.equal(pickHost([...idle].reverse(), `room-${i}`)!.id, id, 'the order of the listing does not matter');
  }
  for (const id of ['a', 'b', 'c']) assert.ok((picks.get(id) ?? 0) > 60, `node ${id} got ${picks.get(id) ?? 0} of 300 rooms`);
});

test('a lease is `<node> <epoch>`, and anything else is no lease', () => {
  assert.deepEqual(parseLease(encodeLease({ node: 'confab-7f9c-ab12cd', epoch: 42 })), { node: 'confab-7f9c-ab12cd', epoch: 42 });
  for (const bad of [null, undefined, '', 'node', 'node x', ' 3', 'a b 3']) assert.equal(parseLease(bad), undefined, String(bad));
});
