import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RtpHeader, RtpPacket } from 'werift';
import { ReceiveStats } from './receive-stats.js';

const packet = (seq: number): RtpPacket => new RtpPacket(new RtpHeader({ payloadType: 96, sequenceNumber: seq, ssrc: 1, extensions: [] }), Buffer.from([0x10, 0x01]));

test('loss is what the sequence numbers say was sent and did not arrive, reordering at the start included', () => {
  const stats = new ReceiveStats();
  stats.setTracks([{ mid: '1', participantId: 'p', trackId: 't', kind: 'video', source: 'camera' }]);
  // The second packet overtakes the first; then one is lost (103), one comes twice (104).
  for (const seq of [101, 100, 102, 104, 104, 105]) stats.record('1', 'video', packet(seq));
  const video = stats.snapshot().p!.video;
  assert.equal(video.packets, 5);
  assert.equal(video.expected, 6, '100..105');
  assert.equal(video.duplicates, 1);
});

test('sequence numbers wrapping at 65535 stay one span', () => {
  const stats = new ReceiveStats();
  stats.setTracks([{ mid: '1', participantId: 'p', trackId: 't', kind: 'video', source: 'camera' }]);
  for (const seq of [65534, 65535, 0, 1]) stats.record('1', 'video', packet(seq));
  assert.equal(stats.snapshot().p!.video.expected, 4);
});
