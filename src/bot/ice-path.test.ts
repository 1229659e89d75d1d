import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterRemoteCandidates, icePathConfig, sdpCandidates } from './ice-path.js';

const SDP = [
  'v=0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=candidate:1 1 udp 2130706431 203.0.113.7 10000 typ host generation 0',
  'a=candidate:101 1 tcp 1518280447 203.0.113.7 4443 typ host tcptype passive generation 0',
  'a=end-of-candidates',
  '',
].join('\r\n');

test('udp keeps only UDP candidates, tcp only TCP ones; relay and unset keep all', () => {
  assert.deepEqual(sdpCandidates(filterRemoteCandidates(SDP, 'udp')).map((c) => c.protocol), ['udp']);
  assert.deepEqual(sdpCandidates(filterRemoteCandidates(SDP, 'tcp')).map((c) => `${c.protocol} ${c.port}`), ['tcp 4443']);
  assert.equal(filterRemoteCandidates(SDP, 'relay'), SDP);
  assert.equal(filterRemoteCandidates(SDP, undefined), SDP);
  assert.ok(filterRemoteCandidates(SDP, 'tcp').includes('\r\na=end-of-candidates\r\n'));
});

test('tcp turns on ICE-TCP; relay needs a TURN server and forces the relay policy', () => {
  assert.equal(icePathConfig({}, 'tcp').iceUseTcp, true);
  assert.deepEqual(icePathConfig({ iceServers: [{ urls: 'stun:127.0.0.1:3478' }] }, undefined), { iceServers: [{ urls: 'stun:127.0.0.1:3478' }] });
  assert.throws(() => icePathConfig({}, 'relay', [{ urls: 'stun:x' }]), /needs a TURN server/);
  const relay = icePathConfig({ iceServers: [{ urls: 'stun:127.0.0.1:1' }] }, 'relay', [{ urls: 'turn:127.0.0.1:3478?transport=udp', username: 'u', credential: 'c' }]);
  assert.equal(relay.iceTransportPolicy, 'relay');
  assert.deepEqual(relay.iceServers?.map((s) => s.urls), ['stun:127.0.0.1:1', 'turn:127.0.0.1:3478?transport=udp']);
});
