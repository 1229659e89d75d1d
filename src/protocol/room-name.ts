/**
 * Room addresses, as in Jitsi: `/<room>` or `/<tenant>/<room>`. This file is
 * the one place for the naming rule; the page, signaling, token `room`
 * comparison, webhooks and the REST API all go through it.
 *
 * A name is 1-64 letters or digits of any language, with `.`, `-` or `_`
 * between them, starting with a letter or digit. It is NFC-normalised and
 * case-folded (Unicode simple case folding, code point by code point, so the
 * length in code points does not change), so `/Maths-101` and `/maths-101`,
 * `/ТЕСТ` and `/тест` are the same class, and that folded form is the name
 * everywhere after this. Names that could confuse are refused: mixed
 * scripts (a Cyrillic 'а' in a Latin name; Chinese, Japanese and Korean may
 * mix with Latin, as Unicode's "highly restrictive" identifier profile
 * allows), invisible direction or format controls, path separators and `..`.
 */
import { ConfabError } from './errors.js';
import { scriptsIn } from './unicode-scripts.js';

export const MAX_NAME_LENGTH = 64;

/** Paths the server serves itself; they can never be room names. */
export const RESERVED_NAMES = new Set([
  'assets', 'healthz', 'readyz', 'metrics', 'signaling', 'api', 'http-bind', 'xmpp-websocket',
  'external_api.js', 'favicon.ico', 'robots.txt', 'static',
]);

export interface RoomAddress {
  /** Folded tenant, or undefined for the default domain. */
  readonly tenant: string | undefined;
  /** Folded room name. */
  readonly room: string;
  /** Unique key of the room across tenants: `tenant/room` or `room`. */
  readonly key: string;
}

/** What the error message says is allowed, whatever was wrong. */
export const NAME_RULE =
  "use 1-64 letters or digits of one script (Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari...; Chinese, Japanese or Korean may mix with Latin), with '.', '-' or '_' between them, starting with a letter or digit";

const ALLOWED = /^[\p{L}\p{Nd}][\p{L}\p{M}\p{Nd}._-]*$/u;
/** Invisible characters that change how text is shown: bidi controls, zero-width joiners, other format characters. */
const FORMAT = /[\p{Cf}\p{Cc}]/u;
const SEPARATORS = /[/\\]/;
/** Scripts that may share a name, besides one script alone (UTS #39, highly restrictive). */
const MIXES: readonly (readonly string[])[] = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];

/** One code point's simple case folding: its lowercase of its uppercase, when that is one code point. */
function foldChar(char: string): string {
  const folded = char.toUpperCase().toLowerCase();
  if ([...folded].length === 1) return folded;
  const lower = char.toLowerCase();
  return [...lower].length === 1 ? lower : char;
}

/** The form names are compared and kept in: NFC, case-folded code point by code point. */
export function foldName(name: string): string {
  return [...name.normalize('NFC')].map(foldChar).join('').normalize('NFC');
}

/** Whether two names (a token's `room` claim and a room, say) name the same room. */
export function sameName(a: string, b: string): boolean {
  return foldName(a) === foldName(b);
}

/** A name as it can be shown in a message: invisible characters written out, cut to 80 code points. */
function shown(raw: string): string {
  const visible = [...raw].map((c) => (FORMAT.test(c) ? `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}` : c));
  return visible.length > 80 ? visible.slice(0, 80).join('') : visible.join('');
}

/** Why a (folded) name is not allowed, or undefined when it is. */
function problemWith(name: string): string | undefined {
  const format = FORMAT.exec(name);
  if (format) return `contains an invisible control character (U+${format[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) that can make it look like another name`;
  const separator = SEPARATORS.exec(name);
  if (separator) return `contains '${separator[0]}', a path separator`;
  if (name.includes('..')) return "contains '..'";
  const length = [...name].length;
  if (length === 0) return 'is empty';
  if (length > MAX_NAME_LENGTH) return `is ${length} characters long`;
  if (!ALLOWED.test(name)) {
    if (!/^[\p{L}\p{Nd}]/u.test(name)) return 'does not start with a letter or digit';
    const bad = [...name].find((c) => !/[\p{L}\p{M}\p{Nd}._-]/u.test(c))!;
    return `contains '${bad}'`;
  }
  const scripts = scriptsIn(name);
  if (scripts.length > 1 && !MIXES.some((mix) => scripts.every((s) => mix.includes(s)))) {
    return `mixes ${scripts.slice(0, -1).join(', ')} and ${scripts.at(-1)} letters, which can make it look like another name`;
  }
  return undefined;
}

function checkName(raw: string, what: 'room' | 'tenant'): string {
  const name = foldName(raw);
  const code = what === 'room' ? 'room_name_invalid' : 'tenant_name_invalid';
  const problem = problemWith(name);
  if (problem) throw new ConfabError(code, `${what} name '${shown(raw)}' is not valid: it ${problem}; ${NAME_RULE}`);
  // Tenants too: `/api/...` is the REST API, so `/%61pi/...` (decoded before this check) must not open tenant `api`.
  if (RESERVED_NAMES.has(name)) {
    throw new ConfabError(code, `${what} name '${shown(raw)}' is reserved by the server`);
  }
  return name;
}

export function roomAddress(room: string, tenant?: string): RoomAddress {
  const r = checkName(room, 'room');
  const t = tenant === undefined || tenant === '' ? undefined : checkName(tenant, 'tenant');
  return { tenant: t, room: r, key: t ? `${t}/${r}` : r };
}

/**
 * Parses the path below the base path (no leading slash), still
 * URL-encoded, e.g. `maths-101`, `school/maths-101` or `%D1%82%D0%B5%D1%81%D1%82`.
 * Throws a ConfabError naming the bad segment.
 */
export function parseRoomPath(path: string): RoomAddress {
  // Split before decoding: an encoded slash (%2F) is part of a name (and refused there), not a separator.
  let parts: string[];
  try {
    parts = path.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  } catch {
    throw new ConfabError('room_name_invalid', `room path '${path.slice(0, 80)}' is not valid URL encoding`);
  }
  if (parts.length === 1) return roomAddress(parts[0]!);
  if (parts.length === 2) return roomAddress(parts[1]!, parts[0]!);
  throw new ConfabError(
    'room_name_invalid',
    parts.length === 0
      ? 'no room name in the address: open /<room>, e.g. /maths-101'
      : `address '/${parts.map(shown).join('/')}' has ${parts.length} parts: use /<room> or /<tenant>/<room>`,
  );
}
