/**
 * Token authentication end to end: a real server with ENABLE_AUTH=1 and
 * werift bots presenting tokens made by an independent signer. Valid tokens
 * join with their names and roles and exchange media; each kind of bad token
 * is refused at hello with its catalogue close code and message, before any
 * room or media exists; room pages answer 401/403 with the code; a token
 * that expires mid-call does not end the call; the token never reaches a
 * log line.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Bot, SignalingClient, signalingUrl } from '../../src/bot/index.js';
import { loadConfig } from '../../src/config/config.js';
import { ERRORS, type ErrorCode } from '../../src/protocol/errors.js';
import { PROTOCOL_VERSION, type ServerMessage } from '../../src/protocol/messages.js';
import { ConfabServer } from '../../src/server/confab-server.js';
import { createLogger } from '../../src/util/log.js';
import { allReceiving, closeAll, joinBots } from '../support/bots.js';
import { nowS, rsaKeyPair, signJwt, startKeyServer, type KeyServer } from '../support/jwt.js';
import { sleep, waitUntil } from '../support/server.js';

const SECRET = 'test-secret-that-is-long-enough-0123456789';
const APP = 'class_platform';
const DOMAIN = 'streaming.example.com';

interface AuthServer {
  readonly server: ConfabServer;
  readonly url: string;
  /** Every log line the server wrote, at debug level. */
  readonly logs: string[];
  stop(): Promise<void>;
}

async function startAuthServer(env: Record<string, string> = {}): Promise<AuthServer> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      done();
    },
  });
  const config = loadConfig({
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    MEDIA_ADVERTISE_IPS: '127.0.0.1',
    MEDIA_BIND_ADDRESS: '127.0.0.1',
    ENABLE_AUTH: '1',
    AUTH_TYPE: 'jwt',
    JWT_APP_ID: APP,
    JWT_APP_SECRET: SECRET,
    JWT_ENABLE_DOMAIN_VERIFICATION: '1',
    XMPP_DOMAIN: DOMAIN,
    ...env,
  });
  const server = new ConfabServer(config, createLogger('debug', sink));
  const port = await server.start();
  return { server, url: `http://127.0.0.1:${port}/`, logs, stop: () => server.close() };
}

/** A token as a class platform mints it: iss=<app id>, aud=jitsi, sub=<domain>, room=<room>. */
function token(room: string, user: Record<string, unknown>, extra: Record<string, unknown> = {}, secret = SECRET): string {
  return signJwt(
    { iss: APP, aud: 'jitsi', sub: DOMAIN, room, iat: nowS(), nbf: nowS() - 5, exp: nowS() + 3600, context: { user }, ...extra },
    { secret },
  );
}

const bots: Bot[] = [];
async function join(url: string, room: string, tok: string | undefined, displayName = '', extra: Partial<Parameters<typeof Bot.join>[0]> = {}): Promise<Bot> {
  const [bot] = await joinBots(url, room, [displayName], { token: tok, ...extra });
  bots.push(bot!);
  return bot!;
}

/** Sends a hello with `tok` on a fresh connection; resolves with the error frame and the close. */
async function refused(url: string, room: string, tok: string | undefined, tenant?: string): Promise<{ error: ServerMessage; close: { code: number; reason: string } }> {
  const client = await SignalingClient.connect(signalingUrl(url));
  const errors: ServerMessage[] = [];
  client.on('message', (m) => errors.push(m));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => client.once('closed', resolve));
  client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room, tenant, displayName: 'probe', token: tok });
  const close = await Promise.race([closed, sleep(5000).then(() => Promise.reject(new Error('not closed within 5 s')))]);
  assert.equal(errors.length, 1, `exactly one message, the error: ${JSON.stringify(errors)}`);
  return { error: errors[0]!, close };
}

async function refusedWith(url: string, hello: Record<string, unknown>): Promise<{ close: { code: number; reason: string } }> {
  const client = await SignalingClient.connect(signalingUrl(url));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => client.once('closed', resolve));
  client.sendRaw(JSON.stringify(hello));
  return { close: await Promise.race([closed, sleep(5000).then(() => Promise.reject(new Error('not closed within 5 s')))]) };
}

