/**
 * Attendance webhooks end to end: a real server, werift bots joining and
 * leaving, and a webhook receiver on loopback that checks every signature
 * with node:crypto. Events arrive in order per room, with identity and
 * durations; nothing is lost while the receiver fails or is not listening.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Bot } from '../../src/bot/index.js';
import { allReceiving, closeAll, joinBots } from '../support/bots.js';
import { joinSilently } from '../support/class.js';
import { sleep, startServer, waitUntil, type TestServer } from '../support/server.js';
import { assertInOrder, label, WebhookReceiver, type ReceivedEvent } from '../support/webhook-receiver.js';

const SECRET = 'webhook-test-secret-0123456789abcdef0123';
/** Attendance needs no media: bots that publish nothing join and leave faster. */
const LISTEN_ONLY = { publish: { audio: false, video: false } };
const dir = mkdtempSync(join(tmpdir(), 'confab-webhooks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A server posting to `receiver`, retrying fast. */
/** Values of unlabelled gauges from /metrics. */
async function metric(s: TestServer, names: string[]): Promise<Record<string, number | undefined>> {
  const lines = (await (await fetch(`${s.url}metrics`)).text()).split('\n');
  return Object.fromEntries(names.map((n) => [n, Number(lines.find((l) => l.startsWith(`${n} `))?.split(' ')[1])]));
}

function webhookServer(receiver: WebhookReceiver, outbox: string): Promise<TestServer> {
  return startServer({
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_OUTBOX_PATH: outbox,
    WEBHOOK_RETRY_MIN_S: '0.05',
    WEBHOOK_RETRY_MAX_S: '0.4',
    WEBHOOK_TIMEOUT_S: '2',
  });
}

describe('attendance webhooks', () => {
  const bots: Bot[] = [];
  after(() => closeAll(bots));

  test('a class: room_started, joins, leaves with reason and duration, room_finished; signed, in order', { timeout: 60_000 }, async () => {
    const receiver = new WebhookReceiver(SECRET);
    await receiver.listen();
    const s = await webhookServer(receiver, join(dir, 'class.sqlite'));
    try {
      const [ada, bob, cy] = await joinBots(s.url, 'maths-101', ['Ada', 'Bob', 'Cy']);
      const [dee] = await joinBots(s.url, 'physics', ['Dee'], { tenant: 'school' });
      bots.push(ada!, bob!, cy!, dee!);
      // In a call before anyone leaves (werift holds the process ~30 s after a close mid-DTLS).
      await waitUntil(() => allReceiving([ada!, bob!, cy!], 10), 10_000, 'media among the three');
      await sleep(300);
      await ada!.leave();
      await bob!.close(); // no goodbye: the connection just ends
      await dee!.leave();
      await cy!.leave();
      await waitUntil(() => receiver.events().length === 12, 10_000, () => `12 events, got ${receiver.events().map(label).join(', ')}`);

      const maths = receiver.events((e) => e.roomKey === 'maths-101');
      // The three join at once: any order among them.
      assert.equal(label(maths[0]!), 'room_started');
      assert.deepEqual(maths.slice(1, 4).map(label).sort(), ['participant_joined Ada', 'participant_joined Bob', 'participant_joined Cy']);
      assert.deepEqual(maths.slice(4).map(label), ['participant_left Ada left', 'participant_left Bob disconnected', 'participant_left Cy left', 'room_finished']);
      const physics = receiver.events((e) => e.roomKey === 'school/physics');
      assert.deepEqual(physics.map(label), ['room_started', 'participant_joined Dee', 'participant_left Dee left', 'room_finished']);
      assert.deepEqual([physics[0]!.tenant, physics[0]!.room, maths[0]!.tenant], ['school', 'physics', null]);
      assertInOrder(receiver.events());

      const ids = new Map([ada, bob, cy].map((b) => [b!.options.displayName, b!.participantId]));
      for (const e of maths.filter((x) => x.participant)) assert.equal(e.participant!.id, ids.get(e.participant!.displayName));
      for (const left of maths.filter((e) => e.type === 'participant_left')) {
        assert.ok(left.durationS! >= 0.3 && left.durationS! < 30, `${label(left)}: ${left.durationS} s`);
        assert.equal(left.participant!.user, null, 'an open room has no token user');
      }
      const finished = maths.at(-1)!;
      assert.equal(finished.participantsJoined, 3);
      assert.ok(finished.durationS! >= left(maths, 'Cy').durationS!);

      for (const r of receiver.accepted) {
        assert.ok(r.signatureValid, `signature of ${r.event.type}`);
        assert.equal(r.headers['x-confab-event-id'], r.event.id);
        assert.equal(r.headers['x-confab-event'], r.event.type);
        assert.equal(r.headers['x-confab-timestamp'], String(Math.floor(Date.parse(r.event.occurredAt) / 1000)));
        assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
      }
      assert.equal(receiver.accepted.length, 12, 'nothing was sent twice');
      // The receiver counts a request before its answer reaches the server.
      await waitUntil(() => s.server.webhooks!.store.pending === 0, 2_000, 'an empty outbox');
      const up = await metric(s, ['confab_webhook_deliveries_pending', 'confab_webhook_oldest_pending_seconds']);
      assert.deepEqual(up, { confab_webhook_deliveries_pending: 0, confab_webhook_oldest_pending_seconds: 0 });
    } finally {
      await s.stop();
      await receiver.stop();
    }
  });

  test('moderation: a role granted, someone removed, the class ended', { timeout: 30_000 }, async () => {
    const receiver = new WebhookReceiver(SECRET);
    await receiver.listen();
    const s = await webhookServer(receiver, join(dir, 'moderation.sqlite'));
    try {
      // The first to join moderates (auto-owner).
      const teacher = await joinSilently(s.url, 'biology', 'Teacher');
      const ada = await joinSilently(s.url, 'biology', 'Ada');
      const bob = await joinSilently(s.url, 'biology', 'Bob');
      teacher.inbox.moderate({ action: 'grant-moderator', participantId: ada.id });
      teacher.inbox.moderate({ action: 'remove', participantId: bob.id });
      await bob.inbox.closed();
      teacher.inbox.moderate({ action: 'end-conference' });
      await waitUntil(() => receiver.events().length === 9, 10_000, () => `9 events, got ${receiver.events().map(label).join(', ')}`);
      const events = receiver.events();
      assertInOrder(events);
      assert.deepEqual(events.map(label), [
        'room_started',
        'participant_joined Teacher',
        'participant_joined Ada',
        'participant_joined Bob',
        'participant_role_changed Ada',
        'participant_left Bob removed',
        ...events.slice(6, 8).map(label), // both at once: checked below in any order
        'room_finished',
      ]);
      assert.deepEqual(events.slice(6, 8).map(label).sort(), ['participant_left Ada class_ended', 'participant_left Teacher class_ended']);
      const granted = events[4]!;
      assert.deepEqual([granted.participant!.id, granted.participant!.role, granted.previousRole], [ada.id, 'moderator', 'participant']);
      assert.ok(receiver.accepted.every((r) => r.signatureValid));
      for (const c of [teacher, ada, bob]) c.inbox.client.close();
    } finally {
      await s.stop();
      await receiver.stop();
    }
  });

  test('the receiver answers 503, then is not listening, then is back: nothing lost, order kept', { timeout: 60_000 }, async () => {
    const receiver = new WebhookReceiver(SECRET);
    await receiver.listen();
    receiver.mode = 'unavailable';
    const s = await webhookServer(receiver, join(dir, 'down.sqlite'));
    try {
      const [a, b] = await joinBots(s.url, 'history', ['A', 'B'], LISTEN_ONLY);
      bots.push(a!, b!);
      await waitUntil(() => receiver.requests >= 3, 5_000, 'refused attempts');
      await receiver.stop(); // connection refused from now on
      await a!.leave();
      const [c] = await joinBots(s.url, 'history', ['C'], LISTEN_ONLY);
      bots.push(c!);
      await b!.leave();
      await c!.leave();
      await sleep(800);
      assert.equal(receiver.events().length, 0, 'nothing got through while the receiver was down');
      // What an operator's alert sees meanwhile: a backlog that is not draining.
      const down = await metric(s, ['confab_webhook_deliveries_pending', 'confab_webhook_oldest_pending_seconds', 'confab_webhook_deliveries_failed']);
      assert.equal(down.confab_webhook_deliveries_pending, 8, `8 deliveries waiting: ${JSON.stringify(down)}`);
      assert.ok(down.confab_webhook_oldest_pending_seconds! >= 0.8, `the oldest has waited: ${JSON.stringify(down)}`);
      assert.equal(down.confab_webhook_deliveries_failed, 0);
      receiver.mode = 'accept';
      await receiver.listen();
      await waitUntil(() => receiver.events().length === 8, 10_000, () => `8 events, got ${receiver.events().map(label).join(', ')}`);
      const events = receiver.events();
      assertInOrder(events);
      assert.deepEqual(events.map((e) => e.type), ['room_started', 'participant_joined', 'participant_joined', 'participant_left', 'participant_joined', 'participant_left', 'participant_left', 'room_finished']);
      assert.ok(receiver.accepted.every((r) => r.signatureValid));
      assert.ok(Number(receiver.accepted[0]!.headers['x-confab-delivery-attempt']) > 1, 'the first event was retried');
      await waitUntil(() => s.server.webhooks!.store.pending === 0, 2_000, 'an empty outbox');
      const up = await metric(s, ['confab_webhook_deliveries_pending', 'confab_webhook_oldest_pending_seconds']);
      assert.deepEqual(up, { confab_webhook_deliveries_pending: 0, confab_webhook_oldest_pending_seconds: 0 });
    } finally {
      await s.stop();
      await receiver.stop();
    }
  });
});

function left(events: readonly ReceivedEvent[], name: string): ReceivedEvent {
  return events.find((e) => e.type === 'participant_left' && e.participant?.displayName === name)!;
}
