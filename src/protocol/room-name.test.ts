import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfabError } from './errors.js';
import { MAX_NAME_LENGTH, NAME_RULE, RESERVED_NAMES, foldName, parseRoomPath, roomAddress, sameName } from './room-name.js';

/** Asserts that `fn` throws a ConfabError with `code` whose message contains every one of `parts`. */
function assertRejects(fn: () => unknown, code: string, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfabError, `expected a ConfabError, got ${String(e)}`);
    assert.equal(e.code, code);
    for (const part of parts) assert.ok(e.message.includes(part), `'${e.message}' should contain '${part}'`);
    return true;
  });
}

describe('roomAddress', () => {
  test('a room without tenant', () => {
    assert.deepEqual(roomAddress('maths-101'), { tenant: undefined, room: 'maths-101', key: 'maths-101' });
  });

  test('a room in a tenant', () => {
    assert.deepEqual(roomAddress('maths-101', 'school'), { tenant: 'school', room: 'maths-101', key: 'school/maths-101' });
  });

  test('an empty tenant means no tenant', () => {
    assert.deepEqual(roomAddress('maths-101', ''), { tenant: undefined, room: 'maths-101', key: 'maths-101' });
  });

  test('names are stored lowercase', () => {
    assert.deepEqual(roomAddress('Maths-101', 'SCHOOL'), { tenant: 'school', room: 'maths-101', key: 'school/maths-101' });
  });

  test('accepts letters, digits, dots, dashes and underscores up to 64 characters', () => {
    for (const name of ['a', '7', 'a.b', 'a-b', 'a_b', 'class.2024_spring-b', '0', 'a'.repeat(64), 'room.', 'room-']) {
      assert.equal(roomAddress(name).room, name, name);
    }
  });

  test('rejects invalid room names with room_name_invalid naming the name', () => {
    for (const name of ['', '-a', '.a', '_a', 'a b', 'a/b', 'a..b', 'a'.repeat(65), 'a?b', 'a#b', 'a%20b']) {
      assertRejects(() => roomAddress(name), 'room_name_invalid', `room name '${name}' is not valid`);
    }
  });

  test('the full message says what was wrong and what is allowed', () => {
    assert.throws(() => roomAddress('a b'), {
      code: 'room_name_invalid',
      message: `room name 'a b' is not valid: it contains ' '; ${NAME_RULE}`,
    });
    assert.match(NAME_RULE, /^use 1-64 letters or digits of one script .*starting with a letter or digit$/);
  });

  test('a very long name is cut to 80 characters in the message', () => {
    const name = 'x'.repeat(200);
    assertRejects(() => roomAddress(name), 'room_name_invalid', `room name '${'x'.repeat(80)}' is not valid`);
  });

  test('rejects invalid tenant names with tenant_name_invalid naming the tenant', () => {
    for (const tenant of ['-school', 'my school', 'a..b', 's'.repeat(65)]) {
      assertRejects(() => roomAddress('maths', tenant), 'tenant_name_invalid', `tenant name '${tenant}' is not valid`);
    }
  });

  test('rejects reserved names as rooms, in any case', () => {
    assert.equal(RESERVED_NAMES.size, 12);
    for (const name of RESERVED_NAMES) {
      assertRejects(() => roomAddress(name), 'room_name_invalid', `room name '${name}' is reserved by the server`);
    }
    assertRejects(() => roomAddress('Assets'), 'room_name_invalid', "room name 'Assets' is reserved by the server");
    assertRejects(() => roomAddress('HealthZ'), 'room_name_invalid', 'reserved');
  });

  test('reserved names are refused as tenants too, percent-encoded or not', () => {
    assertRejects(() => roomAddress('maths', 'static'), 'tenant_name_invalid', "tenant name 'static' is reserved by the server");
    assertRejects(() => parseRoomPath('%61pi/x'), 'tenant_name_invalid', "tenant name 'api' is reserved by the server");
    assertRejects(() => parseRoomPath('%41SSETS/x'), 'tenant_name_invalid', 'reserved');
    assert.equal(parseRoomPath('%61pi-school/x').key, 'api-school/x');
  });

  test('similar but unreserved names are fine', () => {
    assert.equal(roomAddress('assets2').room, 'assets2');
    assert.equal(roomAddress('api-class').room, 'api-class');
  });
});

