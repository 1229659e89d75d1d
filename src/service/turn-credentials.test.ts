import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { turnIceServer } from './turn-credentials.js';

const settings = { host: 'turn.example.com', port: 3478, transport: 'udp' as const, secret: 's3cret-s3cret-s3cret-s3cret-s3cr', ttlS: 3600 };

test('TURN REST credentials: expiry-prefixed username, HMAC-SHA1 password', () => {
  const server = turnIceServer(settings, 'participant-1', 1_700_000_000_000);
  assert.equal(server.urls, 'turn:turn.example.com:3478?transport=udp');
  assert.equal(server.username, '1700003600:participant-1');
  const expected = createHmac('sha1', settings.secret).update('1700003600:participant-1').digest('base64');
  assert.equal(server.credential, expected);
  assert.ok(!JSON.stringify(server).includes(settings.secret), 'the shared secret never reaches the browser');
});

test('TURN URLs for tcp, tls and IPv6 hosts', () => {
  assert.equal(turnIceServer({ ...settings, transport: 'tcp' }, 'p').urls, 'turn:turn.example.com:3478?transport=tcp');
  assert.equal(turnIceServer({ ...settings, transport: 'tls', port: 443 }, 'p').urls, 'turns:turn.example.com:443?transport=tcp');
  assert.equal(turnIceServer({ ...settings, host: '::1' }, 'p').urls, 'turn:[::1]:3478?transport=udp');
});
