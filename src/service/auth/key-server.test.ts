import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { rsaKeyPair } from '../../../test/support/jwt.js';
import { ConfabError } from '../../protocol/errors.js';
import { AsapKeyServer, KEY_FETCH_RATE } from './key-server.js';

const pair = rsaKeyPair();
const file = (kid: string): string => `${createHash('sha256').update(kid).digest('hex')}.pem`;
const requests: string[] = [];
let server: Server;
let base = '';

before(async () => {
  // /keys/<good>: the key; /keys/<moved>: redirected within /keys/; /keys/<away>: redirected off it; else 404.
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === `/keys/${file('good')}` || req.url === `/keys/v2/${file('moved')}`) return void res.writeHead(200).end(pair.publicPem);
    if (req.url === `/keys/${file('moved')}`) return void res.writeHead(301, { location: `v2/${file('moved')}` }).end();
    if (req.url === `/keys/${file('away')}`) return void res.writeHead(302, { location: '/elsewhere/stolen.pem' }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/keys`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const unavailable = (pattern: RegExp) => (e: unknown) => e instanceof ConfabError && e.code === 'token_key_unavailable' && pattern.test(e.message);

test('a redirect below JWT_ASAP_KEYSERVER is followed; one off it is not', async () => {
  const keys = new AsapKeyServer(base);
  requests.length = 0;
  assert.equal((await keys.publicKey('moved')).asymmetricKeyType, 'rsa');
  await assert.rejects(keys.publicKey('away'), unavailable(/redirected .* to http:\/\/127\.0\.0\.1:\d+\/elsewhere\/stolen\.pem, outside JWT_ASAP_KEYSERVER: not followed/));
  assert.ok(!requests.some((r) => r.startsWith('/elsewhere')), `never asked for the other path: ${requests.join(' ')}`);
});

test('a failure is cached per kid for a while: 50 requests, one fetch', async (t) => {
  const keys = new AsapKeyServer(base, { failureTtlMs: 10_000 });
  for (let i = 0; i < 50; i++) await assert.rejects(keys.publicKey('missing'), unavailable(/HTTP 404/));
  assert.equal(keys.fetches, 1);
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 10_001 });
  await assert.rejects(keys.publicKey('missing'), unavailable(/HTTP 404/));
  assert.equal(keys.fetches, 2, 'asked again once the failure expired');
});

test('new kids cost at most the fetch rate; cached keys keep working', async () => {
  const keys = new AsapKeyServer(base);
  await keys.publicKey('good');
  const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => keys.publicKey(`new-${i}`)));
  assert.ok(results.every((r) => r.status === 'rejected'));
  assert.ok(keys.fetches <= KEY_FETCH_RATE.burst + 2, `${keys.fetches} fetches for 200 new kids`);
  const refusedUnfetched = results.filter((r) => r.status === 'rejected' && /too many public keys asked for/.test((r.reason as Error).message)).length;
  assert.ok(refusedUnfetched >= 170, `${refusedUnfetched} refused without a fetch`);
  assert.equal((await keys.publicKey('good')).asymmetricKeyType, 'rsa');
});
