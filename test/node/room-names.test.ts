/**
 * Room names as Jitsi has them (issue 12): Unicode letters and digits,
 * NFC-normalised and compared with Unicode case folding, the same in
 * signaling, a token's `room` claim, the room page, the webhooks and the
 * REST API; confusing names refused with room_name_invalid and a message
 * that says what is allowed. Tokens come from the independent test signer.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SignalingClient, signalingUrl } from '../../src/bot/index.js';
import { ERRORS } from '../../src/protocol/errors.js';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { NAME_RULE } from '../../src/protocol/room-name.js';
import { joinSilently, type Inbox } from '../support/class.js';
import { nowS, signJwt } from '../support/jwt.js';
import { waitUntil, type TestServer } from '../support/server.js';
import type { WebhookReceiver } from '../support/webhook-receiver.js';
import { startServerWithWebhooks, type WebhookTestServer } from '../support/webhook-server.js';

const SECRET = 'room-names-test-secret-0123456789abcdef';
const HOOK_SECRET = 'room-names-webhook-secret-0123456789abc';
const token = (room: string, user: Record<string, unknown>): string =>
  signJwt({ iss: 'lms', aud: 'jitsi', sub: 'meet.example.org', room, exp: nowS() + 600, context: { user } }, { secret: SECRET });

const inboxes: Inbox[] = [];
let hooked: WebhookTestServer;
let s: TestServer;
let receiver: WebhookReceiver;

before(async () => {
  hooked = await startServerWithWebhooks(HOOK_SECRET, { ENABLE_AUTH: '1', JWT_APP_ID: 'lms', JWT_APP_SECRET: SECRET, WEBHOOK_RETRY_MIN_S: '0.05' });
  ({ server: s, receiver } = hooked);
});
after(async () => {
  await Promise.allSettled(inboxes.map((i) => i.client.close()));
  await hooked.stop();
});

async function refusedHello(room: string, tok: string): Promise<{ code: string; message: string; close: number }> {
  const client = await SignalingClient.connect(signalingUrl(s.url));
  const errors: { code: string; message: string }[] = [];
  client.on('message', (m) => m.type === 'error' && errors.push(m));
  const closed = new Promise<{ code: number }>((resolve) => client.once('closed', resolve));
  client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room, displayName: 'x', token: tok, audioMuted: false, videoMuted: false });
  const close = (await closed).code;
  assert.equal(errors.length, 1, 'one fatal error frame before the close');
  return { code: errors[0]!.code, message: errors[0]!.message, close };
}

test('/тест: signaling, token room claim in another case and form, webhooks and the REST API agree on one room', { timeout: 30_000 }, async () => {
  // The teacher's platform wrote the claim in capitals; a student's page has the name decomposed (NFD).
  const teacher = await joinSilently(s.url, 'тест', 'Teacher', { token: token('ТЕСТ', { id: 't1', name: 'Учитель', moderator: true }) });
  inboxes.push(teacher.inbox);
  const nfd = 'тест'.normalize('NFD');
  const student = await joinSilently(s.url, 'ТЕСТ', 'Student', { token: token(nfd, { id: 's1', name: 'Ученик' }) });
  inboxes.push(student.inbox);
  assert.equal(teacher.inbox.of('welcome')[0]?.room, 'тест');
  assert.equal(student.inbox.of('welcome')[0]?.room, 'тест');
  await teacher.inbox.wait('participant-joined', (m) => m.participant.id === student.id);
  assert.equal(s.server.gateway.registry.get('тест')?.participants.size, 2, 'one room, two people');

  // The REST API, asked with the URL-encoded upper-case name, answers for the same room.
  const api = signJwt({ iss: 'lms', aud: 'jitsi', room: '*', exp: nowS() + 600, context: { user: { moderator: true } } }, { secret: SECRET });
  const res = await fetch(`${s.url}api/rooms/${encodeURIComponent('ТЕСТ')}/participants`, { headers: { authorization: `Bearer ${api}` } });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { room: string; roomKey: string; participants: { id: string }[] };
  assert.deepEqual([body.room, body.roomKey, body.participants.length], ['тест', 'тест', 2]);

  // The page for the URL-encoded name is served (the token checked against the folded name).
  const page = await fetch(`${s.url}${encodeURIComponent('Тест')}?jwt=${token('тест', { name: 'X' })}`, { headers: { accept: 'application/json' } });
  assert.ok(page.status === 200 || page.status === 503, `page: ${page.status}`);

  // Webhooks name the room by its folded name.
  await waitUntil(() => receiver.events((e) => e.type === 'participant_joined' && e.room === 'тест').length === 2, 10_000, 'two joins by webhook');
  const started = receiver.events((e) => e.type === 'room_started')[0];
  assert.deepEqual([started?.room, started?.roomKey], ['тест', 'тест']);
});

test('a token for another Unicode room is refused with token_room_mismatch', { timeout: 20_000 }, async () => {
  const refused = await refusedHello('тест', token('тесты', { name: 'X' }));
  assert.deepEqual([refused.code, refused.close], ['token_room_mismatch', ERRORS.token_room_mismatch.closeCode]);
  assert.equal(refused.message, "token room 'тесты' does not match room 'тест'");
});

test('confusing names are refused at hello and on the page with room_name_invalid and what is allowed', { timeout: 20_000 }, async () => {
  const mixed = await refusedHello('pаypal', token('*', { name: 'X' }));
  assert.deepEqual([mixed.code, mixed.close], ['room_name_invalid', ERRORS.room_name_invalid.closeCode]);
  assert.equal(mixed.message, `room name 'pаypal' is not valid: it mixes Latin and Cyrillic letters, which can make it look like another name; ${NAME_RULE}`);
  const bidi = await refusedHello('maths\u202Etxt', token('*', { name: 'X' }));
  assert.match(bidi.message, /^room name 'maths\\u\{202E\}txt' is not valid: it contains an invisible control character \(U\+202E\)/);

  for (const [path, problem] of [
    [encodeURIComponent('pаypal'), 'mixes Latin and Cyrillic letters'],
    ['a%2F..%2Fb', "contains '/', a path separator"],
    ['a..b', "contains '..'"],
    [encodeURIComponent('x\u200Dy'), 'invisible control character (U+200D)'],
  ] as const) {
    const r = await fetch(`${s.url}${path}`, { headers: { accept: 'application/json' } });
    const json = (await r.json()) as { error: string; message: string };
    assert.deepEqual([r.status, json.error], [400, 'room_name_invalid'], path);
    assert.ok(json.message.includes(problem) && json.message.endsWith(NAME_RULE), `${path}: ${json.message}`);
  }
  assert.equal(s.server.gateway.registry.size, 1, 'no room was made for a refused name');
});