async function assertRefused(url: string, room: string, tok: string | undefined, code: ErrorCode, message: RegExp | string, tenant?: string): Promise<void> {
  const { error, close } = await refused(url, room, tok, tenant);
  assert.equal(close.code, ERRORS[code].closeCode, `${code}: close code`);
  assert.equal(close.reason, code);
  assert.ok(error.type === 'error' && error.fatal && error.code === code, `${code}: ${JSON.stringify(error)}`);
  if (typeof message === 'string') assert.equal(error.message, message);
  else assert.match(error.message, message);
}

after(async () => {
  await closeAll(bots);
});

describe('a server with ENABLE_AUTH=1', () => {
  let s: AuthServer;
  let keys: KeyServer;
  const rsa = rsaKeyPair();

  before(async () => {
    keys = await startKeyServer();
    keys.keys.set('platform-2027', rsa.publicPem);
    // A dropped connection is held 1 s for a session resume (10 s by default), then leaves.
    s = await startAuthServer({ JWT_ASAP_KEYSERVER: keys.url, RESUME_GRACE_S: '1' });
  });
  after(async () => {
    await closeAll(bots);
    await s.stop();
    await keys.close();
  });

  test('valid tokens join with their names and roles, and media flows', { timeout: 60_000 }, async () => {
    const teacher = await join(s.url, 'maths-101', token('maths-101', { id: 't1', name: 'Ms Hopper', moderator: 'true' }));
    const ada = await join(s.url, 'maths-101', token('Maths-101', { id: 's1', name: 'Ada' }));
    const bob = await join(s.url, 'maths-101', token('*', { id: 's2', name: 'Bob', email: 'bob@example.com' }), 'Bobby');
    await waitUntil(() => allReceiving([teacher, ada, bob], 25), 15_000, 'media between the three');
    const room = s.server.gateway.registry.get('maths-101')!;
    const byName = new Map([...room.participants.values()].map((p) => [p.displayName, p]));
    // The token's name is the default; a name the client gives wins.
    assert.deepEqual([...byName.keys()].sort(), ['Ada', 'Bobby', 'Ms Hopper']);
    assert.equal(byName.get('Ms Hopper')!.role, 'moderator');
    assert.equal(byName.get('Ada')!.role, 'participant', 'the teacher is there: no auto-owner');
    assert.equal(byName.get('Bobby')!.role, 'participant');
    assert.deepEqual(byName.get('Bobby')!.user, { id: 's2', name: 'Bob', email: 'bob@example.com', avatar: undefined });
    assert.equal(ada.participants.get(teacher.participantId)?.role, 'moderator', 'others see the role');
    await closeAll([teacher, ada, bob]);
  });

  test("auto-owner: without a moderator claim in the room, the first one in moderates", { timeout: 30_000 }, async () => {
    const first = await join(s.url, 'physics', token('physics', { name: 'First' }), '', { publish: undefined });
    const second = await join(s.url, 'physics', token('physics', { name: 'Second' }), '', { publish: undefined });
    const room = s.server.gateway.registry.get('physics')!;
    assert.equal(room.participants.get(first.participantId)?.role, 'moderator');
    assert.equal(room.participants.get(second.participantId)?.role, 'participant');
    await closeAll([first, second]);
  });

  test('a top-level moderator claim (the token-moderation plugin convention) makes a moderator, as context.user.moderator does (issue 12)', { timeout: 30_000 }, async () => {
    const student = await join(s.url, 'music', token('music', { id: 's9', name: 'Early student' }, { moderator: false }), '', { publish: undefined });
    const teacher = await join(s.url, 'music', token('music', { id: 't9', name: 'Teacher' }, { moderator: true }), '', { publish: undefined });
    const room = s.server.gateway.registry.get('music')!;
    assert.equal(room.participants.get(teacher.participantId)?.role, 'moderator');
    assert.equal(room.participants.get(student.participantId)?.role, 'participant', 'moderator: false at the top level is an explicit no');
    assert.equal(student.participants.get(teacher.participantId)?.role, 'moderator', 'others see the role');
    await closeAll([student, teacher]);
  });

  test('an RS256 token verified with a key from the loopback key server', { timeout: 30_000 }, async () => {
    const rs = signJwt(
      { iss: APP, aud: 'jitsi', sub: DOMAIN, room: 'chemistry', exp: nowS() + 600, context: { user: { name: 'Rosalind', affiliation: 'teacher' } } },
      { privateKey: rsa.privateKey, kid: 'platform-2027' },
    );
    const bot = await join(s.url, 'chemistry', rs, '', { publish: undefined });
    const p = s.server.gateway.registry.get('chemistry')!.participants.get(bot.participantId)!;
    assert.deepEqual([p.displayName, p.role], ['Rosalind', 'moderator']);
    assert.equal(keys.requests.length, 1);
    await closeAll([bot]);
  });

  test('a tenant path needs sub = the tenant', { timeout: 30_000 }, async () => {
    const bot = await join(s.url, 'maths-101', token('maths-101', { name: 'Tenant user' }, { sub: 'school' }), '', { tenant: 'school', publish: undefined });
    assert.ok(s.server.gateway.registry.get('school/maths-101')?.participants.has(bot.participantId));
    await closeAll([bot]);
    await assertRefused(s.url, 'maths-101', token('maths-101', { name: 'X' }), 'token_subject_mismatch', `token sub '${DOMAIN}' does not match tenant 'school'`, 'school');
  });

  test('each bad token is refused at hello with its close code and message, before any room or media exists', { timeout: 60_000 }, async () => {
    const user = { name: 'Mallory' };
    const cases: [string, string | undefined, ErrorCode, RegExp | string][] = [
      ['no token', undefined, 'token_missing', "room 'algebra' needs a token: open the meeting from your class platform (its link ends in ?jwt=...)"],
      ['garbage', 'garbage', 'token_malformed', "the token is not a JWT: expected 3 parts separated by '.', got 1"],
      ['another secret', token('algebra', user, {}, 'not-the-secret-but-just-as-long-as-it'), 'token_signature_invalid', /^the token's HS256 signature does not match JWT_APP_SECRET/],
      ['unsigned', signJwt({ iss: APP, aud: 'jitsi', sub: DOMAIN, room: 'algebra' }, { alg: 'none' }), 'token_algorithm_not_allowed', /^token algorithm 'none' \(an unsigned token\) is never accepted/],
      ['expired', token('algebra', user, { exp: nowS() - 42 }), 'token_expired', /^token expired 4[2-4] s ago \(exp /],
      ['not yet valid', token('algebra', user, { nbf: nowS() + 600 }), 'token_not_yet_valid', /^token is not valid for another (9 min 5\d s|10 min)/],
      ['other issuer', token('algebra', user, { iss: 'someone' }), 'token_issuer_not_accepted', `token iss 'someone' is not an accepted issuer (accepted: ${APP})`],
      ['other audience', token('algebra', user, { aud: 'other' }), 'token_audience_not_accepted', "token aud 'other' is not an accepted audience (accepted: jitsi)"],
      ['other room', token('geometry', user), 'token_room_mismatch', "token room 'geometry' does not match room 'algebra'"],
      ['other domain', token('algebra', user, { sub: 'meet.example.com' }), 'token_subject_mismatch', `token sub 'meet.example.com' does not match domain '${DOMAIN}'`],
      ['unknown key', signJwt({ iss: APP, aud: 'jitsi', sub: DOMAIN, room: 'algebra' }, { privateKey: rsa.privateKey, kid: 'nope' }), 'token_key_unavailable', /^no public key for kid 'nope' at http:\/\/127\.0\.0\.1:\d+\/keys\/[0-9a-f]{64}\.pem: the key server answered HTTP 404$/],
    ];
    for (const [name, tok, code, message] of cases) {
      await assertRefused(s.url, 'algebra', tok, code, message).catch((e: Error) => {
        throw new Error(`${name}: ${e.message}`);
      });
    }
    // Refused before admission: no room was created, no media peer exists.
    assert.equal(s.server.gateway.registry.get('algebra'), undefined);
    assert.equal(s.server.gateway.media.size, 0);
    // Refusals are logged with their code; neither the secret nor any token is.
    const refusals = s.logs.filter((l) => l.includes('signaling session refused'));
    assert.ok(refusals.some((l) => l.includes('"code":"token_expired"')));
    for (const [, tok] of cases) if (tok) assert.ok(!s.logs.some((l) => l.includes(tok)), 'a token reached the logs');
    assert.ok(!s.logs.some((l) => l.includes(SECRET)), 'the secret reached the logs');
  });

  test('room pages answer 401/403 with the code, in HTML or as JSON', async () => {
    const page = (path: string, json = false): Promise<Response> => fetch(`${s.url}${path}`, { headers: json ? { accept: 'application/json' } : {} });
    const expired = token('maths-101', { name: 'A' }, { exp: nowS() - 42 });
    let r = await page(`maths-101?jwt=${expired}`, true);
    assert.equal(r.status, 401);
    const body = (await r.json()) as { error: string; message: string };
    assert.equal(body.error, 'token_expired');
    assert.match(body.message, /^token expired 4[2-4] s ago/);
    r = await page(`maths-101?jwt=${expired}`);
    assert.equal(r.status, 401);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    const html = await r.text();
    if (!html.startsWith('The web client is not built')) assert.match(html, /"code":"token_expired"/);
    r = await page(`physics?jwt=${token('maths-101', { name: 'A' })}`, true);
    assert.equal(r.status, 403);
    assert.equal(((await r.json()) as { error: string }).error, 'token_room_mismatch');
    r = await page('physics', true);
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as { error: string }).error, 'token_missing');
    r = await page(`maths-101?jwt=${token('maths-101', { name: 'A' })}`);
    assert.ok(r.status === 200 || r.status === 503, `valid token page: ${r.status}`);
    // The page path is logged without its query: no token in the logs.
    assert.ok(!s.logs.some((l) => l.includes(expired)));
  });

  test('a token that expires during the call does not end it', { timeout: 60_000 }, async () => {
    const shortLived = token('history', { name: 'Short' }, { exp: nowS() + 3 });
    const a = await join(s.url, 'history', shortLived);
    const b = await join(s.url, 'history', token('history', { name: 'Long' }));
    await waitUntil(() => allReceiving([a, b], 10), 10_000, 'media before expiry');
    await sleep(4500);
    const before = b.stats().remotes[a.participantId]?.video.packets ?? 0;
    await sleep(1000);
    assert.ok(!a.signaling.closed, 'the expired participant is still connected');
    assert.ok((b.stats().remotes[a.participantId]?.video.packets ?? 0) > before + 5, 'and still sending');
    assert.ok(s.server.gateway.registry.get('history')?.participants.has(a.participantId));
    // Joining again with it now is refused.
    await assertRefused(s.url, 'history', shortLived, 'token_expired', /^token expired \d+ s ago/);
    await closeAll([a, b]);
  });

  test('after a lost connection the rejoin ticket readmits, though the token has expired meanwhile', { timeout: 30_000 }, async () => {
    const shortLived = token('geography', { id: 'g1', name: 'Teacher', moderator: true }, { exp: nowS() + 2 });
    const hello = (extra: Record<string, unknown>) => ({ type: 'hello' as const, protocolVersion: PROTOCOL_VERSION, room: 'geography', displayName: '', token: shortLived, ...extra });
    const first = await SignalingClient.connect(signalingUrl(s.url));
    const welcome1 = first.waitFor('welcome');
    first.send(hello({}));
    const ticket1 = (await welcome1).rejoinTicket;
    assert.match(ticket1 ?? '', /^[\w-]{32}$/, 'a token admission gets a rejoin ticket');
    // Another participant keeps the room alive; then the network drops the teacher.
    const other = await join(s.url, 'geography', token('geography', { name: 'Student' }), '', { publish: undefined });
    first.socket.terminate();
    await waitUntil(() => other.participants.size === 0, 5_000, 'the teacher to leave presence');
    await sleep(2500);
    await assertRefused(s.url, 'geography', shortLived, 'token_expired', /^token expired/);

    const again = await SignalingClient.connect(signalingUrl(s.url));
    const welcome2 = again.waitFor('welcome');
    again.send(hello({ rejoinTicket: ticket1 }));
    const w2 = await welcome2;
    assert.equal(w2.self.displayName, 'Teacher');
    assert.equal(w2.self.role, 'moderator', 'the moderator claim is kept');
    assert.ok(w2.rejoinTicket && w2.rejoinTicket !== ticket1, 'a fresh ticket');
    assert.ok(s.logs.some((l) => l.includes('"admission":"rejoin"')));
    // Single use, and only for this room.
    await assertRefused(s.url, 'geography', shortLived, 'token_expired', /^token expired/);
    const { close } = await refusedWith(s.url, { ...hello({ rejoinTicket: ticket1 }) });
    assert.equal(close.code, ERRORS.token_expired.closeCode);
    const { close: elsewhere } = await refusedWith(s.url, { ...hello({ rejoinTicket: w2.rejoinTicket, room: 'history' }) });
    assert.equal(elsewhere.code, ERRORS.token_expired.closeCode);
    assert.ok(!s.logs.some((l) => l.includes(ticket1!)), 'tickets are not logged');
    await again.close();
    await closeAll([other]);
  });
});

