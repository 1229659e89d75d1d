import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { addressKey, clientAddress } from './client-address.js';

const req = (peer: string, forwarded?: string): IncomingMessage =>
  ({ socket: { remoteAddress: peer }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

test('a public peer is the client, whatever it forwards', () => {
  assert.equal(clientAddress(req('203.0.113.5', '198.51.100.1')), '203.0.113.5');
  assert.equal(clientAddress(req('::ffff:203.0.113.5')), '203.0.113.5');
});

test('behind a private proxy, the last public hop it forwards is the client', () => {
  assert.equal(clientAddress(req('10.0.3.7', '198.51.100.1')), '198.51.100.1');
  // A client that sends its own X-Forwarded-For: the proxy appends the real address last.
  assert.equal(clientAddress(req('10.0.3.7', '1.2.3.4, 198.51.100.1')), '198.51.100.1');
  assert.equal(clientAddress(req('127.0.0.1', '198.51.100.1, 10.0.0.2')), '198.51.100.1', 'two proxies');
  assert.equal(clientAddress(req('10.0.3.7', '192.168.1.20')), '192.168.1.20', 'a client on the private network itself');
  assert.equal(clientAddress(req('192.168.1.20')), '192.168.1.20', 'a client on a LAN, no proxy');
});

test('from this host with nothing forwarded, the client cannot be told apart', () => {
  assert.equal(clientAddress(req('127.0.0.1')), undefined);
  assert.equal(clientAddress(req('::1', 'garbage')), undefined);
  assert.equal(clientAddress(req('127.0.0.1', '127.0.0.1')), undefined);
});

test('IPv6 addresses count by their /64', () => {
  assert.equal(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8:1:2::7'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::7'), '2001:db8:0:0::/64');
  assert.equal(clientAddress(req('2001:db8:1:2::7')), '2001:db8:1:2::/64');
});
