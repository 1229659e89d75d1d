/**
 * The token rejection matrix: every check, its error code and its message,
 * on tokens made by an independent signer (node:crypto, see
 * test/support/jwt.ts), RS256 keys served by a loopback key server, and the
 * configuration loaded as an operator would write it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AuthConfig } from '../../config/config.js';
import { ConfabError, ERRORS, type ErrorCode } from '../../protocol/errors.js';
import { roomAddress } from '../../protocol/room-name.js';
import { rsaKeyPair, signJwt, startKeyServer, type KeyServer } from '../../../test/support/jwt.js';
import { TokenAdmission } from './admission.js';
import { AsapKeyServer, keyUrl } from './key-server.js';
import { TokenVerifier } from './token-verifier.js';

const SECRET = 'correct-horse-battery-staple-0123456789';
const APP = 'my_app';
/** A fixed clock: 2027-01-15T08:00:00Z. */
const NOW = Date.UTC(2027, 0, 15, 8, 0, 0);
const NOW_S = NOW / 1000;
const MATHS = roomAddress('maths-101');

const dir = mkdtempSync(join(tmpdir(), 'confab-token-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function auth(env: NodeJS.ProcessEnv = {}): AuthConfig {
  return loadConfig({ ENABLE_AUTH: '1', JWT_APP_ID: APP, JWT_APP_SECRET: SECRET, ...env }).auth;
}

/** The claims of the example in docs/tokens.md: iss=<app id>, aud=jitsi, sub=<domain>, room=<room>. */
function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: APP,
    aud: 'jitsi',
    sub: 'meet.jitsi',
    room: 'maths-101',
    iat: NOW_S - 60,
    nbf: NOW_S - 60,
    exp: NOW_S + 3600,
    context: { user: { id: 'u-42', name: 'Ada Lovelace', email: 'ada@example.com', avatar: 'https://example.com/ada.png' } },
    ...extra,
  };
}

const hs = (extra: Record<string, unknown> = {}, options: Parameters<typeof signJwt>[1] = {}): string =>
  signJwt(claims(extra), { secret: SECRET, ...options });

/** Asserts that verification fails with `code` and a message matching `message`; returns the error. */
async function rejects(
  verifier: TokenVerifier,
  token: string,
  code: ErrorCode,
  message: RegExp | string,
  address = MATHS,
): Promise<ConfabError> {
  let caught: unknown;
  try {
    await verifier.verify(token, address, NOW);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfabError, `expected ConfabError(${code}), got ${String(caught)}`);
  assert.equal(caught.code, code, `code for: ${caught.message}`);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  // Never the secret, never the whole token.
  assert.ok(!caught.message.includes(SECRET), caught.message);
  assert.ok(!caught.message.includes(token), caught.message);
  assert.deepEqual(caught.toJSON(), { error: code, message: caught.message });
  assert.ok([401, 403].includes(ERRORS[code].status));
  return caught;
}

