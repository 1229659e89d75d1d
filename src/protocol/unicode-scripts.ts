/**
 * Which writing system a character belongs to (its Unicode Script
 * property), for the room-name rule against names that mix scripts
 * (room-name.ts). Runs the same in Node and the browser: both engines have
 * `\p{Script=...}` regular expressions; a script an engine does not know is
 * left out, and its characters count as 'Unknown'.
 */

/** Characters every script shares: digits, punctuation (Common), combining marks (Inherited). */
const SHARED = /^[\p{Script=Common}\p{Script=Inherited}]$/u;
const LATIN = /^\p{Script=Latin}$/u;

/** Unicode's script names besides Latin, Common and Inherited (Latin is tried first: it is the most common). */
const OTHER_SCRIPTS = [
  'Adlam', 'Ahom', 'Anatolian_Hieroglyphs', 'Arabic', 'Armenian', 'Avestan', 'Balinese', 'Bamum', 'Bassa_Vah',
  'Batak', 'Bengali', 'Bhaiksuki', 'Bopomofo', 'Brahmi', 'Braille', 'Buginese', 'Buhid', 'Canadian_Aboriginal',
  'Carian', 'Caucasian_Albanian', 'Chakma', 'Cham', 'Cherokee', 'Chorasmian', 'Coptic', 'Cuneiform', 'Cypriot',
  'Cypro_Minoan', 'Cyrillic', 'Deseret', 'Devanagari', 'Dives_Akuru', 'Dogra', 'Duployan', 'Egyptian_Hieroglyphs',
  'Elbasan', 'Elymaic', 'Ethiopic', 'Georgian', 'Glagolitic', 'Gothic', 'Grantha', 'Greek', 'Gujarati',
  'Gunjala_Gondi', 'Gurmukhi', 'Han', 'Hangul', 'Hanifi_Rohingya', 'Hanunoo', 'Hatran', 'Hebrew', 'Hiragana',
  'Imperial_Aramaic', 'Inscriptional_Pahlavi', 'Inscriptional_Parthian', 'Javanese', 'Kaithi', 'Kannada',
  'Katakana', 'Kayah_Li', 'Kharoshthi', 'Khitan_Small_Script', 'Khmer', 'Khojki', 'Khudawadi', 'Lao', 'Lepcha',
  'Limbu', 'Linear_A', 'Linear_B', 'Lisu', 'Lycian', 'Lydian', 'Mahajani', 'Makasar', 'Malayalam', 'Mandaic',
  'Manichaean', 'Marchen', 'Masaram_Gondi', 'Medefaidrin', 'Meetei_Mayek', 'Mende_Kikakui', 'Meroitic_Cursive',
  'Meroitic_Hieroglyphs', 'Miao', 'Modi', 'Mongolian', 'Mro', 'Multani', 'Myanmar', 'Nabataean', 'Nandinagari',
  'New_Tai_Lue', 'Newa', 'Nko', 'Nushu', 'Nyiakeng_Puachue_Hmong', 'Ogham', 'Ol_Chiki', 'Old_Hungarian',
  'Old_Italic', 'Old_North_Arabian', 'Old_Permic', 'Old_Persian', 'Old_Sogdian', 'Old_South_Arabian', 'Old_Turkic',
  'Old_Uyghur', 'Oriya', 'Osage', 'Osmanya', 'Pahawh_Hmong', 'Palmyrene', 'Pau_Cin_Hau', 'Phags_Pa', 'Phoenician',
  'Psalter_Pahlavi', 'Rejang', 'Runic', 'Samaritan', 'Saurashtra', 'Sharada', 'Shavian', 'Siddham', 'SignWriting',
  'Sinhala', 'Sogdian', 'Sora_Sompeng', 'Soyombo', 'Sundanese', 'Syloti_Nagri', 'Syriac', 'Tagalog', 'Tagbanwa',
  'Tai_Le', 'Tai_Tham', 'Tai_Viet', 'Takri', 'Tamil', 'Tangsa', 'Tangut', 'Telugu', 'Thaana', 'Thai', 'Tibetan',
  'Tifinagh', 'Tirhuta', 'Toto', 'Ugaritic', 'Vai', 'Vithkuqi', 'Wancho', 'Warang_Citi', 'Yezidi', 'Yi',
  'Zanabazar_Square',
];

let compiled: [string, RegExp][] | undefined;

function otherScripts(): [string, RegExp][] {
  compiled ??= OTHER_SCRIPTS.flatMap((name): [string, RegExp][] => {
    try {
      return [[name, new RegExp(`^\\p{Script=${name}}$`, 'u')]];
    } catch {
      return [];
    }
  });
  return compiled;
}

/** The script of one character (a code point), or undefined for characters every script shares. */
export function scriptOf(char: string): string | undefined {
  if (SHARED.test(char)) return undefined;
  if (LATIN.test(char)) return 'Latin';
  return otherScripts().find(([, re]) => re.test(char))?.[0] ?? 'Unknown';
}

/** The scripts a text uses, in order of first appearance (shared characters aside). */
export function scriptsIn(text: string): string[] {
  const found = new Set<string>();
  for (const char of text) {
    const script = scriptOf(char);
    if (script) found.add(script);
  }
  return [...found];
}
