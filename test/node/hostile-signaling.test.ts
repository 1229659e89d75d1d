/**
 * Signaling clients that do not take what the server sends (issue 11): a
 * long-poll client that never acknowledges (one polling with `ack=0` used to
 * be sent 150,002 messages, 6.4 MB) and a WebSocket client that stops
 * reading. Both are cut off at the send limits (src/server/send-limits.ts)
 * with the retryable `signaling_too_slow`, held like a dropped connection
 * (an honest client resumes), and the server's memory stays put.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ERRORS } from '../../src/protocol/errors.js';
import { LONG_POLL_PATH } from '../../src/protocol/endpoints.js';
import { PROTOCOL_VERSION, type ServerMessage } from '../../src/protocol/messages.js';
import { SIGNALING_SEND_LIMITS } from '../../src/server/send-limits.js';
import { joinSilently } from '../support/class.js';
import { sleep, startServer, type TestServer } from '../support/server.js';
import { heapMb } from '../support/heap.js';

let server: TestServer;

before(async () => {
  server = await startServer({ RESUME_GRACE_S: '30' });
});
after(async () => {
  await server.stop();
});


const lp = (): string => `${server.url}${LONG_POLL_PATH}`;
const hello = (room: string, displayName: string, extra: object = {}): string =>
  JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room, displayName, audioMuted: false, videoMuted: false, ...extra });
const pings = (n: number): string => Array.from({ length: n }, (_, i) => JSON.stringify({ type: 'ping', nonce: i })).join('\n');

interface Poll {
  seq: number;
  messages: ServerMessage[];
  closed?: { code?: string; closeCode: number };
}

async function poll(sid: string, ack: number): Promise<{ status: number; body: Poll | undefined; bytes: number }> {
  const res = await fetch(`${lp()}?sid=${sid}&ack=${ack}`);
  const text = await res.text();
  return { status: res.status, body: res.status === 200 ? (JSON.parse(text) as Poll) : undefined, bytes: text.length };
}

test('a long-poll client that never acknowledges is cut off at the limit, held for resume, and can resume', { timeout: 60_000 }, async (t) => {
  const watcher = await joinSilently(server.url, 'lp-never-acks', 'Watcher');
  const open = await fetch(lp(), { method: 'POST', body: hello('lp-never-acks', 'Hoarder') });
  const { sid } = (await open.json()) as { sid: string };
  const heapBefore = heapMb();
  let received = 0;
  let bytes = 0;
  let largest = 0;
  let welcome: Extract<ServerMessage, { type: 'welcome' }> | undefined;
  let closed: Poll['closed'];
  // 1,000 rounds of 100 pings and a poll with ack=0: a pong for each ping, kept until acknowledged.
  for (let round = 0; round < 1000 && !closed; round++) {
    await fetch(`${lp()}?sid=${sid}`, { method: 'POST', body: pings(100) });
    const answer = await poll(sid, 0);
    if (!answer.body) break;
    received += answer.body.messages.length;
    bytes += answer.bytes;
    largest = Math.max(largest, answer.body.messages.length);
    welcome ??= answer.body.messages.find((m): m is Extract<ServerMessage, { type: 'welcome' }> => m.type === 'welcome');
    closed = answer.body.closed;
  }
  t.diagnostic(`never acknowledging: ${received} messages (${bytes} bytes) in all polls, at most ${largest} in one; closed ${JSON.stringify(closed)}`);
  assert.deepEqual(closed, { code: 'signaling_too_slow', closeCode: ERRORS.signaling_too_slow.closeCode });
  assert.ok(largest <= SIGNALING_SEND_LIMITS.messages + 1, `one answer carries at most the limit (${largest})`);
  const growth = heapMb() - heapBefore;
  assert.ok(growth < 20, `server and client heap grew ${growth.toFixed(1)} MB`);

  // Held like a dropped connection: the others see it interrupted, not gone.
  assert.ok(welcome?.resumeSecret);
  await watcher.inbox.wait('participant-updated', (m) => m.participant.id === welcome!.participantId && m.participant.connectionInterrupted, 10_000);
  assert.equal(watcher.inbox.of('participant-left').length, 0);
  // An honest client would now resume, over either transport, with what it really received.
  const others = welcome.participants.length;
  const resumed = await fetch(lp(), {
    method: 'POST',
    body: hello('lp-never-acks', 'Hoarder', { resume: { participantId: welcome.participantId, secret: welcome.resumeSecret, received: 1 + others } }),
  });
  const { sid: sid2 } = (await resumed.json()) as { sid: string };
  const back = await poll(sid2, 0);
  assert.equal(back.body?.messages[0]?.type, 'resumed');
  await watcher.inbox.wait('participant-updated', (m) => m.participant.id === welcome!.participantId && !m.participant.connectionInterrupted, 10_000);
  await fetch(`${lp()}?sid=${sid2}`, { method: 'POST', body: JSON.stringify({ type: 'leave' }) });
  await watcher.inbox.client.close();
});

test('a WebSocket client that stops reading is cut off once a megabyte waits for it', { timeout: 90_000 }, async (t) => {
  const reader = await joinSilently(server.url, 'ws-stops-reading', 'Sleeper');
  const socket = (reader.inbox.client as unknown as { socket: { pause(): void; send(text: string): void; bufferedAmount: number } }).socket;
  socket.pause();
  const heapBefore = heapMb();
  // Pings as fast as the server takes them: their pongs pile up in the server's socket once the kernel buffers are full.
  let sent = 0;
  const deadline = Date.now() + 60_000;
  while (server.server.resume.suspendedCount() === 0 && Date.now() < deadline) {
    if (socket.bufferedAmount < 256 * 1024) for (let i = 0; i < 2000; i++) socket.send(JSON.stringify({ type: 'ping', nonce: sent++ }));
    await sleep(10);
  }
  const growth = heapMb() - heapBefore;
  t.diagnostic(`${sent} pings sent, their pongs unread: cut off; heap grew ${growth.toFixed(1)} MB`);
  assert.equal(server.server.resume.suspendedCount(), 1, 'cut off, and held for resume like a dropped connection');
  assert.ok(growth < 40, `heap grew ${growth.toFixed(1)} MB`);
});