describe('HS256/384/512 tokens from an independent signer', () => {
  const verifier = new TokenVerifier(auth());

  test('a valid token is admitted with its identity', async () => {
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      const { identity } = await verifier.verify(hs({}, { alg }), MATHS, NOW);
      assert.deepEqual(identity, {
        userId: 'u-42',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        avatar: 'https://example.com/ada.png',
        moderator: false,
        moderatorClaim: 'absent',
        features: undefined,
        expiresAt: (NOW_S + 3600) * 1000,
      });
    }
  });

  test('moderator claims: true, "true", and owner/moderator/teacher affiliations', async () => {
    const moderator = async (user: Record<string, unknown>): Promise<boolean> =>
      (await verifier.verify(hs({ context: { user: { name: 'T', ...user } } }), MATHS, NOW)).identity.moderator;
    assert.equal(await moderator({ moderator: true }), true);
    assert.equal(await moderator({ moderator: 'true' }), true);
    assert.equal(await moderator({ affiliation: 'owner' }), true);
    assert.equal(await moderator({ affiliation: 'Moderator' }), true);
    assert.equal(await moderator({ affiliation: 'teacher' }), true);
    assert.equal(await moderator({ moderator: false }), false);
    assert.equal(await moderator({ moderator: 'false' }), false);
    assert.equal(await moderator({ affiliation: 'member' }), false);
    assert.equal(await moderator({}), false);
  });

  test('context.features is kept', async () => {
    const features = { recording: true, livestreaming: 'false', 'screen-sharing': true };
    const { identity } = await verifier.verify(hs({ context: { user: { name: 'A' }, features } }), MATHS, NOW);
    assert.deepEqual(identity.features, features);
    assert.ok(Object.isFrozen(identity.features));
  });

  test("room '*' admits to any room; the room claim is compared as room names are (NFC, Unicode case folding)", async () => {
    await verifier.verify(hs({ room: '*' }), roomAddress('physics'), NOW);
    await verifier.verify(hs({ room: 'Maths-101' }), roomAddress('MATHS-101'), NOW);
    await verifier.verify(hs({ room: 'ТЕСТ' }), roomAddress('тест'), NOW);
    await verifier.verify(hs({ room: 'École'.normalize('NFD') }), roomAddress('ÉCOLE'), NOW);
    await verifier.verify(hs({ room: 'ΟΔΟΣ' }), roomAddress('οδος'), NOW);
    await rejects(verifier, hs({ room: 'тест' }), 'token_room_mismatch', "token room 'тест' does not match room 'теста'", roomAddress('теста'));
  });

  test('aud may be a list; * accepts any issuer or audience', async () => {
    await verifier.verify(hs({ aud: ['other', 'jitsi'] }), MATHS, NOW);
    const lax = new TokenVerifier(auth({ JWT_ACCEPTED_ISSUERS: '*', JWT_ACCEPTED_AUDIENCES: '*' }));
    await lax.verify(hs({ iss: 'anyone', aud: 'anything' }), MATHS, NOW);
  });

  test('a token without exp or nbf never expires (as in Jitsi)', async () => {
    const token = hs({ exp: undefined, nbf: undefined });
    const { identity } = await verifier.verify(token, MATHS, NOW + 10 * 365 * 86_400_000);
    assert.equal(identity.expiresAt, undefined);
  });
});

