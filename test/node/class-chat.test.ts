/**
 * Chat and raised hands through the real server: room messages reach
 * everyone and are kept for late joiners, private ones reach only their
 * recipient (and come back to the sender), sizes and rates are bounded, and
 * hands queue in the order they went up.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ERRORS } from '../../src/protocol/errors.js';
import { MAX_CHAT_TEXT } from '../../src/protocol/messages.js';
import { Inbox, connect, joinSilently } from '../support/class.js';
import { sleep, startServer, type TestServer } from '../support/server.js';

let server: TestServer;
const inboxes: Inbox[] = [];

before(async () => {
  server = await startServer();
});
after(async () => {
  await Promise.allSettled(inboxes.map((i) => i.client.close()));
  await server.stop();
});

async function people(room: string, ...names: string[]): Promise<{ inbox: Inbox; id: string }[]> {
  const joined = [];
  for (const name of names) {
    const p = await joinSilently(server.url, room, name);
    inboxes.push(p.inbox);
    joined.push(p);
  }
  return joined;
}

test('room messages reach everyone, private ones only their recipient and sender; late joiners get the room history only', { timeout: 30_000 }, async () => {
  const [ada, bob, cy] = await people('chat-room', 'Ada', 'Bob', 'Cy');
  assert.ok(ada && bob && cy);
  ada.inbox.send({ type: 'chat-send', text: '  Hello class  ' });
  for (const p of [ada, bob, cy]) {
    const m = await p.inbox.wait('chat', (c) => c.messages.some((x) => x.text === 'Hello class'));
    assert.deepEqual([m.history, m.messages[0]?.from, m.messages[0]?.fromName, m.messages[0]?.to], [false, ada.id, 'Ada', undefined]);
  }
  bob.inbox.send({ type: 'chat-send', text: 'psst Cy', to: cy.id });
  const got = await cy.inbox.wait('chat', (c) => c.messages[0]?.text === 'psst Cy');
  assert.equal(got.messages[0]?.to, cy.id);
  await bob.inbox.wait('chat', (c) => c.messages[0]?.text === 'psst Cy'); // the sender's copy
  await sleep(300);
  assert.equal(ada.inbox.of('chat').some((c) => c.messages.some((m) => m.text === 'psst Cy')), false, 'Ada never sees the private message');

  const late = await connect(server.url, 'chat-room', 'Late');
  inboxes.push(late);
  await late.wait('welcome');
  const history = await late.wait('chat', (c) => c.history);
  assert.deepEqual(history.messages.map((m) => m.text), ['Hello class']);
  const kinds = late.messages.map((m) => m.type);
  assert.deepEqual(kinds.slice(0, 3), ['welcome', 'room-state', 'chat'], 'state and history right after welcome');
});

test('a private message to someone not in the room is refused with participant_not_found; the connection stays', { timeout: 30_000 }, async () => {
  const [ada] = await people('chat-missing', 'Ada');
  ada!.inbox.send({ type: 'chat-send', text: 'hello?', to: 'nobody' });
  const error = await ada!.inbox.next('error');
  assert.deepEqual([error.code, error.fatal], ['participant_not_found', false]);
  assert.equal(ada!.inbox.client.closed, undefined);
});

test('a flood is rate limited (non-fatal); an oversized message closes with message_malformed', { timeout: 30_000 }, async () => {
  const [ada, bob] = await people('chat-limits', 'Ada', 'Bob');
  for (let i = 0; i < 12; i++) ada!.inbox.send({ type: 'chat-send', text: `m${i}` });
  const error = await ada!.inbox.wait('error');
  assert.deepEqual([error.code, error.fatal], ['rate_limited', false]);
  await sleep(300);
  assert.equal(bob!.inbox.of('chat').length, 10, 'ten got through');
  bob!.inbox.client.sendRaw(JSON.stringify({ type: 'chat-send', text: 'x'.repeat(MAX_CHAT_TEXT + 1) }));
  assert.equal((await bob!.inbox.closed()).code, ERRORS.message_malformed.closeCode);
});

test('raised hands queue in order for everyone to see; only a moderator lowers someone else\'s', { timeout: 30_000 }, async () => {
  const [teacher, a, b, c] = await people('hands', 'Teacher', 'A', 'B', 'C');
  assert.ok(teacher && a && b && c);
  for (const p of [c, a, b]) {
    p.inbox.send({ type: 'set-hand-raised', raised: true });
    await teacher.inbox.wait('participant-updated', (m) => m.participant.id === p.id && m.participant.handRaisedAt !== null);
  }
  const raised = new Map<string, number>();
  for (const m of teacher.inbox.of('participant-updated')) if (m.participant.handRaisedAt !== null) raised.set(m.participant.id, m.participant.handRaisedAt);
  const order = [...raised].sort((x, y) => x[1] - y[1]).map(([id]) => id);
  assert.deepEqual(order, [c.id, a.id, b.id]);
  assert.deepEqual(server.server.gateway.registry.get('hands')?.hands.order(), [c.id, a.id, b.id]);

  a.inbox.moderate({ action: 'lower-hand', participantId: c.id });
  assert.equal((await a.inbox.next('error')).code, 'forbidden');
  teacher.inbox.moderate({ action: 'lower-hand', participantId: c.id });
  await b.inbox.wait('participant-updated', (m) => m.participant.id === c.id && m.participant.handRaisedAt === null);
  a.inbox.send({ type: 'set-hand-raised', raised: false });
  await teacher.inbox.wait('participant-updated', (m) => m.participant.id === a.id && m.participant.handRaisedAt === null);
  assert.deepEqual(server.server.gateway.registry.get('hands')?.hands.order(), [b.id]);
});
