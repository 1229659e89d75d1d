/**
 * Display names as everyone else sees them. A name comes from a client (its
 * hello, a rename) or a token, and goes to every participant's screen, the
 * logs, the attendance webhooks and the REST API; before any of that it is
 * normalised here (issue 11: a name with a right-to-left override, zero-width
 * spaces, BEL and NUL reached the others and the REST API as it was):
 *
 * - NFC, so the same name typed on two systems is the same string;
 * - control characters become spaces; bidi overrides, embeddings and
 *   isolates (which make "evil.exe" read "exe.live"), zero-width and other
 *   invisible characters (which make a name look like another, or empty)
 *   are removed; zero-width joiners stay only between two visible characters,
 *   where emoji sequences and Indic and Persian scripts need them;
 * - runs of whitespace become one space, and the ends are trimmed;
 * - at most MAX_DISPLAY_NAME_GRAPHEMES characters as people count them
 *   (grapheme clusters, Intl.Segmenter: an emoji family is one), each with at
 *   most MAX_MARKS_PER_GRAPHEME combining marks (no "Zalgo" text spilling
 *   over other tiles), and at most MAX_DISPLAY_NAME_LENGTH UTF-16 units.
 *
 * The result may be empty: the caller then picks a name ("Guest 3").
 */

/** Characters people count; a longer name is cut there. */
export const MAX_DISPLAY_NAME_GRAPHEMES = 64;
/** UTF-16 units of a normalised name (what the protocol's schemas and JSON measure). */
export const MAX_DISPLAY_NAME_LENGTH = 256;
/** Combining marks kept on one character (Vietnamese and Indic scripts use up to 3 or 4). */
export const MAX_MARKS_PER_GRAPHEME = 8;
/** A name longer than this as sent is not a name: the message is malformed. */
export const MAX_DISPLAY_NAME_INPUT = 1024;

// Bidi controls: ALM, LRM, RLM, LRE..RLO (embeddings, overrides), LRI..PDI (isolates).
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
// Invisible: ZWSP, word joiner and invisible operators, deprecated format controls, BOM, Mongolian vowel
// separator, soft hyphen, combining grapheme joiner, Hangul fillers, braille blank, tag characters.
const INVISIBLE = /[\u200B\u2060-\u2064\u206A-\u206F\uFEFF\u180E\u00AD\u034F\u115F\u1160\u3164\uFFA0\u2800]|\uDB40[\uDC00-\uDC7F]/g;
const CONTROL = /[\p{Cc}\u2028\u2029\u0085]/gu;
const JOINERS = /[\u200C\u200D]+/g;
const SPACE = /[\s\p{Zs}]+/gu;
const MARK = /\p{M}/u;

const segmenter = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter('und', { granularity: 'grapheme' }) : undefined;

function graphemes(text: string): string[] {
  return segmenter ? Array.from(segmenter.segment(text), (s) => s.segment) : Array.from(text);
}

/** Keeps the first MAX_MARKS_PER_GRAPHEME combining marks of a cluster. */
function capMarks(cluster: string): string {
  let marks = 0;
  return Array.from(cluster)
    .filter((c) => !MARK.test(c) || ++marks <= MAX_MARKS_PER_GRAPHEME)
    .join('');
}

export function normalizeDisplayName(raw: string): string {
  const cleaned = raw
    .normalize('NFC')
    .replace(CONTROL, ' ')
    .replace(BIDI, '')
    .replace(INVISIBLE, '')
    // A joiner run counts as one, and only between two visible characters.
    .replace(JOINERS, (run, at: number, all: string) => {
      const before = all[at - 1];
      const after = all[at + run.length];
      return before === undefined || after === undefined || /\s/.test(before) || /\s/.test(after) ? '' : run[0]!;
    })
    .replace(SPACE, ' ')
    .trim();
  let name = '';
  let count = 0;
  for (const cluster of graphemes(cleaned)) {
    const kept = capMarks(cluster);
    if (count === MAX_DISPLAY_NAME_GRAPHEMES || name.length + kept.length > MAX_DISPLAY_NAME_LENGTH) break;
    name += kept;
    count++;
  }
  return name.trim();
}