describe('Unicode names (issue 12)', () => {
  test('letters and digits of any script are accepted, kept NFC and case-folded', () => {
    const cases: [string, string][] = [
      ['тест', 'тест'],
      ['ТЕСТ', 'тест'],
      ['Физика-7', 'физика-7'],
      ['数学クラス', '数学クラス'],
      ['数学-Class-2', '数学-class-2'],
      ['수학반', '수학반'],
      ['Ελληνικά', 'ελληνικά'],
      ['ΟΔΟΣ', 'οδοσ'],
      ['हिंदी-कक्षा', 'हिंदी-कक्षा'],
      ['العربية', 'العربية'],
      ['עברית_א', 'עברית_א'],
      ['Straße', 'straße'],
      ['ÉCOLE', 'école'],
      ['٣', '٣'],
    ];
    for (const [name, folded] of cases) assert.equal(roomAddress(name).room, folded, name);
  });

  test('NFC: a decomposed é and a composed é are the same room', () => {
    const decomposed = 'e\u0301cole';
    assert.notEqual(decomposed, 'école');
    assert.equal(roomAddress(decomposed).room, 'école');
    assert.equal(roomAddress(decomposed).key, roomAddress('ÉCOLE').key);
  });

  test('case folding is Unicode simple folding: final sigma, long s, Kelvin sign', () => {
    assert.ok(sameName('ΟΔΟΣ', 'οδος'), 'final sigma folds to sigma');
    assert.ok(sameName('ſchool', 'SCHOOL'), 'long s folds to s');
    assert.ok(sameName('\u212Aelvin', 'kelvin'), 'the Kelvin sign folds to k');
    assert.ok(!sameName('straße', 'strasse'), 'simple folding keeps ß (full folding would make it ss)');
    assert.equal(foldName(foldName('ΣΊΣΥΦΟΣ')), foldName('ΣΊΣΥΦΟΣ'), 'folding twice changes nothing');
  });

  test('length is counted in code points after NFC: 64 Cyrillic letters fit, 65 do not', () => {
    assert.equal(MAX_NAME_LENGTH, 64);
    assert.equal(roomAddress('ж'.repeat(64)).room, 'ж'.repeat(64));
    assert.equal(roomAddress('e\u0301'.repeat(64)).room.length, 64, 'decomposed letters compose first');
    assertRejects(() => roomAddress('ж'.repeat(65)), 'room_name_invalid', 'is 65 characters long');
    assert.equal([...roomAddress('𠀀'.repeat(64)).room].length, 64, 'a letter outside the BMP is one code point (two UTF-16 units)');
  });

  test('mixed scripts are refused, naming them; CJK with Latin is allowed', () => {
    assertRejects(() => roomAddress('pаypal'), 'room_name_invalid', "room name 'pаypal' is not valid: it mixes Latin and Cyrillic letters");
    assertRejects(() => roomAddress('maths-тест'), 'room_name_invalid', 'mixes Latin and Cyrillic letters');
    assertRejects(() => roomAddress('αβγ-abc'), 'room_name_invalid', 'mixes Greek and Latin letters');
    assertRejects(() => roomAddress('тестαβ'), 'room_name_invalid', 'mixes Cyrillic and Greek letters');
    assert.equal(roomAddress('中文-class').room, '中文-class');
    assert.equal(roomAddress('ひらがなカタカナ漢字abc').room, 'ひらがなカタカナ漢字abc');
  });

  test('invisible controls are refused, shown escaped in the message', () => {
    for (const [name, cp] of [['maths\u202Etxt', '202E'], ['a\u200Bb', '200B'], ['\u2066maths', '2066'], ['ab\u200D', '200D'], ['a\u0000', '0000']] as const) {
      assertRejects(() => roomAddress(name), 'room_name_invalid', `contains an invisible control character (U+${cp})`, `\\u{${cp.replace(/^0+(?=.)/, '')}}`);
    }
  });

  test('symbols, emoji and non-decimal numbers are not letters or digits', () => {
    for (const [name, bad] of [['maths😀', '😀'], ['a²', '²'], ['a①', '①'], ['a$b', '$'], ['a:b', ':']] as const) {
      assertRejects(() => roomAddress(name), 'room_name_invalid', `contains '${bad}'`);
    }
    assertRejects(() => roomAddress('\u0301a'), 'room_name_invalid', 'does not start with a letter or digit');
  });

  test('tenants follow the same rule with tenant_name_invalid', () => {
    assert.equal(roomAddress('тест', 'ШКОЛА').key, 'школа/тест');
    assertRejects(() => roomAddress('maths', 'schооl'), 'tenant_name_invalid', 'mixes Latin and Cyrillic letters');
  });
});

