import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { loadConfig } from '../../config/config.js';
import { ConfabError, type ErrorCode } from '../../protocol/errors.js';
import { ApiAccess } from './api-access.js';

const SECRET = 'api-test-secret-long-enough-0123456789abcdef';
const API_TOKEN = 'static-api-token-long-enough-0123456789';

/** An HS256 JWT made with node:crypto, independent of Confab's signer. */
function jwt(claims: Record<string, unknown>, secret = SECRET): string {
  const part = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const exp = () => Math.floor(Date.now() / 1000) + 600;
const teacher = (room: string, extra: Record<string, unknown> = {}): string =>
  jwt({ iss: 'lms', aud: 'jitsi', sub: 'meet.example.org', room, exp: exp(), context: { user: { id: 't', moderator: true } }, ...extra });

function access(env: Record<string, string>): ApiAccess {
  const config = loadConfig(env);
  return new ApiAccess(config.auth, config.apiToken);
}
const withSecret = { JWT_APP_ID: 'lms', JWT_APP_SECRET: SECRET, XMPP_DOMAIN: 'meet.example.org' };

async function refused(a: ApiAccess, header: string | undefined, code: ErrorCode, target = {}): Promise<string> {
  const error = await a.authorize(header, target).then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConfabError, String(error));
  assert.equal(error.code, code, error.message);
  return error.message;
}

describe('ApiAccess', () => {
  test('nothing configured: the API is off', async () => {
    assert.match(await refused(access({}), `Bearer ${teacher('*')}`, 'api_not_configured'), /JWT_APP_SECRET.*API_TOKEN/);
  });

  test('a moderator token signed with the app secret, with ENABLE_AUTH on or off', async () => {
    for (const env of [withSecret, { ...withSecret, ENABLE_AUTH: '1' }]) {
      const a = access(env);
      assert.deepEqual(await a.authorize(`Bearer ${teacher('*')}`, {}), { by: 'lms', tenant: 'any' });
      assert.deepEqual(await a.authorize(`bearer ${teacher('maths-101')}`, { room: 'maths-101' }), { by: 'lms', tenant: 'any' });
    }
  });

  test('each refusal has its code', async () => {
    const a = access(withSecret);
    await refused(a, undefined, 'token_missing');
    assert.match(await refused(a, 'Basic dXNlcjpwdw==', 'token_missing'), /Bearer/);
    // A changed signature (its last character kept: a stray last character is token_malformed, strict base64url).
    const genuine = teacher('*', {});
    await refused(a, `Bearer ${genuine.slice(0, -4)}${genuine.slice(-4, -1) === 'xyz' ? 'abc' : 'xyz'}${genuine.slice(-1)}`, 'token_signature_invalid');
    await refused(a, `Bearer ${jwt({ iss: 'lms', aud: 'jitsi', room: '*', context: { user: { moderator: true } } }, 'another-secret-of-the-same-good-length!')}`, 'token_signature_invalid');
    await refused(a, `Bearer ${teacher('*', { exp: 1 })}`, 'token_expired');
    await refused(a, `Bearer ${teacher('*', { iss: 'someone' })}`, 'token_issuer_not_accepted');
    assert.match(await refused(a, `Bearer ${teacher('maths-101')}`, 'token_room_mismatch'), /does not match room '\*'/);
    await refused(a, `Bearer ${teacher('maths-101')}`, 'token_room_mismatch', { room: 'physics' });
    const student = jwt({ iss: 'lms', aud: 'jitsi', room: '*', exp: exp(), context: { user: { id: 's', name: 'Ada' } } });
    assert.match(await refused(a, `Bearer ${student}`, 'api_forbidden'), /moderator claim/);
    await refused(a, 'Bearer not-a-jwt', 'token_malformed');
  });

  test('API_TOKEN: full access, compared whole', async () => {
    const a = access({ API_TOKEN });
    assert.deepEqual(await a.authorize(`Bearer ${API_TOKEN}`, {}), { by: 'api_token', tenant: 'any' });
    assert.deepEqual(await a.authorize(`Bearer ${API_TOKEN}`, { tenant: 'school' }), { by: 'api_token', tenant: 'school' });
    await refused(a, `Bearer ${API_TOKEN}x`, 'api_token_invalid');
    assert.match(await refused(a, `Bearer ${teacher('*')}`, 'api_token_invalid'), /no JWT_APP_SECRET/);
    const both = access({ ...withSecret, API_TOKEN });
    assert.equal((await both.authorize(`Bearer ${API_TOKEN}`, {})).by, 'api_token');
    assert.equal((await both.authorize(`Bearer ${teacher('*')}`, {})).by, 'lms');
    assert.match(await refused(both, 'Bearer not-a-jwt', 'api_token_invalid'), /neither API_TOKEN nor a JWT/);
  });

  test('with domain verification a token sees its own tenant', async () => {
    const a = access({ ...withSecret, JWT_ENABLE_DOMAIN_VERIFICATION: '1' });
    assert.deepEqual(await a.authorize(`Bearer ${teacher('*')}`, {}), { by: 'lms', tenant: undefined });
    assert.deepEqual(await a.authorize(`Bearer ${teacher('*', { sub: 'school' })}`, { tenant: 'school' }), { by: 'lms', tenant: 'school' });
    assert.deepEqual(await a.authorize(`Bearer ${teacher('*', { sub: '*' })}`, {}), { by: 'lms', tenant: 'any' });
    await refused(a, `Bearer ${teacher('*', { sub: 'school' })}`, 'token_subject_mismatch');
    await refused(a, `Bearer ${teacher('*')}`, 'token_subject_mismatch', { tenant: 'school' });
  });
});
