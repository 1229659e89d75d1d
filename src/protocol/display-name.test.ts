import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_DISPLAY_NAME_GRAPHEMES, MAX_DISPLAY_NAME_LENGTH, normalizeDisplayName } from './display-name.js';
import { parseClientMessage } from './messages.js';

test('control, bidi-override and zero-width characters never reach anyone', () => {
  assert.equal(normalizeDisplayName('\u202Eevil\u200B\u200B\u0007\u0000 name'), 'evil name');
  assert.equal(normalizeDisplayName('Ada\u2066\u2069 \u200E\u200FLovelace'), 'Ada Lovelace');
  assert.equal(normalizeDisplayName('\uFEFF\u2060\u00AD\u3164'), '', 'only invisible characters: empty (the caller picks a name)');
  assert.equal(normalizeDisplayName('line\nbreak\ttab\r\n'), 'line break tab');
  assert.equal(normalizeDisplayName('  many     spaces\u00A0\u3000here  '), 'many spaces here');
  assert.equal(normalizeDisplayName('tag\u{E0041}\u{E0042}smuggled'), 'tagsmuggled');
});

test('real names survive: accents (NFC), scripts, emoji sequences with their joiners', () => {
  assert.equal(normalizeDisplayName('Jose\u0301'), 'José', 'composed');
  for (const name of ['Zoë Nguyễn', 'محمد علي', 'श्रीनिवास', 'می‌خواهم', '👨‍👩‍👧 family', '李小龙', 'Ödön 🇭🇺']) {
    assert.equal(normalizeDisplayName(name), name.normalize('NFC'), name);
  }
  assert.equal(normalizeDisplayName('\u200Dstray\u200D joiners\u200D a\u200D\u200Db'), 'stray joiners a\u200Db', 'joiners only between visible characters, one at a time');
});

test('length counts characters as people do, and marks per character are capped', () => {
  const family = '👨‍👩‍👧';
  const name = normalizeDisplayName(family.repeat(100));
  assert.ok(name.length <= MAX_DISPLAY_NAME_LENGTH);
  assert.equal(name, family.repeat(Math.floor(MAX_DISPLAY_NAME_LENGTH / family.length)), 'cut between clusters, never inside one');
  assert.equal([...new Intl.Segmenter('und', { granularity: 'grapheme' }).segment(normalizeDisplayName('é'.repeat(500)))].length, MAX_DISPLAY_NAME_GRAPHEMES);
  const zalgo = `Z${'\u0301\u0316\u0337'.repeat(100)}algo`;
  assert.equal(normalizeDisplayName(zalgo).length, 'Z'.length + 8 + 'algo'.length);
});

test('names from clients are normalised as the message is parsed', () => {
  const parsed = parseClientMessage(JSON.stringify({ type: 'set-display-name', displayName: '\u202Eevil\u200B' }));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.message, { type: 'set-display-name', displayName: 'evil' });
  assert.equal(parseClientMessage(JSON.stringify({ type: 'set-display-name', displayName: 'x'.repeat(2000) })).ok, false, 'absurdly long: malformed');
});
