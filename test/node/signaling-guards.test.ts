/**
 * Bad signaling input closes only the offending connection, with the exact
 * close code from the error catalogue and an error frame naming the code;
 * a participant in the same room keeps receiving media throughout. A
 * connection that vanishes is dropped from presence by the heartbeat.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SignalingClient, signalingUrl, type Bot } from '../../src/bot/index.js';
import { ERRORS, type ErrorCode } from '../../src/protocol/errors.js';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION, type ServerMessage } from '../../src/protocol/messages.js';
import { allReceiving, closeAll, joinBots, received } from '../support/bots.js';
import { sleep, startServer, waitUntil, type TestServer } from '../support/server.js';

let server: TestServer;
const bots: Bot[] = [];

before(async () => {
  // Pings every second: a silent peer is dropped after two missed pings.
  // A dropped connection is held 1 s for a session resume (session-resume.test.ts), then leaves.
  server = await startServer({ PING_INTERVAL_S: '1', RESUME_GRACE_S: '1' });
});
after(async () => {
  await closeAll(bots);
  await server.stop();
});

const hello = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room: 'guards', displayName: 'probe', ...extra });

interface Case {
  readonly name: string;
  readonly code: ErrorCode;
  /** Sent after a successful hello (the probe is a joined participant) or as the first message. */
  readonly afterHello: boolean;
  readonly frame: string;
}

const cases: Case[] = [
  { name: 'malformed JSON', code: 'message_malformed', afterHello: true, frame: '{"type":"ping",' },
  { name: 'unknown type', code: 'message_malformed', afterHello: true, frame: '{"type":"teleport"}' },
  { name: 'oversized message', code: 'message_too_large', afterHello: true, frame: JSON.stringify({ type: 'client-report', code: 'x', detail: 'x'.repeat(MAX_MESSAGE_BYTES) }) },
  { name: 'message before hello', code: 'hello_required', afterHello: false, frame: '{"type":"ping","nonce":1}' },
  { name: 'wrong protocolVersion', code: 'protocol_version_unsupported', afterHello: false, frame: hello({ protocolVersion: PROTOCOL_VERSION + 41 }) },
  { name: 'invalid room name', code: 'room_name_invalid', afterHello: false, frame: hello({ room: 'no spaces/or slashes!' }) },
];

/** Sends `frame` on a fresh connection; resolves with the error frames seen and the close code. */
async function probe(c: Case): Promise<{ errors: ServerMessage[]; close: { code: number; reason: string }; joinedAs?: string }> {
  const client = await SignalingClient.connect(signalingUrl(server.url));
  const errors: ServerMessage[] = [];
  client.on('message', (m) => m.type === 'error' && errors.push(m));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => client.once('closed', resolve));
  let joinedAs: string | undefined;
  if (c.afterHello) {
    const welcome = client.waitFor('welcome');
    client.sendRaw(hello());
    joinedAs = (await welcome).participantId;
  }
  client.sendRaw(c.frame);
  const timeout = sleep(5000).then(() => {
    throw new Error(`${c.name}: the server did not close the connection within 5 s`);
  });
  const close = await Promise.race([closed, timeout]);
  return { errors, close, joinedAs };
}

test('bad input closes only that connection, with the catalogue close code, while media keeps flowing', { timeout: 60_000 }, async () => {
  const [watcher, speaker] = await joinBots(server.url, 'guards', ['watcher', 'speaker']);
  assert.ok(watcher && speaker);
  bots.push(watcher, speaker);
  await waitUntil(() => allReceiving([watcher, speaker], 25), 10_000, 'media between watcher and speaker');

  for (const c of cases) {
    const start = { audio: received(watcher, speaker, 'audio'), video: received(watcher, speaker, 'video') };
    const { errors, close, joinedAs } = await probe(c);
    assert.equal(close.code, ERRORS[c.code].closeCode, `${c.name}: close code`);
    assert.equal(close.reason, c.code, `${c.name}: close reason names the code`);
    assert.equal(errors.length, 1, `${c.name}: one error frame`);
    const error = errors[0];
    assert.ok(error?.type === 'error' && error.code === c.code && error.fatal, `${c.name}: error frame ${JSON.stringify(error)}`);
    if (joinedAs) {
      // The probe had joined the room: the others see it leave, and nothing else changes.
      await waitUntil(() => !watcher.participants.has(joinedAs), 3_000, `${c.name}: probe to leave presence`);
    }
    assert.deepEqual([...watcher.participants.keys()], [speaker.participantId], `${c.name}: watcher sees only the speaker`);
    assert.ok(!watcher.signaling.closed && !speaker.signaling.closed, `${c.name}: the bots' connections stay open`);
    await waitUntil(
      () => received(watcher, speaker, 'audio') - start.audio > 10 && received(watcher, speaker, 'video') - start.video > 10,
      3_000,
      `${c.name}: watcher keeps receiving the speaker's media`,
    );
  }
  await closeAll([watcher, speaker]);
});

test('a connection that vanishes is removed from presence within 15 s', { timeout: 60_000 }, async (t) => {
  const [stays, silent, cut] = await joinBots(server.url, 'vanish', ['stays', 'silent', 'cut']);
  assert.ok(stays && silent && cut);
  // WebSocket bots (the default): the test handles their sockets.
  assert.ok(cut.signaling instanceof SignalingClient && silent.signaling instanceof SignalingClient);
  bots.push(stays, silent, cut);
  await waitUntil(() => stays.participants.size === 2, 5_000, 'presence of both others');
  // In a call, not half-way through a DTLS handshake: werift keeps retransmitting an
  // unfinished handshake for ~30 s even after close(), which holds the test process open.
  await waitUntil(() => allReceiving([stays, silent, cut], 10), 10_000, 'media among the three');
  const left = new Map<string, string>();
  stays.on('participantLeft', (id, reason) => left.set(id, reason));

  // 1. The TCP connection dies without a WebSocket close frame.
  const cutAt = Date.now();
  cut.signaling.socket.terminate();
  await waitUntil(() => left.has(cut.participantId), 15_000, 'the cut connection to leave presence');
  assert.equal(left.get(cut.participantId), 'disconnected');
  const cutMs = Date.now() - cutAt;

  // 2. The peer stops reading (a frozen tab, a network that drops everything): pings go unanswered.
  const silentAt = Date.now();
  silent.signaling.socket.pause();
  await waitUntil(() => left.has(silent.participantId), 15_000, 'the silent connection to leave presence');
  assert.equal(left.get(silent.participantId), 'disconnected');
  const silentMs = Date.now() - silentAt;
  // Two missed 1 s pings and the 1 s resume grace, not an instant close: it really was the heartbeat that found it.
  assert.ok(silentMs >= 1900, `silent peer dropped after ${silentMs} ms`);
  assert.equal(server.server.gateway.registry.get('vanish')?.participants.size, 1);
  assert.deepEqual([...stays.participants.keys()], []);
  t.diagnostic(`vanished peers dropped after: terminated ${cutMs} ms, silent ${silentMs} ms`);
  await closeAll([stays, silent, cut]);
});
