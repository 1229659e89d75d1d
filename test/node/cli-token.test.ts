/**
 * `confab token`: signs tokens this server (and Jitsi) accepts, and
 * `confab token verify` prints each check with its reason, exiting 1 on any
 * failure. Tokens to verify come from the independent test signer. RS tokens
 * (`--private-key`, `--kid`) are checked with node:crypto against the public
 * key, by `verify` with a loopback key server, and by a server admitting a hello.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { SignalingClient, signalingUrl } from '../../src/bot/index.js';
import { tokenCommand } from '../../src/cli/token.js';
import { loadConfig } from '../../src/config/config.js';
import { ERRORS } from '../../src/protocol/errors.js';
import { PROTOCOL_VERSION, type ServerMessage } from '../../src/protocol/messages.js';
import { roomAddress } from '../../src/protocol/room-name.js';
import { TokenVerifier } from '../../src/service/auth/token-verifier.js';
import { createTestCa } from '../support/certs.js';
import { nowS, signJwt, startKeyServer } from '../support/jwt.js';
import { sleep, startServer } from '../support/server.js';

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

  test('says where each identity field was read from, and warns about claims the server ignores (issue 12)', async () => {
    const top = await run(['verify', valid({ moderator: true }), '--room', 'maths-101']);
    assert.equal(top.code, 0);
    assert.ok(top.out.includes('identity, as the server reads it:'), top.out.join('\n'));
    assert.ok(top.out.includes("  name       'Ada'  <- context.user.name"), top.out.join('\n'));
    assert.ok(top.out.includes('  moderator  moderator  <- moderator (top level): true'), top.out.join('\n'));
    assert.ok(top.out.includes("user: 'Ada', moderator"));

    const misplaced = await run(['verify', valid({ context: { user: { name: 'Ms T' }, moderator: 1, email: 't@example.com' } }), '--room', 'maths-101']);
    assert.equal(misplaced.code, 0, 'warnings do not fail the token');
    const warns = misplaced.out.filter((l) => l.startsWith('  WARN  '));
    assert.deepEqual(warns, [
      '  WARN  context.email is ignored: it belongs in context.user.email',
      '  WARN  context.moderator is ignored: it belongs in context.user.moderator (or a top-level moderator)',
    ]);
    assert.ok(misplaced.out.includes("user: 'Ms T', participant (unless auto-owner makes them moderator)"));

    const numeric = await run(['verify', valid({ moderator: 1 }), '--room', 'maths-101']);
    assert.ok(numeric.out.includes('  WARN  moderator (top level) is number 1: only true or "true" make a moderator (false or "false" say not); read as not a moderator'), numeric.out.join('\n'));
    assert.ok(numeric.out.includes("user: 'Ada', participant (never made moderator by auto-owner)"));
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

describe('confab token --private-key (RS, for JWT_ASAP_KEYSERVER)', () => {
  const KID = 'platform-2027';
  const RS_ENV = { ENABLE_AUTH: '1', JWT_APP_ID: 'my_app', JWT_ASAP_KEYSERVER: 'http://127.0.0.1:9/keys/', PUBLIC_URL: 'https://meet.example.com/' };
  /** Computed here, not with Confab's key-server module. */
  const keyFile = (kid: string): string => `${createHash('sha256').update(kid).digest('hex')}.pem`;
  const pair = (bits = 2048) => generateKeyPairSync('rsa', { modulusLength: bits });
  const { privateKey, publicKey } = pair();
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const write = (name: string, content: string | Buffer): string => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const pkcs8 = write('rsa-pkcs8.pem', privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const pkcs1 = write('rsa-pkcs1.pem', privateKey.export({ type: 'pkcs1', format: 'pem' }));

  const decode = (token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } => {
    const [h, c] = token.split('.');
    return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), claims: JSON.parse(Buffer.from(c!, 'base64url').toString()) };
  };
  /** RSASSA-PKCS1-v1_5 over `header.claims`, checked by node:crypto alone. */
  const signatureValid = (token: string, key: KeyObject, bits = '256'): boolean => {
    const [h, c, sig] = token.split('.');
    return cryptoVerify(`sha${bits}`, Buffer.from(`${h}.${c}`), key, Buffer.from(sig!, 'base64url'));
  };

  test('RS256 with a PKCS#8 key: kid in the header, the usual claims, a signature node:crypto verifies with the public key; --public-key-out writes it', async () => {
    const pubOut = join(dir, 'published.pem');
    const { code, out, err } = await run(['--room', 'Maths-101', '--name', 'Ada', '--moderator', '--private-key', pkcs8, '--kid', KID, '--public-key-out', pubOut], RS_ENV);
    assert.equal(code, 0, err.join('\n'));
    const [token, url] = out;
    assert.equal(url, `https://meet.example.com/maths-101?jwt=${token}`);
    const { header, claims } = decode(token!);
    assert.deepEqual(header, { alg: 'RS256', kid: KID, typ: 'JWT' });
    assert.deepEqual(
      { ...claims, iat: undefined, exp: undefined },
      { iss: 'my_app', aud: 'jitsi', sub: 'meet.jitsi', room: 'maths-101', iat: undefined, exp: undefined, context: { user: { name: 'Ada', moderator: true } } },
    );
    assert.equal((claims.exp as number) - (claims.iat as number), 7200);
    assert.ok(Math.abs((claims.iat as number) - nowS()) <= 2);
    assert.ok(signatureValid(token!, publicKey), 'node:crypto verifies the signature with the public key');
    assert.ok(!signatureValid(token!, pair().publicKey), 'and not with another key');
    const [h, , sig] = token!.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, room: '*' })).toString('base64url')}.${sig}`;
    assert.ok(!signatureValid(forged, publicKey), 'changed claims do not verify');
    assert.equal(readFileSync(pubOut, 'utf8'), publicPem, 'the public key written is the key pair public half');
    const text = err.join('\n');
    assert.match(text, /^signed RS256 with kid 'platform-2027' for room 'maths-101': iss 'my_app', aud 'jitsi', sub 'meet.jitsi', moderator; expires .* \(in 2 h\)$/m);
    assert.ok(text.includes(`wrote the public key to ${pubOut}: publish it on the key server as ${keyFile(KID)}`), text);
    assert.ok(text.includes(`from http://127.0.0.1:9/keys/${keyFile(KID)}`), text);
  });

  test('a PKCS#1 key, and --alg RS384 and RS512', async () => {
    for (const alg of ['RS384', 'RS512'] as const) {
      const { code, out, err } = await run(['--room', 'physics', '--private-key', pkcs1, '--kid', 'k-1', '--alg', alg], RS_ENV);
      assert.equal(code, 0, err.join('\n'));
      assert.deepEqual(decode(out[0]!).header, { alg, kid: 'k-1', typ: 'JWT' });
      assert.ok(signatureValid(out[0]!, publicKey, alg.slice(2)), `${alg} verifies with sha${alg.slice(2)}`);
      assert.ok(!signatureValid(out[0]!, publicKey, '256'));
    }
    // Without JWT_ASAP_KEYSERVER it still signs, and says this configuration cannot verify it.
    const { code, err } = await run(['--room', 'physics', '--private-key', pkcs1, '--kid', 'k-1'], { JWT_APP_ID: 'my_app' });
    assert.equal(code, 0);
    assert.ok(err.some((l) => l.includes(`note: JWT_ASAP_KEYSERVER is not set`) && l.includes(`<JWT_ASAP_KEYSERVER>/${keyFile('k-1')}`)), err.join('\n'));
  });

  test('keyserver-path prints hex(sha256(kid)).pem, and where the server fetches it', async () => {
    const configured = await run(['keyserver-path', '--kid', KID], RS_ENV);
    assert.equal(configured.code, 0);
    assert.deepEqual(configured.out, [keyFile(KID)]);
    assert.match(configured.out[0]!, /^[0-9a-f]{64}\.pem$/);
    assert.deepEqual(configured.err, [`the server fetches the public key for kid '${KID}' from http://127.0.0.1:9/keys/${keyFile(KID)}`]);
    const bare = await run(['keyserver-path', '--kid', 'key with spaces/../x'], {});
    assert.deepEqual(bare.out, [keyFile('key with spaces/../x')]);
    assert.match(bare.err.join('\n'), /JWT_ASAP_KEYSERVER is not set/);
  });

  test('each wrong input exits 2 with a message naming the flag, and prints no token', async (t) => {
    const ca = createTestCa();
    t.after(() => ca.remove());
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const encrypted = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass' },
    }).privateKey;
    const files = {
      public: write('rsa-public.pem', publicPem),
      pkcs1Public: write('rsa-public-pkcs1.pem', publicKey.export({ type: 'pkcs1', format: 'pem' })),
      ec: write('ec.pem', ecKey),
      encrypted: write('encrypted.pem', encrypted),
      short: write('rsa-1024.pem', pair(1024).privateKey.export({ type: 'pkcs8', format: 'pem' })),
      text: write('not-a-key.pem', 'hello\n'),
      secret: write('secret-for-rs', SECRET),
    };
    const q = (file: string): string => `'${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`;
    const cases: [string[], RegExp][] = [
      [['--private-key', join(dir, 'missing.pem'), '--kid', KID], new RegExp(`^confab token: cannot read --private-key ${q(join(dir, 'missing.pem'))}: ENOENT$`)],
      [['--private-key', dir, '--kid', KID], /^confab token: cannot read --private-key '.*': EISDIR$/],
      [['--private-key', files.public, '--kid', KID], new RegExp(`^confab token: --private-key ${q(files.public)} holds a public key \\('PUBLIC KEY'\\), not a private key`)],
      [['--private-key', files.pkcs1Public, '--kid', KID], /^confab token: --private-key '.*' holds a public key \('RSA PUBLIC KEY'\), not a private key/],
      [['--private-key', ca.caCertificate, '--kid', KID], new RegExp(`^confab token: --private-key ${q(ca.caCertificate)} holds a certificate, not a private key`)],
      [['--private-key', files.ec, '--kid', KID], /^confab token: --private-key '.*' is an EC key: RS256, RS384 and RS512 need an RSA key$/],
      [['--private-key', files.encrypted, '--kid', KID], /^confab token: --private-key '.*' is encrypted with a passphrase/],
      [['--private-key', files.short, '--kid', KID], /^confab token: --private-key '.*' is a 1024-bit RSA key: use at least 2048 bits/],
      [['--private-key', files.text, '--kid', KID], /^confab token: --private-key '.*' is not a PEM private key/],
      [['--private-key', pkcs8], /^confab token: --kid is required with --private-key/],
      [['--private-key', pkcs8, '--kid', ' '], /^confab token: --kid is required with --private-key/],
      [['--private-key', pkcs8, '--kid', KID, '--alg', 'HS256'], /^confab token: --alg HS256 cannot be used with --private-key: use one of RS256, RS384, RS512$/],
      [['--private-key', pkcs8, '--kid', KID, '--alg', 'ES256'], /^confab token: --alg ES256 cannot be used with --private-key/],
      [['--private-key', pkcs8, '--kid', KID, '--secret-file', files.secret], /^confab token: --private-key and --secret-file cannot be used together/],
      [['--alg', 'RS256'], /^confab token: --alg RS256 needs --private-key <key\.pem> and --kid <kid>$/],
      [['--kid', KID], /^confab token: --kid is only used with --private-key/],
      [['--public-key-out', join(dir, 'x.pem')], /^confab token: --public-key-out is only used with --private-key/],
      [['--private-key', pkcs8, '--kid', KID, '--public-key-out', join(dir, 'no-such-dir', 'pub.pem')], /^confab token: cannot write --public-key-out '.*': ENOENT$/],
    ];
    for (const [args, message] of cases) {
      const { code, out, err } = await run(['--room', 'maths-101', ...args], { ...RS_ENV, JWT_APP_SECRET: SECRET });
      assert.equal(code, 2, `${args.join(' ')}: ${err.join('\n')}`);
      assert.match(err[0]!, message, args.join(' '));
      assert.deepEqual(out, [], `${args.join(' ')}: no token`);
    }
    const noKid = await run(['keyserver-path'], RS_ENV);
    assert.equal(noKid.code, 2);
    assert.match(noKid.err[0]!, /^confab token: --kid is required/);
  });

  test('verify: a minted RS token passes against a key server serving the public key; another key or none fails', async (t) => {
    const keys = await startKeyServer();
    t.after(() => keys.close());
    const env = { ...RS_ENV, JWT_ASAP_KEYSERVER: keys.url };
    const minted = await run(['--room', 'maths-101', '--name', 'Ada', '--private-key', pkcs8, '--kid', KID], env);
    assert.equal(minted.code, 0, minted.err.join('\n'));
    const token = minted.out[0]!;

    const missing = await run(['verify', token, '--room', 'maths-101'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.out.join('\n'), /FAIL {2}signature {2}token_key_unavailable: no public key for kid 'platform-2027' at .* HTTP 404/);

    keys.keys.set(KID, publicPem);
    const { code, out } = await run(['verify', token, '--room', 'maths-101'], env);
    assert.equal(code, 0, out.join('\n'));
    const text = out.join('\n');
    assert.match(text, /^ {2}PASS {2}algorithm {2}RS256 is allowed \(JWT_ASAP_KEYSERVER\)$/m);
    assert.match(text, /^ {2}PASS {2}signature {2}RS256 signature matches the public key for kid 'platform-2027' from JWT_ASAP_KEYSERVER$/m);
    assert.equal(out.at(-1), 'result: PASS: this server admits the token');
    assert.ok(keys.requests.includes(`/keys/${keyFile(KID)}`), keys.requests.join(', '));

    keys.keys.set('other-kid', pair().publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const other = await run(['--room', 'maths-101', '--private-key', pkcs8, '--kid', 'other-kid'], env);
    const wrong = await run(['verify', other.out[0]!, '--room', 'maths-101'], env);
    assert.equal(wrong.code, 1);
    assert.match(wrong.out.join('\n'), /FAIL {2}signature {2}token_signature_invalid: the token's RS256 signature does not match the public key for kid 'other-kid'/);
  });

  test('end to end: the real command line mints, and a server with JWT_ASAP_KEYSERVER admits a hello with the token', { timeout: 60_000 }, async (t) => {
    const keys = await startKeyServer();
    const server = await startServer({ ENABLE_AUTH: '1', JWT_APP_ID: 'my_app', JWT_ASAP_KEYSERVER: keys.url });
    t.after(async () => {
      await server.stop();
      await keys.close();
    });
    const exec = promisify(execFile);
    const env = { ...process.env, ...RS_ENV, JWT_ASAP_KEYSERVER: keys.url };
    const pubOut = join(dir, 'e2e-public.pem');
    const cli = (args: string[]) => exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'token', ...args], { env });
    const signed = await cli(['--room', 'chemistry', '--name', 'Rosalind', '--moderator', '--private-key', pkcs8, '--kid', KID, '--public-key-out', pubOut]);
    const token = signed.stdout.split('\n')[0]!;
    const published = await cli(['keyserver-path', '--kid', KID]);
    assert.equal(published.stdout, `${keyFile(KID)}\n`);
    keys.keys.set(KID, readFileSync(pubOut, 'utf8'));

    const hello = async (tok: string): Promise<{ messages: ServerMessage[]; client: SignalingClient }> => {
      const client = await SignalingClient.connect(signalingUrl(server.url));
      const messages: ServerMessage[] = [];
      client.on('message', (m) => messages.push(m));
      client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room: 'chemistry', displayName: '', token: tok });
      return { messages, client };
    };
    const admitted = await hello(token);
    const welcome = await admitted.client.waitFor('welcome');
    assert.equal(welcome.self.displayName, 'Rosalind');
    assert.equal(welcome.self.role, 'moderator');
    assert.deepEqual(keys.requests, [`/keys/${keyFile(KID)}`]);
    await admitted.client.close();

    // Signed with another key under the same kid: refused at hello.
    const otherKey = write('other-rsa.pem', pair().privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const forged = (await cli(['--room', 'chemistry', '--private-key', otherKey, '--kid', KID])).stdout.split('\n')[0]!;
    const refused = await hello(forged);
    const closed =
      refused.client.closed ??
      (await Promise.race([
        new Promise<{ code: number }>((resolve) => refused.client.once('closed', resolve)),
        sleep(5000).then(() => Promise.reject(new Error('not closed within 5 s'))),
      ]));
    assert.equal(closed.code, ERRORS.token_signature_invalid.closeCode);
    assert.ok(refused.messages.some((m) => m.type === 'error' && m.code === 'token_signature_invalid'), JSON.stringify(refused.messages));
  });
});