describe('parseRoomPath', () => {
  test('one segment is a room', () => {
    assert.deepEqual(parseRoomPath('maths-101'), { tenant: undefined, room: 'maths-101', key: 'maths-101' });
  });

  test('two segments are tenant and room', () => {
    assert.deepEqual(parseRoomPath('school/maths-101'), { tenant: 'school', room: 'maths-101', key: 'school/maths-101' });
  });

  test('lowercases, so differently cased paths give the same key', () => {
    assert.equal(parseRoomPath('School/Maths-101').key, 'school/maths-101');
    assert.equal(parseRoomPath('MATHS-101').key, parseRoomPath('maths-101').key);
  });

  test('ignores leading, trailing and doubled slashes', () => {
    assert.equal(parseRoomPath('/maths-101/').key, 'maths-101');
    assert.equal(parseRoomPath('school//maths-101').key, 'school/maths-101');
  });

  test('decodes URL escapes in each segment', () => {
    assert.equal(parseRoomPath('maths%2D101').room, 'maths-101');
    assert.equal(parseRoomPath('%53chool/%4Daths').key, 'school/maths');
  });

  test('an encoded slash is part of the name, not a separator, and refused as a path separator', () => {
    assertRejects(() => parseRoomPath('school%2Fmaths'), 'room_name_invalid', "room name 'school/maths' is not valid: it contains '/', a path separator");
    assertRejects(() => parseRoomPath('school%5Cmaths'), 'room_name_invalid', "contains '\\', a path separator");
  });

  test('UTF-8 paths decode to Unicode names (the report of issue 12: /тест)', () => {
    assert.deepEqual(parseRoomPath('%D1%82%D0%B5%D1%81%D1%82'), { tenant: undefined, room: 'тест', key: 'тест' });
    assert.deepEqual(parseRoomPath('%C3%A9cole/%D0%A2%D0%95%D0%A1%D0%A2'), { tenant: 'école', room: 'тест', key: 'école/тест' });
  });

  test('a decoded space is still invalid, and the message shows the decoded segment', () => {
    assertRejects(() => parseRoomPath('maths%20101'), 'room_name_invalid', "room name 'maths 101' is not valid");
  });

  test('bad URL encoding fails with room_name_invalid', () => {
    assert.throws(() => parseRoomPath('maths%E0%A4%A'), {
      code: 'room_name_invalid',
      message: "room path 'maths%E0%A4%A' is not valid URL encoding",
    });
    assertRejects(() => parseRoomPath('%'), 'room_name_invalid', "room path '%'");
  });

  test('an empty path asks for a room name', () => {
    for (const path of ['', '/', '//']) {
      assert.throws(() => parseRoomPath(path), {
        code: 'room_name_invalid',
        message: 'no room name in the address: open /<room>, e.g. /maths-101',
      });
    }
  });

  test('three or more segments are refused, quoting the address', () => {
    assert.throws(() => parseRoomPath('a/b/c'), {
      code: 'room_name_invalid',
      message: "address '/a/b/c' has 3 parts: use /<room> or /<tenant>/<room>",
    });
    assertRejects(() => parseRoomPath('a/b/c/d'), 'room_name_invalid', "'/a/b/c/d' has 4 parts");
  });

  test('the message names the bad segment: the room', () => {
    assertRejects(() => parseRoomPath('school/bad room!'), 'room_name_invalid', "room name 'bad room!'");
  });

  test('the message names the bad segment: the tenant', () => {
    assertRejects(() => parseRoomPath('bad_tenant!/maths'), 'tenant_name_invalid', "tenant name 'bad_tenant!'");
  });

  test('a reserved room is refused under a tenant too', () => {
    assertRejects(() => parseRoomPath('school/metrics'), 'room_name_invalid', "room name 'metrics' is reserved");
  });
});
