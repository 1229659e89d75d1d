import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripSsrcLines } from './simulcast-sdp.js';

const sdp = [
  'v=0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:0',
  'a=ssrc:11 cname:x',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'a=mid:1',
  'a=rid:q send',
  'a=simulcast:send q;h;f',
  'a=ssrc:22 cname:x',
  'a=ssrc:23 cname:x',
  'a=ssrc-group:FID 22 23',
  '',
].join('\r\n');

test('only the camera m-section loses its SSRC lines; rids stay', () => {
  const out = stripSsrcLines(sdp, '1');
  assert.ok(out.includes('a=ssrc:11 cname:x\r\n'), 'audio keeps its SSRC');
  assert.ok(!out.includes('a=ssrc:22') && !out.includes('a=ssrc-group'), out);
  assert.ok(out.includes('a=rid:q send\r\na=simulcast:send q;h;f\r\n'));
  assert.ok(out.endsWith('\r\n'));
  assert.equal(stripSsrcLines(sdp, '10'), sdp, 'a mid that is only a prefix matches nothing');
});
