/**
 * `confab token`: signs tokens this server (and Jitsi) accepts, and
 * `confab token verify` prints each check with its reason, exiting 1 on any
 * failure. Tokens to verify come from the independent test signer.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { tokenCommand } from '../../src/cli/token.js';
import { loadConfig } from '../../src/config/config.js';
import { roomAddress } from '../../src/protocol/room-name.js';
import { TokenVerifier } from '../../src/service/auth/token-verifier.js';
import { nowS, signJwt } from '../support/jwt.js';

const SECRET = 'cli-test-secret-long-enough-0123456789';
const ENV = { ENABLE_AUTH: '1', JWT_APP_ID: 'my_app', JWT_APP_SECRET: SECRET, PUBLIC_URL: 'https://meet.example.com/classes/' };
const dir = mkdtempSync(join(tmpdir(), 'confab-cli-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], env: NodeJS.ProcessEnv = ENV): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await tokenCommand(args, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out, err };
}

const valid = (extra: Record<string, unknown> = {}): string =>
  signJwt({ iss: 'my_app', aud: 'jitsi', sub: 'meet.jitsi', room: 'maths-101', exp: nowS() + 600, context: { user: { name: 'Ada' } }, ...extra }, { secret: SECRET });

describe('confab token (sign)', () => {
  test('prints a token and a join URL; the server would admit it with the moderator role', async () => {
    const { code, out, err } = await run(['--room', 'Maths-101', '--name', 'Ada', '--moderator', '--ttl', '2h', '--email', 'ada@example.com']);
    assert.equal(code, 0, err.join('\n'));
    const [token, url] = out;
    assert.match(token!, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(url, `https://meet.example.com/classes/maths-101?jwt=${token}`);
    assert.match(err.join('\n'), /signed HS256 for room 'maths-101': iss 'my_app', aud 'jitsi', sub 'meet.jitsi', moderator; expires .* \(in 2 h\)/);
    const { claims, identity } = await new TokenVerifier(loadConfig(ENV).auth).verify(token!, roomAddress('maths-101'));
    assert.equal(identity.moderator, true);
    assert.equal(identity.name, 'Ada');
    assert.equal(identity.email, 'ada@example.com');
    assert.ok(Math.abs((claims.exp as number) - (nowS() + 7200)) <= 2);
  });

  test('--tenant sets sub and the URL; --room * gives a token for any room', async () => {
    const tenant = await run(['--room', 'physics', '--tenant', 'School', '--ttl', '30m']);
    assert.equal(tenant.code, 0);
    assert.match(tenant.out[1]!, /^https:\/\/meet\.example\.com\/classes\/school\/physics\?jwt=/);
    const auth = loadConfig({ ...ENV, JWT_ENABLE_DOMAIN_VERIFICATION: '1' }).auth;
    await new TokenVerifier(auth).verify(tenant.out[0]!, roomAddress('physics', 'school'));
    const any = await run(['--room', '*']);
    assert.equal(any.code, 0);
    assert.equal(any.out.length, 1, 'no URL for a token for any room');
    await new TokenVerifier(auth).verify(any.out[0]!, roomAddress('whatever'));
  });

  test('--secret-file with a trailing newline is trimmed, with a warning', async () => {
    const file = join(dir, 'secret');
    writeFileSync(file, `${SECRET}\n`);
    const { code, out, err } = await run(['--room', 'maths-101', '--secret-file', file], { JWT_APP_ID: 'my_app' });
    assert.equal(code, 0, err.join('\n'));
    assert.match(err.join('\n'), /--secret-file: the secret had surrounding whitespace or a newline; it was trimmed/);
    assert.ok(!err.join('\n').includes(SECRET));
    await new TokenVerifier(loadConfig(ENV).auth).verify(out[0]!, roomAddress('maths-101'));
  });

  test('usage errors exit 2 and say what is wrong', async () => {
    for (const [args, message] of [
      [[], /--room is required/],
      [['--room', 'a b'], /room name 'a b' is not valid/],
      [['--room', 'r', '--ttl', 'soon'], /--ttl 'soon' is not a duration/],
      [['--room', 'r', '--bogus'], /Unknown option '--bogus'/],
    ] as const) {
      const { code, err } = await run([...args]);
      assert.equal(code, 2, String(args));
      assert.match(err[0]!, message);
    }
    const noSecret = await run(['--room', 'r'], { JWT_APP_ID: 'my_app' });
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.err[0]!, /no secret: set JWT_APP_SECRET or JWT_APP_SECRET_FILE, or pass --secret-file/);
  });
});

describe('confab token verify', () => {
  test('a valid token: every check passes, exit 0', async () => {
    const { code, out } = await run(['verify', valid(), '--room', 'maths-101']);
    assert.equal(code, 0, out.join('\n'));
    const lines = out.filter((l) => /^ {2}(PASS|FAIL|SKIP) /.test(l));
    assert.deepEqual(
      lines.map((l) => l.trim().split(/\s+/).slice(0, 2).join(' ')),
      ['PASS format', 'PASS algorithm', 'PASS signature', 'PASS time', 'PASS iss', 'PASS aud', 'PASS room', 'SKIP sub'],
    );
    assert.equal(out.at(-1), 'result: PASS: this server admits the token');
  });

  test("the seed's story: sub does not match the domain, and an expired token; each failure named, exit 1", async () => {
    const env = { ...ENV, JWT_ENABLE_DOMAIN_VERIFICATION: '1', XMPP_DOMAIN: 'streaming.example.com' };
    const token = valid({ sub: 'meet.example.com', exp: nowS() - 42 });
    const { code, out } = await run(['verify', `https://meet.example.com/classes/maths-101?jwt=${token}`], env);
    assert.equal(code, 1);
    const text = out.join('\n');
    assert.match(text, /^ {2}FAIL {2}time {7}token_expired: token expired 4[2-4] s ago/m);
    assert.match(text, /^ {2}FAIL {2}sub {8}token_subject_mismatch: token sub 'meet\.example\.com' does not match domain 'streaming\.example\.com'$/m);
    assert.match(text, /^ {2}PASS {2}room {7}room 'maths-101' matches room 'maths-101'$/m);
    assert.match(text, /^ {2}PASS {2}signature/m);
    assert.equal(out.at(-1), 'result: FAIL (token_expired, token_subject_mismatch)');
  });

  test('a token signed with the untrimmed secret: the signature check says so', async () => {
    const { code, out } = await run(['verify', signJwt({ iss: 'my_app', aud: 'jitsi', room: 'maths-101' }, { secret: `${SECRET}\n` })]);
    assert.equal(code, 1);
    assert.match(out.join('\n'), /FAIL {2}signature {2}token_signature_invalid: .*stray space or newline/);
    assert.ok(!out.join('\n').includes(SECRET));
  });

  test('the real `confab token` command line', async () => {
    const exec = promisify(execFile);
    const cli = (args: string[]) => exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'token', ...args], { env: { ...process.env, ...ENV } });
    const signed = await cli(['--room', 'maths-101', '--name', 'Ada']);
    const token = signed.stdout.split('\n')[0]!;
    const checked = await cli(['verify', token, '--room', 'maths-101']);
    assert.match(checked.stdout, /result: PASS/);
    await assert.rejects(cli(['verify', token, '--room', 'physics']), (e: { code: number; stdout: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stdout, /FAIL {2}room {7}token_room_mismatch: token room 'maths-101' does not match room 'physics'/);
      return true;
    });
  });
});
