/**
 * The outbox survives a restart mid-class: events recorded while the
 * receiver was failing are on disk when the server stops, and a new server
 * on the same outbox delivers every one of them (at least once: the
 * receiver dedupes by event id), before the same room's newer events.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Bot } from '../../src/bot/index.js';
import { closeAll, joinBots } from '../support/bots.js';
import { startServer, waitUntil, type TestServer } from '../support/server.js';
import { assertInOrder, label, WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'webhook-restart-secret-0123456789abcdef';
const LISTEN_ONLY = { publish: { audio: false, video: false } };
const dir = mkdtempSync(join(tmpdir(), 'confab-webhooks-restart-'));
const outbox = join(dir, 'outbox', 'webhooks.sqlite');
const bots: Bot[] = [];
after(async () => {
  await closeAll(bots);
  rmSync(dir, { recursive: true, force: true });
});

const server = (receiver: WebhookReceiver): Promise<TestServer> =>
  startServer({ WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET, WEBHOOK_OUTBOX_PATH: outbox, WEBHOOK_RETRY_MIN_S: '0.05', WEBHOOK_RETRY_MAX_S: '0.3' });

/** Event ids still waiting in the outbox file, read directly with SQLite. */
function pendingInFile(): { id: string; type: string; reason?: string }[] {
  const db = new Database(outbox, { readonly: true });
  try {
    const rows = db.prepare("SELECT body FROM deliveries WHERE status = 'pending' ORDER BY seq").all() as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as { id: string; type: string; reason?: string });
  } finally {
    db.close();
  }
}

test('a restart mid-class loses no event and keeps each room in order', { timeout: 90_000 }, async () => {
  const receiver = new WebhookReceiver(SECRET);
  await receiver.listen();
  const first = await server(receiver);
  const [ada, bob, cy] = await joinBots(first.url, 'maths-101', ['Ada', 'Bob', 'Cy'], LISTEN_ONLY);
  bots.push(ada!, bob!, cy!);
  await waitUntil(() => receiver.events().length === 4, 5_000, 'room_started and three joins delivered');
  const deliveredBefore = receiver.events().map((e) => e.id);

  // The platform's receiver goes down; the class goes on, then the server restarts.
  receiver.mode = 'unavailable';
  await ada!.leave();
  await waitUntil(() => receiver.requests > 5, 5_000, 'failed attempts');
  const stopAt = Date.now();
  await first.stop();
  assert.ok(Date.now() - stopAt < 6_000, `stop took ${Date.now() - stopAt} ms with the receiver failing`);
  const queued = pendingInFile();
  assert.deepEqual(
    queued.map((e) => `${e.type}${e.reason ? ` ${e.reason}` : ''}`),
    ['participant_left left', 'participant_left server_shutdown', 'participant_left server_shutdown', 'room_finished'],
  );
  await closeAll([ada!, bob!, cy!]);

  // Back up: a new server on the same outbox, and the class reconnects to it.
  receiver.mode = 'accept';
  const second = await server(receiver);
  try {
    const [bob2, cy2] = await joinBots(second.url, 'maths-101', ['Bob', 'Cy'], LISTEN_ONLY);
    bots.push(bob2!, cy2!);
    await bob2!.leave();
    await cy2!.leave();
    const expected = new Set([...deliveredBefore, ...queued.map((e) => e.id)]);
    await waitUntil(() => receiver.events().length === expected.size + 6, 10_000, () => `${expected.size + 6} events, got ${receiver.events().map(label).join(', ')}`);

    const events = receiver.events();
    const sessions = [...new Set(events.map((e) => e.roomSessionId))];
    assert.equal(sessions.length, 2, 'the class before and after the restart');
    const before = events.filter((e) => e.roomSessionId === sessions[0]);
    assert.deepEqual(new Set(before.map((e) => e.id)), expected, 'every event of the first server, none invented');
    assert.deepEqual(before.map((e) => e.sequence), [1, 2, 3, 4, 5, 6, 7, 8]);
    assertInOrder(events);
    // Same room: everything from before the restart came before anything after it.
    const lastBefore = Math.max(...before.map((e) => events.indexOf(e)));
    assert.ok(events.findIndex((e) => e.roomSessionId === sessions[1]) > lastBefore);
    assert.deepEqual(events.filter((e) => e.roomSessionId === sessions[1]).map(label), [
      'room_started',
      ...events.filter((e) => e.roomSessionId === sessions[1] && e.type === 'participant_joined').map(label),
      'participant_left Bob left',
      'participant_left Cy left',
      'room_finished',
    ]);
    assert.ok(receiver.accepted.every((r) => r.signatureValid));
    await waitUntil(() => second.server.webhooks!.store.pending === 0, 2_000, 'an empty outbox');
  } finally {
    await second.stop();
    await receiver.stop();
  }
});