describe('ENABLE_AUTO_OWNER=0 and JWT_ALLOW_EMPTY=1', () => {
  let s: AuthServer;
  before(async () => {
    s = await startAuthServer({ ENABLE_AUTO_OWNER: '0', JWT_ALLOW_EMPTY: '1', JWT_ENABLE_DOMAIN_VERIFICATION: '0' });
  });
  after(() => s.stop());

  test('no auto-owner; a guest joins without a token; a present token is still verified', { timeout: 30_000 }, async () => {
    const first = await join(s.url, 'biology', token('biology', { name: 'First' }), '', { publish: undefined });
    const guest = await join(s.url, 'biology', undefined, 'Guest', { publish: undefined });
    const teacher = await join(s.url, 'biology', token('biology', { name: 'Teacher', moderator: true }), '', { publish: undefined });
    const room = s.server.gateway.registry.get('biology')!;
    assert.equal(room.participants.get(first.participantId)?.role, 'participant');
    assert.equal(room.participants.get(guest.participantId)?.role, 'participant');
    assert.equal(room.participants.get(guest.participantId)?.user, undefined);
    assert.equal(room.participants.get(teacher.participantId)?.role, 'moderator');
    await assertRefused(s.url, 'biology', token('biology', { name: 'Late' }, { exp: nowS() - 1 }), 'token_expired', /^token expired/);
    assert.ok(s.logs.some((l) => l.includes('JWT_ALLOW_EMPTY=1: people without a token join as guests')), 'start-up warning');
    await closeAll([first, guest, teacher]);
  });
});

describe('a server without auth', () => {
  let s: AuthServer;
  before(async () => {
    s = await startAuthServer({ ENABLE_AUTH: '0' });
  });
  after(() => s.stop());

  test('ignores tokens: even an expired one joins, and the first one in moderates', { timeout: 30_000 }, async () => {
    const a = await join(s.url, 'open-room', token('other-room', { name: 'Ignored', moderator: false }, { exp: nowS() - 100 }), 'A', { publish: undefined });
    const b = await join(s.url, 'open-room', undefined, 'B', { publish: undefined });
    const room = s.server.gateway.registry.get('open-room')!;
    assert.equal(room.participants.get(a.participantId)?.role, 'moderator');
    assert.equal(room.participants.get(a.participantId)?.displayName, 'A');
    assert.equal(room.participants.get(b.participantId)?.role, 'participant');
    await closeAll([a, b]);
  });
});
