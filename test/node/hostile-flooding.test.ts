/**
 * A participant who floods its room (issue 11): renames, mutes, hands, chat,
 * reports, ICE restarts and moderation requests, a thousand of each as fast
 * as the socket takes them. Each kind is cut to its rate
 * (src/service/participant-limits.ts) with non-fatal `rate_limited` errors,
 * the others hear only what got through, the log gets at most the
 * participant's budget, and a publisher's media keeps reaching its
 * subscriber throughout, counted in packets by the werift bots.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LOG_LINES_PER_PARTICIPANT } from '../../src/util/log-budget.js';
import { PARTICIPANT_RATE_LIMITS } from '../../src/service/participant-limits.js';
import type { ClientMessageInput } from '../../src/protocol/messages.js';
import { closeAll, joinBots, received } from '../support/bots.js';
import { joinSilently, type Inbox } from '../support/class.js';
import { scrapeMetrics } from '../support/metrics.js';
import { startServer, waitUntil, type TestServer } from '../support/server.js';

let server: TestServer;
const logs: Record<string, unknown>[] = [];

before(async () => {
  server = await startServer({}, { logs });
});
after(async () => {
  await server.stop();
});

/** Sends `count` messages at once, then a ping: its pong says the server handled them all (in order). */
async function flood(inbox: Inbox, count: number, make: (i: number) => ClientMessageInput): Promise<void> {
  for (let i = 0; i < count; i++) inbox.send(make(i));
  const nonce = Math.random();
  inbox.send({ type: 'ping', nonce });
  await inbox.wait('pong', (p) => p.nonce === nonce, 30_000);
}

test('a flooding participant is limited per kind; the others hear only what got through and their media keeps flowing', { timeout: 120_000 }, async (t) => {
  // The teacher publishes to a student; the flooder is a third participant in the same room.
  const [teacher, student] = await joinBots(server.url, 'flood', ['Teacher', 'Student']);
  assert.ok(teacher && student);
  const flooder = await joinSilently(server.url, 'flood', 'Flooder');
  const watcher = await joinSilently(server.url, 'flood', 'Watcher');
  await waitUntil(() => received(student, teacher, 'audio') > 20 && received(student, teacher, 'video') > 20, 10_000, 'media flowing before the flood');
  const before = { audio: received(student, teacher, 'audio'), video: received(student, teacher, 'video') };
  const logsBefore = logs.filter((l) => l.participant === flooder.id).length;

  await flood(flooder.inbox, 1000, (i) => ({ type: 'set-display-name', displayName: `Flood ${i}` }));
  await flood(flooder.inbox, 1000, (i) => ({ type: 'set-muted', kind: 'audio', muted: i % 2 === 0 }));
  await flood(flooder.inbox, 1000, (i) => ({ type: 'set-hand-raised', raised: i % 2 === 0 }));
  await flood(flooder.inbox, 1000, (i) => ({ type: 'chat-send', text: `spam ${i}` }));
  // Every report with a code of its own: the metrics label stays within the known codes and `other`.
  await flood(flooder.inbox, 1000, (i) => ({ type: 'client-report', code: `zz_${i.toString(36).replace(/\d/g, 'q')}`, detail: `report ${i}` }));
  await flood(flooder.inbox, 1000, () => ({ type: 'restart-ice', pc: 'subscribe' }));
  await flood(flooder.inbox, 1000, () => ({ type: 'moderate', request: { action: 'lock-room', locked: false } }));
  // Each change of whose video it receives may renegotiate the flooder's subscribe connection.
  await flood(flooder.inbox, 1000, (i) => ({ type: 'receive-video', lastN: i % 2 === 0 ? 0 : -1, onStage: [] }));

  // The flooder was told, without losing its connection.
  const refused = flooder.inbox.of('error');
  assert.ok(refused.length >= 7000, `${refused.length} refusals`);
  // (The moderation requests that were not over the rate are refused as what they are: the flooder does not moderate.)
  assert.deepEqual([...new Set(refused.map((e) => `${e.code} ${e.fatal}`))].sort(), ['forbidden false', 'rate_limited false']);
  assert.equal(flooder.inbox.client.closed, undefined);

  // The others heard only what got through: at most the burst plus what refilled meanwhile.
  const fromFlooder = watcher.inbox.of('participant-updated').filter((m) => m.participant.id === flooder.id);
  const updatesBound = PARTICIPANT_RATE_LIMITS['display-name'].burst + PARTICIPANT_RATE_LIMITS.mute.burst + PARTICIPANT_RATE_LIMITS.hand.burst;
  assert.ok(fromFlooder.length < updatesBound * 3, `${fromFlooder.length} participant updates reached the others for 3,000 requests`);
  const chats = watcher.inbox.of('chat').filter((c) => !c.history).length;
  assert.ok(chats < PARTICIPANT_RATE_LIMITS.chat.burst * 3, `${chats} chat messages reached the others for 1,000 sent`);

  // The log got at most the participant's budget, and says how much it dropped.
  const flooderLines = logs.filter((l) => l.participant === flooder.id).length - logsBefore;
  assert.ok(flooderLines <= LOG_LINES_PER_PARTICIPANT.burst * 2, `${flooderLines} log lines about the flooder`);
  const reports = logs.filter((l) => l.msg === 'client reported a problem' && l.participant === flooder.id).length;
  assert.ok(reports <= PARTICIPANT_RATE_LIMITS.report.burst + 1, `${reports} report lines for 1,000 reports`);

  // Media between the others never stopped: the student keeps receiving the teacher.
  await waitUntil(
    () => received(student, teacher, 'audio') >= before.audio + 100 && received(student, teacher, 'video') >= before.video + 50,
    10_000,
    () => `media kept flowing (audio ${received(student, teacher, 'audio') - before.audio}, video ${received(student, teacher, 'video') - before.video} packets since the flood began)`,
  );

  t.diagnostic(`8,000 requests: ${refused.length} refused, ${fromFlooder.length} participant updates and ${chats} chats reached the others, ${flooderLines} log lines (${reports} reports)`);
  const metrics = await scrapeMetrics(server.url);
  for (const kind of ['display-name', 'mute', 'hand', 'chat', 'report', 'ice-restart', 'moderation', 'receive-video']) {
    assert.ok((metrics.get(`confab_rate_limited_total{kind="${kind}"}`) ?? 0) > 500, `confab_rate_limited_total{kind="${kind}"}`);
  }
  const reportLabels = [...metrics.keys()].filter((k) => k.startsWith('confab_client_reports_total{'));
  assert.deepEqual(reportLabels, ['confab_client_reports_total{code="other"}']);
  await Promise.allSettled([flooder.inbox.client.close(), watcher.inbox.client.close()]);
  await closeAll([teacher, student]);
});
