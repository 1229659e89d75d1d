import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LinkAuth, linkToken } from './link-auth.js';

test('a link is another node only with the token of the secret in Redis', () => {
  const auth = new LinkAuth();
  assert.equal(auth.header(), undefined, 'no secret yet: no link out');
  assert.equal(auth.verify(`Bearer ${linkToken('s1')}`), false, 'no secret yet: no link in');
  auth.update('s1');
  assert.equal(auth.verify(auth.header()), true);
  assert.equal(auth.verify(`Bearer ${linkToken('guess')}`), false);
  assert.equal(auth.verify('s1'), false, 'the secret itself is not the token');
  assert.equal(auth.verify(undefined), false);
  assert.ok(!auth.header()!.includes('s1'));
});

test('after Redis made a new secret, links with the previous one pass for one refresh', () => {
  const auth = new LinkAuth();
  auth.update('old');
  auth.update('new');
  assert.equal(auth.verify(`Bearer ${linkToken('old')}`), true);
  assert.equal(auth.verify(`Bearer ${linkToken('new')}`), true);
  auth.update('newer');
  assert.equal(auth.verify(`Bearer ${linkToken('old')}`), false);
});
