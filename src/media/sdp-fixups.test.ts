import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { declareIceLiteAtSessionLevel, forBrowser, keepInactiveSectionsBundled, withoutExtmapAllowMixed } from './sdp-fixups.js';

/** The shape werift writes: ice-lite inside each m-section, an inactive second section on port 0. */
const WERIFT_OFFER = [
  'v=0',
  'o=- 1 0 IN IP4 0.0.0.0',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=extmap-allow-mixed',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=ice-ufrag:abcd',
  'a=ice-lite',
  'a=mid:0',
  'a=sendonly',
  'm=video 0 UDP/TLS/RTP/SAVPF 96',
  'a=ice-ufrag:abcd',
  'a=ice-lite',
  'a=mid:1',
  'a=inactive',
  '',
].join('\r\n');

describe('SDP fixups for browsers', () => {
  test('a=ice-lite moves to the session level, once, right after t=', () => {
    const lines = declareIceLiteAtSessionLevel(WERIFT_OFFER).split('\r\n');
    assert.equal(lines.filter((l) => l === 'a=ice-lite').length, 1);
    assert.equal(lines.indexOf('a=ice-lite'), lines.indexOf('t=0 0') + 1);
    assert.ok(lines.indexOf('a=ice-lite') < lines.findIndex((l) => l.startsWith('m=')));
  });

  test('an SDP without ice-lite (a full agent) is left as it is', () => {
    const full = WERIFT_OFFER.replaceAll('a=ice-lite\r\n', '');
    assert.equal(declareIceLiteAtSessionLevel(full), full);
  });

  test('an inactive m-section keeps port 9 so it stays in the bundle; active ones are untouched', () => {
    const out = keepInactiveSectionsBundled(WERIFT_OFFER);
    assert.match(out, /\r\nm=video 9 UDP/);
    assert.match(out, /\r\nm=audio 9 UDP/);
  });

  test('a=extmap-allow-mixed is not declared: we only write one-byte header extensions', () => {
    assert.ok(WERIFT_OFFER.includes('a=extmap-allow-mixed'));
    assert.ok(!withoutExtmapAllowMixed(WERIFT_OFFER).includes('extmap-allow-mixed'));
  });

  test('forBrowser applies all of them and keeps CRLF line ends', () => {
    const out = forBrowser(WERIFT_OFFER);
    assert.match(out, /^v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n/);
    assert.ok(!out.includes('extmap-allow-mixed'));
    assert.match(out, /\r\nm=video 9 /);
    assert.ok(!out.includes('\r\na=ice-lite\r\na=mid'));
    assert.ok(!/[^\r]\n/.test(out), 'no bare LF');
  });
});
