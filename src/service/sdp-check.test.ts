import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfabError } from '../protocol/errors.js';
import { checkPublishOffer, checkSubscribeAnswer, sdpMids } from './sdp-check.js';

/** A browser's publish offer, cut to what matters here. */
function offer(mids: string[] = ['0', '1']): string {
  const session = ['v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', `a=group:BUNDLE ${mids.join(' ')}`];
  const sections = mids.flatMap((mid, i) => [
    i % 2 === 0 ? 'm=audio 9 UDP/TLS/RTP/SAVPF 111' : 'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:0123456789abcdef01234567',
    'a=fingerprint:sha-256 AB:CD',
    'a=setup:actpass',
    `a=mid:${mid}`,
    'a=sendonly',
  ]);
  return `${[...session, ...sections].join('\r\n')}\r\n`;
}

const refused = (fn: () => void, pattern: RegExp): void =>
  assert.throws(fn, (e: unknown) => e instanceof ConfabError && e.code === 'sdp_invalid' && pattern.test(e.message));

test('a browser-shaped offer passes and its mids are read', () => {
  assert.deepEqual(sdpMids(offer(), 'publish offer'), ['0', '1']);
  checkPublishOffer(offer(), { '0': 'microphone', '1': 'camera' });
  checkSubscribeAnswer(offer(['0', '1', '2']), 3);
});

test('text that is not a session description is refused with sdp_invalid, saying why', () => {
  refused(() => sdpMids('this is not an SDP', 'publish offer'), /does not start with 'v=0'/);
  refused(() => sdpMids('v=0\r\nhello', 'publish offer'), /line 2/);
  refused(() => sdpMids('v=0\r\ns=-\r\n', 'publish offer'), /no 'o=' line/);
  refused(() => sdpMids('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n', 'publish offer'), /no m-line/);
  refused(() => sdpMids(offer().replace('a=mid:1', 'a=x:1'), 'publish offer'), /m-line 2 has 0 'a=mid'/);
  refused(() => sdpMids(offer().replace('a=mid:1', 'a=mid:0'), 'publish offer'), /same mid/);
  refused(() => sdpMids(offer().replaceAll('a=fingerprint:sha-256 AB:CD\r\n', ''), 'publish offer'), /'fingerprint' is missing/);
  refused(() => sdpMids(offer().replace('m=video 9 UDP/TLS/RTP/SAVPF 96 97', 'm=video nine'), 'publish offer'), /m-line 2 is not/);
});

test('a publish offer has at most 16 m-lines, and sources name only its mids', () => {
  const many = Array.from({ length: 17 }, (_, i) => String(i));
  refused(() => checkPublishOffer(offer(many), {}), /17 m-lines; .* at most 16/);
  refused(() => checkPublishOffer(offer(), { '0': 'microphone', m7: 'camera' }), /mids it does not have: m7/);
});

test('a subscribe answer has as many m-lines as the offer', () => {
  refused(() => checkSubscribeAnswer(offer(['0', '1']), 3), /2 m-lines for an offer of 3/);
});

test('simulcast: video only, at most 4 rids an m-line, each a proper name', () => {
  const withRids = (sdp: string, mid: string, rids: string[]): string =>
    sdp.replace(`a=mid:${mid}\r\n`, `a=mid:${mid}\r\n${rids.map((r) => `a=rid:${r} send`).join('\r\n')}\r\na=simulcast:send ${rids.join(';')}\r\n`);
  checkPublishOffer(withRids(offer(), '1', ['q', 'h', 'f']), {});
  checkPublishOffer(withRids(offer(), '1', ['lo-1', 'hi_2']), {});
  refused(() => checkPublishOffer(withRids(offer(), '1', ['a', 'b', 'c', 'd', 'e']), {}), /m-line 2 has more than 4 simulcast layers/);
  refused(() => checkPublishOffer(withRids(offer(), '0', ['q', 'h']), {}), /m-line 1 \(audio\) has a=rid: simulcast is for video only/);
  refused(() => checkPublishOffer(withRids(offer(), '1', ['q', 'h!']), {}), /rid 'h!' that is not/);
});
