/**
 * The embed API and link option tables of docs/running-a-class.md,
 * generated from catalogue.ts so the docs cannot drift from the code:
 * `npm run docs:embed` rewrites them, and catalogue.test.ts fails when the
 * file differs from what this generates.
 */
import { COMMANDS, EVENTS, FUNCTIONS, LINK_OPTIONS, type CatalogueName, type EmbedEntry } from './catalogue.js';

const SECTIONS: readonly [CatalogueName, string, Record<string, EmbedEntry>][] = [
  ['command', 'Command (`executeCommand`)', COMMANDS],
  ['event', 'Event (`addListener`)', EVENTS],
  ['function', 'Function', FUNCTIONS],
  ['link option', 'Link option (`#...` or the embed options)', LINK_OPTIONS],
];

const marker = (kind: CatalogueName): readonly [string, string] => {
  const id = kind.replace(' ', '-');
  return [`<!-- embed:${id} (generated from web/src/embed/catalogue.ts by npm run docs:embed) -->`, `<!-- /embed:${id} -->`];
};

/** One table: name, status, what Confab does; the counts first. */
export function catalogueTable(kind: CatalogueName): string {
  const [, title, table] = SECTIONS.find(([k]) => k === kind)!;
  const entries = Object.entries(table);
  const supported = entries.filter(([, e]) => e.status === 'supported').length;
  const rows = entries.map(([name, e]) => `| \`${name}\` | ${e.status === 'supported' ? 'supported' : 'refused'} | ${e.note.replace(/\|/g, '\\|')} |`);
  return [`${supported} supported, ${entries.length - supported} refused.`, '', `| ${title} | Status | What Confab does |`, '|---|---|---|', ...rows].join('\n');
}

/** `markdown` with every table (between its markers) replaced by the generated one. */
export function withCatalogueTables(markdown: string): string {
  let out = markdown;
  for (const [kind] of SECTIONS) {
    const [start, end] = marker(kind);
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`no ${start} ... ${end} in docs/running-a-class.md`);
    out = `${out.slice(0, from + start.length)}\n${catalogueTable(kind)}\n${out.slice(to)}`;
  }
  return out;
}
