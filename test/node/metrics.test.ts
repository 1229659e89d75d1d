/**
 * /metrics as Prometheus scrapes it: rooms, participants, tracks, forwarded
 * packets, media paths, refused joins by code, and problems browsers report.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import type { Bot } from '../../src/bot/index.js';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { allReceiving, closeAll, joinBots } from '../support/bots.js';
import { scrapeMetrics } from '../support/metrics.js';
import { startServer, waitUntil, type TestServer } from '../support/server.js';

let server: TestServer;
let bots: Bot[] = [];

before(async () => {
  server = await startServer();
});
after(async () => {
  await closeAll(bots);
  await server.stop();
});

const scrape = (): Promise<Map<string, number>> => scrapeMetrics(server.url);

/** Opens a signaling connection, sends `messages`, waits for the server to close it. */
async function session(messages: object[]): Promise<void> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}signaling`);
  await new Promise((resolve) => ws.once('open', resolve));
  for (const m of messages) ws.send(JSON.stringify(m));
  await new Promise((resolve) => ws.once('close', resolve));
}

test('metrics follow a live room and count refusals', { timeout: 30_000 }, async () => {
  bots = await joinBots(server.url, 'metered', ['m1', 'm2']);
  await waitUntil(() => allReceiving(bots, 30), 10_000, 'media between the two bots');
  const m = await scrape();
  assert.equal(m.get('confab_rooms'), 1);
  assert.equal(m.get('confab_participants'), 2);
  assert.equal(m.get('confab_published_tracks{kind="audio"}'), 2);
  assert.equal(m.get('confab_published_tracks{kind="video"}'), 2);
  assert.equal(m.get('confab_forwarded_tracks'), 4, 'each bot receives the 2 tracks of the other');
  assert.ok((m.get('confab_forwarded_packets_total') ?? 0) >= 120, `forwarded packets: ${m.get('confab_forwarded_packets_total')}`);
  assert.ok((m.get('confab_forwarded_bytes_total') ?? 0) > 10_000);
  assert.equal(m.get('confab_media_sessions{transport="udp"}'), 4, 'two bots x (publish + subscribe) over UDP');
  assert.equal(m.get('confab_media_sessions{transport="tcp"}'), 0);
  assert.equal(m.get('confab_signaling_connections{transport="websocket"}'), 2);
  assert.ok((m.get('confab_process_resident_memory_bytes') ?? 0) > 0);

  await session([{ type: 'hello', protocolVersion: PROTOCOL_VERSION, room: 'bad room!', displayName: 'x' }]);
  await session([{ type: 'hello', protocolVersion: 999, room: 'ok-room', displayName: 'x' }]);
  const after = await scrape();
  assert.equal(after.get('confab_join_failures_total{code="room_name_invalid"}'), 1);
  assert.equal(after.get('confab_join_failures_total{code="protocol_version_unsupported"}'), 1);
  const later = await scrape();
  assert.ok((later.get('confab_forwarded_packets_total') ?? 0) >= (m.get('confab_forwarded_packets_total') ?? 0), 'counters only grow');

  await closeAll(bots);
  bots = [];
  await waitUntil(() => server.server.gateway.registry.size === 0, 5000, 'the room to close');
  const empty = await scrape();
  assert.equal(empty.get('confab_rooms'), 0);
  assert.equal(empty.get('confab_forwarded_tracks'), 0);
});
