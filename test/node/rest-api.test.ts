/**
 * The REST API's live view and its refusals, on a real server with token
 * authentication, bots joining with tokens from an independent signer; and
 * the token's `context.user` reaching the attendance webhooks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bot } from '../../src/bot/index.js';
import { ERRORS, type ErrorCode } from '../../src/protocol/errors.js';
import { closeAll, joinBots } from '../support/bots.js';
import { nowS, signJwt } from '../support/jwt.js';
import { startServer, waitUntil, type TestServer } from '../support/server.js';
import type { WebhookReceiver } from '../support/webhook-receiver.js';
import { startServerWithWebhooks, type WebhookTestServer } from '../support/webhook-server.js';

const SECRET = 'rest-api-test-secret-0123456789abcdef0123';
const HOOK_SECRET = 'rest-api-webhook-secret-0123456789abcdef';
const APP = 'class_platform';
const DOMAIN = 'meet.example.org';
const LISTEN_ONLY = { publish: { audio: false, video: false } };

function token(room: string, user: Record<string, unknown>, extra: Record<string, unknown> = {}, secret = SECRET): string {
  return signJwt({ iss: APP, aud: 'jitsi', sub: DOMAIN, room, exp: nowS() + 600, context: { user }, ...extra }, { secret });
}
const PLATFORM = { id: 'lms', name: 'LMS backend', moderator: true };

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}
async function get(s: TestServer, path: string, bearer?: string): Promise<Answer> {
  const res = await fetch(`${s.url}${path}`, { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}
async function refused(s: TestServer, path: string, bearer: string | undefined, code: ErrorCode): Promise<string> {
  const a = await get(s, path, bearer);
  assert.deepEqual([a.status, a.body.error], [ERRORS[code].status, code], JSON.stringify(a.body));
  assert.deepEqual(Object.keys(a.body).sort(), ['error', 'message']);
  if (a.status === 401) assert.equal(a.headers.get('www-authenticate'), 'Bearer realm="confab"');
  return a.body.message as string;
}

describe('REST API with token authentication', () => {
  const bots: Bot[] = [];
  let hooked: WebhookTestServer;
  let s: TestServer;
  let receiver: WebhookReceiver;

  before(async () => {
    hooked = await startServerWithWebhooks(HOOK_SECRET, { ENABLE_AUTH: '1', JWT_APP_ID: APP, JWT_APP_SECRET: SECRET, JWT_ENABLE_DOMAIN_VERIFICATION: '1', XMPP_DOMAIN: DOMAIN });
    ({ server: s, receiver } = hooked);
    const teacher = { id: 't1', name: 'Grace Hopper', email: 'grace@example.org', moderator: 'true' };
    const student = { id: 's1', name: 'Ada', email: 'ada@example.org' };
    bots.push(...(await joinBots(s.url, 'maths-101', [''], { ...LISTEN_ONLY, token: token('maths-101', teacher) })));
    bots.push(...(await joinBots(s.url, 'maths-101', ['Ada L.'], { ...LISTEN_ONLY, token: token('maths-101', student) })));
    bots.push(...(await joinBots(s.url, 'physics', ['Dee'], { ...LISTEN_ONLY, tenant: 'school', token: token('physics', { id: 's9', name: 'Dee' }, { sub: 'school' }) })));
  });
  after(async () => {
    await closeAll(bots);
    await hooked.stop();
  });

  test('GET /api/rooms lists the rooms the token may see', async () => {
    const all = await get(s, 'api/rooms', token('*', PLATFORM, { sub: '*' }));
    assert.equal(all.status, 200);
    const rooms = all.body.rooms as { roomKey: string; room: string; tenant: string | null; participants: number; createdAt: string }[];
    assert.deepEqual(rooms.map((r) => [r.roomKey, r.room, r.tenant, r.participants]), [
      ['maths-101', 'maths-101', null, 2],
      ['school/physics', 'physics', 'school', 1],
    ]);
    assert.ok(Date.parse(rooms[0]!.createdAt) <= Date.now());
    // A token for the server's domain sees the rooms without a tenant; one for a tenant, that tenant's.
    assert.deepEqual(((await get(s, 'api/rooms', token('*', PLATFORM))).body.rooms as { roomKey: string }[]).map((r) => r.roomKey), ['maths-101']);
    const school = await get(s, 'api/rooms?tenant=school', token('*', PLATFORM, { sub: 'school' }));
    assert.deepEqual((school.body.rooms as { roomKey: string }[]).map((r) => r.roomKey), ['school/physics']);
  });

  test('GET /api/rooms/<room>/participants: who is there, with the token identity', async () => {
    const a = await get(s, 'api/rooms/Maths-101/participants', token('maths-101', PLATFORM));
    assert.equal(a.status, 200);
    assert.deepEqual([a.body.room, a.body.tenant, a.body.roomKey], ['maths-101', null, 'maths-101']);
    const people = a.body.participants as { id: string; displayName: string; role: string; user: unknown; audioMuted: boolean }[];
    assert.deepEqual(people.map((p) => [p.id, p.displayName, p.role, p.user]), [
      [bots[0]!.participantId, 'Grace Hopper', 'moderator', { id: 't1', name: 'Grace Hopper', email: 'grace@example.org' }],
      [bots[1]!.participantId, 'Ada L.', 'participant', { id: 's1', name: 'Ada', email: 'ada@example.org' }],
    ]);
    const tenant = await get(s, 'api/rooms/school/physics/participants', token('*', PLATFORM, { sub: 'school' }));
    assert.equal(tenant.status, 200);
    assert.deepEqual((tenant.body.participants as { displayName: string }[]).map((p) => p.displayName), ['Dee']);
  });

  test('refusals carry the exact code and status', async () => {
    assert.match(await refused(s, 'api/rooms', undefined, 'token_missing'), /Authorization: Bearer/);
    await refused(s, 'api/rooms', 'garbage', 'token_malformed');
    await refused(s, 'api/rooms', token('*', PLATFORM, {}, 'a-different-secret-of-good-length-0123456'), 'token_signature_invalid');
    assert.match(await refused(s, 'api/rooms', token('*', PLATFORM, { exp: nowS() - 60 }), 'token_expired'), /^token expired/);
    await refused(s, 'api/rooms', token('*', PLATFORM, { iss: 'someone' }), 'token_issuer_not_accepted');
    assert.match(await refused(s, 'api/rooms', token('maths-101', PLATFORM), 'token_room_mismatch'), /room '\*'/);
    await refused(s, 'api/rooms/physics/participants', token('maths-101', PLATFORM), 'token_room_mismatch');
    await refused(s, 'api/rooms/school/physics/participants', token('*', PLATFORM), 'token_subject_mismatch');
    assert.match(await refused(s, 'api/rooms/maths-101/participants', token('maths-101', { id: 's1', name: 'Ada' }), 'api_forbidden'), /moderator claim/);
    await refused(s, 'api/rooms/maths-101/participants', 'not-api-token-and-not-jwt', 'token_malformed');
    assert.match(await refused(s, 'api/rooms/empty-room/participants', token('*', PLATFORM), 'not_found'), /nobody is in room 'empty-room'/);
    await refused(s, 'api/rooms/bad!name/participants', token('*', PLATFORM), 'room_name_invalid');
    await refused(s, 'api/rooms/a/b/c/participants', token('*', PLATFORM), 'not_found');
    await refused(s, 'api/elsewhere', token('*', PLATFORM), 'not_found');
  });

  test("the webhooks carry the token's context.user", async () => {
    await waitUntil(() => receiver.events((e) => e.type === 'participant_joined').length === 3, 5_000, 'three joins');
    const joins = receiver.events((e) => e.type === 'participant_joined' && e.roomKey === 'maths-101');
    assert.deepEqual(joins.map((e) => [e.participant!.displayName, e.participant!.role, e.participant!.user]), [
      ['Grace Hopper', 'moderator', { id: 't1', name: 'Grace Hopper', email: 'grace@example.org' }],
      ['Ada L.', 'participant', { id: 's1', name: 'Ada', email: 'ada@example.org' }],
    ]);
    assert.ok(receiver.accepted.every((r) => r.signatureValid));
  });
});

describe('REST API without token authentication', () => {
  test('refused unless API_TOKEN is set; with it, the bearer secret works', async () => {
    const off = await startServer();
    try {
      assert.match(await refused(off, 'api/rooms', 'anything', 'api_not_configured'), /API_TOKEN/);
    } finally {
      await off.stop();
    }
    const apiToken = 'static-api-token-for-tests-0123456789abcdef';
    const on = await startServer({ API_TOKEN: apiToken });
    const bots = await joinBots(on.url, 'open-room', ['Eve'], LISTEN_ONLY);
    try {
      const a = await get(on, 'api/rooms/open-room/participants', apiToken);
      assert.equal(a.status, 200);
      assert.deepEqual((a.body.participants as { displayName: string; user: unknown }[]).map((p) => [p.displayName, p.user]), [['Eve', null]]);
      assert.equal(((await get(on, 'api/rooms', apiToken)).body.rooms as unknown[]).length, 1);
      await refused(on, 'api/rooms', `${apiToken}x`, 'api_token_invalid');
      await refused(on, 'api/rooms', undefined, 'token_missing');
    } finally {
      await closeAll(bots);
      await on.stop();
    }
  });
});
