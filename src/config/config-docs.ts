/**
 * The configuration tables of docs/configuration.md, generated from the
 * declarations in schema.ts so the docs cannot drift from the code:
 * `npm run docs:config` rewrites them, and config-docs.test.ts fails when
 * the file differs from what this generates.
 */
import { CONFIG_KEYS, SETTINGS, type Setting, type SettingGroup } from './schema.js';

/** Where a group's generated table goes: between these two lines. */
export const tableMarkers = (group: SettingGroup): readonly [string, string] => [
  `<!-- settings:${group} (generated from src/config/schema.ts by npm run docs:config) -->`,
  `<!-- /settings:${group} -->`,
];

/** The default as the environment would spell it. */
function shownDefault(setting: Setting): string {
  if (setting.shownDefault !== undefined) return setting.shownDefault;
  const parsed = setting.schema.safeParse(undefined);
  const value: unknown = parsed.success ? parsed.data : undefined;
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return 'unset';
  if (typeof value === 'boolean') return value ? '`1`' : '`0`';
  return `\`${String(value)}\``;
}

const code = (text: string): string => `\`${text}\``;

function row(key: string, setting: Setting): string {
  const name = setting.jitsiName ? `${code(key)} (or ${code(setting.jitsiName)})` : code(key);
  const feeds = [setting.feeds].flat();
  const fields = feeds.length > 0 ? feeds.map((f) => code(f)).join(', ') : 'checked only';
  return `| ${name} | ${shownDefault(setting)} | ${setting.doc} | ${fields} |`;
}

/** The markdown table of one group's settings, in declaration order. */
export function settingsTable(group: SettingGroup): string {
  const rows = CONFIG_KEYS.filter((key) => SETTINGS[key].group === group).map((key) => row(key, SETTINGS[key]));
  return ['| Variable | Default | Meaning | Sets (`Config`) |', '|---|---|---|---|', ...rows].join('\n');
}

/** `markdown` with every group's table (between its markers) replaced by the generated one. */
export function withSettingsTables(markdown: string): string {
  let out = markdown;
  for (const group of ['server', 'media', 'auth', 'webhooks', 'cluster'] as const) {
    const [start, end] = tableMarkers(group);
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`no ${start} ... ${end} in the configuration docs`);
    out = `${out.slice(0, from + start.length)}\n${settingsTable(group)}\n${out.slice(to)}`;
  }
  return out;
}
