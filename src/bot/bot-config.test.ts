import assert from 'node:assert/strict';
import { test } from 'node:test';
import { botPeerConfig, hasStun } from './bot-config.js';

const urls = (config: ReturnType<typeof botPeerConfig>): unknown[] => (config.iceServers ?? []).map((s) => s.urls);

test('never leaves werift without a STUN server (it would query stun.l.google.com)', () => {
  // Loopback: only our responder.
  assert.deepEqual(urls(botPeerConfig({ loopbackOnly: true }, 4000)), ['stun:127.0.0.1:4000']);
  // No ICE servers from the welcome: our responder.
  assert.deepEqual(urls(botPeerConfig({ loopbackOnly: false, iceServers: [] }, 4000)), ['stun:127.0.0.1:4000']);
  // TURN only: our responder first, then the TURN server.
  const turn = { urls: 'turn:turn.example.org:3478?transport=udp', username: 'u', credential: 'c' };
  assert.deepEqual(urls(botPeerConfig({ loopbackOnly: false, iceServers: [turn] }, 4000)), ['stun:127.0.0.1:4000', turn.urls]);
  // The welcome's own STUN server is used as is.
  assert.deepEqual(urls(botPeerConfig({ loopbackOnly: false, iceServers: [{ urls: ['stun:stun.example.org'] }] }, undefined)), [['stun:stun.example.org']]);
});

test('hasStun looks at every URL of every server', () => {
  assert.equal(hasStun(undefined), false);
  assert.equal(hasStun([{ urls: 'turn:x' }]), false);
  assert.equal(hasStun([{ urls: ['turn:x', 'stun:y'] }]), true);
});
