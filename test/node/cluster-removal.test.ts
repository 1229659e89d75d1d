/**
 * Issue 12's class rules in cluster mode (issue 15): a removal is the end on
 * every replica, and a block, the subject and the rule of who may lead hold
 * after the class moves to another host. Rejoin tickets live on the replica
 * that issued them while removals and the end of a class happen on the
 * room's host, so the host refuses a ticket issued before either
 * (`rejoin_ticket_revoked`) and the replica holding the page falls back to
 * the token, as one server does. In-process nodes on one real redis-server,
 * token auth, raw signaling clients.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ERRORS, type ErrorCode } from '../../src/protocol/errors.js';
import { connect, joinSilently, type HelloExtra, type Inbox } from '../support/class.js';
import { startNodes } from '../support/cluster.js';
import { nowS, signJwt } from '../support/jwt.js';
import { startRedis, type RunningRedis } from '../support/redis.js';
import { sleep, waitUntil, type TestServer } from '../support/server.js';

const SECRET = 'cluster-removal-secret-0123456789abcdef';
const AUTH = { ENABLE_AUTH: '1', JWT_APP_ID: 'lms', JWT_APP_SECRET: SECRET, RESUME_GRACE_S: '5', PING_INTERVAL_S: '1' };
const token = (room: string, user: Record<string, unknown>): string =>
  signJwt({ iss: 'lms', aud: 'jitsi', sub: 'meet.example.org', room, exp: nowS() + 600, context: { user } }, { secret: SECRET });

let redis: RunningRedis;
const running: TestServer[] = [];
const inboxes: Inbox[] = [];
const keep = (i: Inbox): Inbox => (inboxes.push(i), i);

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await Promise.allSettled(inboxes.map((i) => i.client.close()));
  for (const n of running) await n.stop();
  await redis?.dispose();
});

async function nodes(count: number): Promise<TestServer[]> {
  for (const n of running.splice(0)) await n.stop();
  const started = await startNodes(redis.url, count, AUTH);
  running.push(...started);
  return started;
}

async function join(url: string, room: string, extra: HelloExtra): Promise<{ inbox: Inbox; id: string; ticket: string | undefined }> {
  const { inbox, id } = await joinSilently(url, room, '', extra);
  keep(inbox);
  return { inbox, id, ticket: inbox.of('welcome')[0]!.rejoinTicket };
}

async function refusedWith(url: string, room: string, extra: HelloExtra, code: ErrorCode): Promise<void> {
  const inbox = keep(await connect(url, room, 'Back again', extra));
  const closed = await inbox.closed(15_000);
  assert.deepEqual(closed, { code: ERRORS[code].closeCode, reason: code }, `expected ${code}: ${JSON.stringify(inbox.messages)}`);
  assert.equal(inbox.of('welcome').length, 0);
}

/** The node hosting the room (it has it in its own registry). */
function hostOf(all: readonly TestServer[], room: string): TestServer {
  const host = all.find((n) => n.server.gateway.registry.get(room) !== undefined);
  assert.ok(host, `a node hosts ${room}`);
  return host;
}

async function leave(inbox: Inbox): Promise<void> {
  inbox.send({ type: 'leave' });
  await inbox.closed();
}

test('a removal through the host voids the removed identity’s rejoin tickets that another replica issued', { timeout: 60_000 }, async () => {
  const all = await nodes(3);
  const room = 'removal-any-replica';
  const teacher = await join(all[0]!.url, room, { token: token(room, { id: 't1', name: 'Teacher', moderator: true }) });
  const host = hostOf(all, room);
  const [edgeA, edgeB] = all.filter((n) => n !== host) as [TestServer, TestServer];
  const studentToken = token(room, { id: 's1', name: 'Student' });
  // A first connection through edge A ends with a goodbye: its ticket is good there for 10 minutes.
  const first = await join(edgeA.url, room, { token: studentToken });
  await leave(first.inbox);
  // Back through edge B, and removed there by the teacher: edge B revokes what it issued; edge A never heard.
  const second = await join(edgeB.url, room, { token: studentToken });
  teacher.inbox.moderate({ action: 'remove', participantId: second.id });
  assert.deepEqual(await second.inbox.closed(), { code: ERRORS.removed_by_moderator.closeCode, reason: 'removed_by_moderator' });
  await sleep(300);
  // Edge A still has the first ticket; the host refuses it, and edge A falls back to the (missing) token.
  await refusedWith(edgeA.url, room, { rejoinTicket: first.ticket }, 'token_missing');
  // A removal is not a block: a valid token gets back in, through any replica.
  const again = await join(edgeA.url, room, { token: studentToken });
  assert.notEqual(again.id, second.id);
  assert.equal(host.server.gateway.registry.get(room)?.participants.size, 2);
});