describe('the rejection matrix', () => {
  const verifier = new TokenVerifier(auth());

  test('token_missing: no token and no JWT_ALLOW_EMPTY', async () => {
    const admission = new TokenAdmission(auth());
    await assert.rejects(admission.admit(undefined, MATHS), (e: unknown) => {
      assert.ok(e instanceof ConfabError && e.code === 'token_missing');
      assert.equal(e.message, "room 'maths-101' needs a token: open the meeting from your class platform (its link ends in ?jwt=...)");
      return true;
    });
    await assert.rejects(admission.admit('', MATHS), { code: 'token_missing' });
    const guest = await new TokenAdmission(auth({ JWT_ALLOW_EMPTY: '1' })).admit(undefined, MATHS);
    assert.deepEqual({ kind: guest.kind, moderator: guest.moderator, user: guest.user }, { kind: 'guest', moderator: false, user: undefined });
  });

  test('token_malformed: not three parts, not base64url JSON, non-numeric times, no kid for RS', async () => {
    await rejects(verifier, 'not-a-jwt', 'token_malformed', "the token is not a JWT: expected 3 parts separated by '.', got 1");
    await rejects(verifier, 'a.b.c.d.e', 'token_malformed', /got 5 \(an encrypted JWE/);
    await rejects(verifier, `${Buffer.from('{"alg":').toString('base64url')}.e30.x`, 'token_malformed', "the token's header is not base64url-encoded JSON");
    await rejects(verifier, `${Buffer.from('[1]').toString('base64url')}.e30.x`, 'token_malformed', "the token's header is JSON array, not an object");
    await rejects(verifier, 'e30.e30!.x', 'token_malformed', "the token's claims is not base64url");
    await rejects(verifier, hs({ exp: String(NOW_S + 60) }), 'token_malformed', `token claim 'exp' must be a number of seconds since 1970, got string '${NOW_S + 60}'`);
    await rejects(verifier, hs({ nbf: null }), 'token_malformed', /token claim 'nbf' must be a number .*got null/);
    await rejects(verifier, hs({}, { header: { alg: undefined } }), 'token_malformed', /the token header has no 'alg'/);
  });

  test('token_signature_invalid: another secret, a tampered claim, a signer that kept the newline', async () => {
    const hint = "the token's HS256 signature does not match JWT_APP_SECRET: the token was signed with a different secret (check the signer's secret for a stray space or newline)";
    await rejects(verifier, signJwt(claims(), { secret: 'another-secret-of-more-than-32-bytes!!' }), 'token_signature_invalid', hint);
    await rejects(verifier, signJwt(claims(), { secret: `${SECRET}\n` }), 'token_signature_invalid', hint);
    const [h, , s] = hs().split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify(claims({ context: { user: { moderator: true } } }))).toString('base64url')}.${s}`;
    await rejects(verifier, forged, 'token_signature_invalid', hint);
    await rejects(verifier, `${hs().slice(0, -1)}!`, 'token_malformed', "the token's signature is not base64url (no '=' padding, no other characters)");
  });

  test('token_malformed: a part that is not strict base64url, though a lenient decoder would read the same bytes', async () => {
    const token = hs();
    await verifier.verify(token, MATHS, NOW);
    await rejects(verifier, `${token}=`, 'token_malformed', "the token's signature is not base64url (no '=' padding, no other characters)");
    // An HS256 signature is 32 bytes: 43 characters whose last carries 2 unused bits. Setting them spells the same bytes.
    const last = token.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = `${token.slice(0, -1)}${alphabet[alphabet.indexOf(last) | 1]}`;
    assert.notEqual(sameBytes, token);
    assert.deepEqual(Buffer.from(sameBytes.split('.')[2]!, 'base64url'), Buffer.from(token.split('.')[2]!, 'base64url'));
    await rejects(verifier, sameBytes, 'token_malformed', /signature is not base64url/);
    const [h, c, sig] = token.split('.');
    await rejects(verifier, `${h}=.${c}.${sig}`, 'token_malformed', "the token's header is not base64url");
  });

  test('a signature failure is reported before an expiry or claim failure', async () => {
    await rejects(verifier, signJwt(claims({ exp: NOW_S - 10, room: 'other' }), { secret: 'nope' }), 'token_signature_invalid', /does not match JWT_APP_SECRET/);
  });

  test("token_algorithm_not_allowed: 'none', HS without a secret, RS without a key server, others", async () => {
    await rejects(verifier, signJwt(claims(), { alg: 'none' }), 'token_algorithm_not_allowed', "token algorithm 'none' (an unsigned token) is never accepted (allowed: HS256, HS384, HS512)");
    await rejects(verifier, signJwt(claims(), { alg: 'RS256', privateKey: rsaKeyPair().privateKey, kid: 'k1' }), 'token_algorithm_not_allowed', "token algorithm 'RS256' is not allowed: this server has no JWT_ASAP_KEYSERVER and accepts only HS256, HS384, HS512");
    await rejects(verifier, signJwt(claims(), { secret: SECRET, header: { alg: 'ES256' } }), 'token_algorithm_not_allowed', "token algorithm 'ES256' is not allowed (allowed: HS256, HS384, HS512)");
  });

  test('token_expired names how long ago', async () => {
    await rejects(verifier, hs({ exp: NOW_S - 42 }), 'token_expired', 'token expired 42 s ago (exp 2027-01-15T07:59:18Z, server time 2027-01-15T08:00:00Z)');
    await rejects(verifier, hs({ exp: NOW_S }), 'token_expired', /^token expired 0 s ago/);
    await rejects(verifier, hs({ exp: NOW_S - 2 * 3600 - 300 }), 'token_expired', /^token expired 2 h 5 min ago/);
  });

  test('token_not_yet_valid names how long to wait', async () => {
    await rejects(verifier, hs({ nbf: NOW_S + 30 }), 'token_not_yet_valid', 'token is not valid for another 30 s (nbf 2027-01-15T08:00:30Z, server time 2027-01-15T08:00:00Z)');
  });

  test('token_issuer_not_accepted', async () => {
    await rejects(verifier, hs({ iss: 'someone_else' }), 'token_issuer_not_accepted', "token iss 'someone_else' is not an accepted issuer (accepted: my_app)");
    await rejects(verifier, hs({ iss: undefined }), 'token_issuer_not_accepted', "the token has no 'iss' claim (accepted issuers: my_app)");
    await rejects(verifier, hs({ iss: 7 }), 'token_issuer_not_accepted', /token iss must be a string, got number/);
  });

  test('token_audience_not_accepted', async () => {
    await rejects(verifier, hs({ aud: 'my_app' }), 'token_audience_not_accepted', "token aud 'my_app' is not an accepted audience (accepted: jitsi)");
    await rejects(verifier, hs({ aud: undefined }), 'token_audience_not_accepted', "the token has no 'aud' claim (accepted audiences: jitsi)");
    await rejects(verifier, hs({ aud: ['a', 'b'] }), 'token_audience_not_accepted', 'token aud ["a","b"] is not an accepted audience (accepted: jitsi)');
  });

  test('token_room_mismatch', async () => {
    await rejects(verifier, hs({ room: 'physics' }), 'token_room_mismatch', "token room 'physics' does not match room 'maths-101'");
    await rejects(verifier, hs({ room: undefined }), 'token_room_mismatch', "the token has no 'room' claim: it must name the room 'maths-101' (or '*')");
    await rejects(verifier, hs({ room: 'maths-101' }), 'token_room_mismatch', "token room 'maths-101' does not match room 'maths-102'", roomAddress('maths-102'));
  });

  test('a claim value is quoted, cut short and stripped of control characters', async () => {
    const error = await rejects(verifier, hs({ room: `x\n${'y'.repeat(200)}` }), 'token_room_mismatch', /^token room 'x\?y+…' does not match/);
    assert.ok(error.message.length < 200);
  });
});

describe('sub, with JWT_ENABLE_DOMAIN_VERIFICATION', () => {
  const verifier = new TokenVerifier(auth({ JWT_ENABLE_DOMAIN_VERIFICATION: '1', XMPP_DOMAIN: 'streaming.example.com' }));
  const school = roomAddress('maths-101', 'school');

  test('must be XMPP_DOMAIN for /<room>', async () => {
    await verifier.verify(hs({ sub: 'streaming.example.com' }), MATHS, NOW);
    await verifier.verify(hs({ sub: 'Streaming.Example.com' }), MATHS, NOW);
    await rejects(verifier, hs({ sub: 'meet.example.com' }), 'token_subject_mismatch', "token sub 'meet.example.com' does not match domain 'streaming.example.com'");
    await rejects(verifier, hs({ sub: undefined }), 'token_subject_mismatch', "the token has no 'sub' claim: it must be the domain 'streaming.example.com' (or '*')");
  });

  test('must be the tenant for /<tenant>/<room>', async () => {
    await verifier.verify(hs({ sub: 'school' }), school, NOW);
    await rejects(verifier, hs({ sub: 'streaming.example.com' }), 'token_subject_mismatch', "token sub 'streaming.example.com' does not match tenant 'school'", school);
    await rejects(verifier, hs({ sub: 'college' }), 'token_subject_mismatch', "token sub 'college' does not match tenant 'school'", school);
  });

  test("'*' matches any tenant or domain; room '*' with a tenant too", async () => {
    await verifier.verify(hs({ sub: '*' }), school, NOW);
    await verifier.verify(hs({ sub: '*' }), MATHS, NOW);
    await verifier.verify(hs({ sub: 'school', room: '*' }), roomAddress('physics', 'school'), NOW);
  });

  test('without domain verification sub is not checked', async () => {
    await new TokenVerifier(auth()).verify(hs({ sub: 'anything.example.org' }), school, NOW);
  });
});

describe('RS256 with keys from a loopback JWT_ASAP_KEYSERVER', () => {
  let keyServer: KeyServer;
  const pair = rsaKeyPair();
  const other = rsaKeyPair();

  before(async () => {
    keyServer = await startKeyServer();
    keyServer.keys.set('confab/key-1', pair.publicPem);
  });
  after(() => keyServer.close());

  /** Only a key server: HS tokens are not accepted at all. */
  const rsOnly = (): TokenVerifier =>
    new TokenVerifier(loadConfig({ ENABLE_AUTH: '1', JWT_APP_ID: APP, JWT_ASAP_KEYSERVER: keyServer.url }).auth);
  const rs = (extra: Record<string, unknown> = {}, options: Parameters<typeof signJwt>[1] = {}): string =>
    signJwt(claims(extra), { privateKey: pair.privateKey, kid: 'confab/key-1', ...options });

  test('fetches <server>/<hex(sha256(kid))>.pem once, then uses the cache', async () => {
    const verifier = rsOnly();
    keyServer.requests.length = 0;
    for (const alg of ['RS256', 'RS384', 'RS512']) await verifier.verify(rs({}, { alg }), MATHS, NOW);
    assert.deepEqual(keyServer.requests, [`/keys/${createHash('sha256').update('confab/key-1').digest('hex')}.pem`]);
    assert.equal((verifier.keys as AsapKeyServer).cachedKeys, 1);
  });

  test('a kid the key server does not have: token_key_unavailable naming the URL and status', async () => {
    const url = keyUrl(keyServer.url, 'unknown-kid');
    await rejects(rsOnly(), rs({}, { kid: 'unknown-kid' }), 'token_key_unavailable', `no public key for kid 'unknown-kid' at ${url}: the key server answered HTTP 404`);
  });

  test('an unreachable key server: token_key_unavailable', async () => {
    const gone = await startKeyServer();
    await gone.close();
    const down = new TokenVerifier(loadConfig({ ENABLE_AUTH: '1', JWT_APP_ID: APP, JWT_ASAP_KEYSERVER: gone.url }).auth);
    const url = keyUrl(gone.url, 'confab/key-1');
    await rejects(down, rs(), 'token_key_unavailable', `cannot fetch the public key for kid 'confab/key-1' at ${url}: ECONNREFUSED`);
  });

  test('a key that is not a PEM public key: token_key_unavailable', async () => {
    keyServer.keys.set('garbage', 'not a key');
    await rejects(rsOnly(), rs({}, { kid: 'garbage' }), 'token_key_unavailable', /is not a PEM public key/);
  });

  test('signed with another private key: token_signature_invalid', async () => {
    await rejects(rsOnly(), rs({}, { privateKey: other.privateKey }), 'token_signature_invalid', "the token's RS256 signature does not match the public key for kid 'confab/key-1' from JWT_ASAP_KEYSERVER");
  });

  test("no 'kid': token_malformed, and nothing is fetched", async () => {
    keyServer.requests.length = 0;
    await rejects(rsOnly(), signJwt(claims(), { privateKey: pair.privateKey }), 'token_malformed', "the RS256 token has no 'kid' header: it must name the key to fetch from JWT_ASAP_KEYSERVER");
    assert.deepEqual(keyServer.requests, []);
  });

  test('HS256 signed with the public key as its secret (key confusion) is refused', async () => {
    const confused = signJwt(claims(), { secret: pair.publicPem, kid: 'confab/key-1' });
    await rejects(rsOnly(), confused, 'token_algorithm_not_allowed', "token algorithm 'HS256' is not allowed: this server has no JWT_APP_SECRET and accepts only RS256, RS384, RS512, signed with keys from JWT_ASAP_KEYSERVER");
    // With both configured, HS is checked against the app secret only, never the fetched key.
    const both = new TokenVerifier(loadConfig({ ENABLE_AUTH: '1', JWT_APP_ID: APP, JWT_APP_SECRET: SECRET, JWT_ASAP_KEYSERVER: keyServer.url }).auth);
    await rejects(both, confused, 'token_signature_invalid', /does not match JWT_APP_SECRET/);
    await both.verify(rs(), MATHS, NOW);
    await both.verify(hs(), MATHS, NOW);
  });
});

describe('a secret file with a trailing newline', () => {
  test('the trimmed secret verifies tokens signed with the secret', async () => {
    const file = join(dir, 'app-secret');
    writeFileSync(file, `${SECRET}\n`);
    const config = loadConfig({ ENABLE_AUTH: '1', JWT_APP_ID: APP, JWT_APP_SECRET_FILE: file });
    assert.match(config.warnings.join('\n'), /JWT_APP_SECRET_FILE: the secret had a trailing newline; it was trimmed/);
    const verifier = new TokenVerifier(config.auth);
    await verifier.verify(hs(), MATHS, NOW);
    await rejects(verifier, signJwt(claims(), { secret: `${SECRET}\n` }), 'token_signature_invalid', /^the token's HS256 signature does not match JWT_APP_SECRET_FILE: .*stray space or newline/);
  });
});

describe('inspect() reports every check', () => {
  test('pass, fail and skip, each with its reason', async () => {
    const verifier = new TokenVerifier(auth());
    const report = await verifier.inspect(hs({ exp: NOW_S - 5, aud: 'other' }), { room: 'maths-101' }, NOW);
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.result, c.code]),
      [
        ['format', 'pass', undefined],
        ['algorithm', 'pass', undefined],
        ['signature', 'pass', undefined],
        ['time', 'fail', 'token_expired'],
        ['iss', 'pass', undefined],
        ['aud', 'fail', 'token_audience_not_accepted'],
        ['room', 'pass', undefined],
        ['sub', 'skip', undefined],
      ],
    );
    assert.equal(report.failure?.code, 'token_expired');
    const garbage = await verifier.inspect('garbage', {}, NOW);
    assert.deepEqual(garbage.checks.map((c) => c.result), ['fail', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip']);
  });
});