test('a block, the subject and who leads hold after the class moves to another host; tickets from before the end of the class are void on every replica', { timeout: 90_000 }, async () => {
  const all = await nodes(3);
  const room = 'moved-rules';
  const teacherToken = token(room, { id: 't2', name: 'Teacher', moderator: true });
  const teacher = await join(all[0]!.url, room, { token: teacherToken });
  const host = hostOf(all, room);
  const [edgeA, edgeB] = all.filter((n) => n !== host) as [TestServer, TestServer];
  const malloryToken = token(room, { id: 'm1', name: 'Mallory' });
  const mallory = await join(edgeA.url, room, { token: malloryToken });
  // A student who may lead (no claim either way) but must not by coming first after the move.
  const sam = await join(edgeB.url, room, { token: token(room, { id: 's2', name: 'Sam' }) });
  // Ben leaves with a goodbye before the end of the class: his ticket stays good on edge A for its grace.
  const ben = await join(edgeA.url, room, { token: token(room, { id: 'b1', name: 'Ben' }) });
  await leave(ben.inbox);
  teacher.inbox.moderate({ action: 'set-subject', subject: 'Fractions' });
  teacher.inbox.moderate({ action: 'remove', participantId: mallory.id, block: true });
  assert.deepEqual(await mallory.inbox.closed(), { code: ERRORS.blocked_by_moderator.closeCode, reason: 'blocked_by_moderator' });
  await sam.inbox.wait('room-state', (m) => m.state.subject === 'Fractions');
  await sleep(500); // the rest of the state is written a quarter second after the last change

  // The host goes (a rollout's last step, or a failure): the class moves with its kept state.
  running.splice(running.indexOf(host), 1);
  await host.stop();
  await waitUntil(() => teacher.inbox.client.closed !== undefined && sam.inbox.client.closed !== undefined, 10_000, 'the pages to be told to reconnect');
  // Sam is back first, through his edge: a participant still, though nobody moderates yet.
  const samWelcome = sam.inbox.of('welcome')[0]!;
  const samBack = keep(await connect(edgeB.url, room, '', { token: token(room, { id: 's2', name: 'Sam' }), resume: { participantId: samWelcome.participantId, secret: samWelcome.resumeSecret!, received: 0 } }));
  await samBack.wait('welcome', () => true, 15_000);
  assert.equal(samBack.of('welcome')[0]!.self.role, 'participant', 'the student does not take the lead while the teacher is on the way back');
  const newHost = hostOf([edgeA, edgeB], room);
  assert.notEqual(newHost, host);
  assert.equal((await samBack.wait('room-state')).state.subject, 'Fractions', 'the subject came along');
  // Someone new in the gap does not take the lead either.
  const newcomer = await join(edgeA.url, room, { token: token(room, { id: 'n1', name: 'Newcomer' }) });
  assert.equal(newcomer.inbox.of('welcome')[0]!.self.role, 'participant');
  const teacherBack = await join(edgeA.url, room, { token: teacherToken });
  assert.equal(teacherBack.inbox.of('welcome')[0]!.self.role, 'moderator');

  // The block holds on the new host, through either replica, with a fresh token or the old ticket.
  for (const edge of [edgeA, edgeB]) await refusedWith(edge.url, room, { token: token(room, { id: 'm1', name: 'Mallory again' }) }, 'blocked_by_moderator');
  await refusedWith(edgeA.url, room, { rejoinTicket: mallory.ticket, token: malloryToken }, 'blocked_by_moderator');

  // The class ends: Ben's ticket on edge A (he had left earlier) no longer gets him in, whoever hosts the room next.
  teacherBack.inbox.moderate({ action: 'end-conference' });
  assert.deepEqual(await teacherBack.inbox.closed(), { code: ERRORS.conference_ended.closeCode, reason: 'conference_ended' });
  await waitUntil(() => [edgeA, edgeB].every((n) => n.server.gateway.registry.get(room) === undefined), 5000, 'the room to close');
  await refusedWith(edgeA.url, room, { rejoinTicket: ben.ticket }, 'token_missing');
});
