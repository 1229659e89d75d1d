// Rewrites the settings tables in docs/configuration.md from src/config/schema.ts.
// `npm run docs:config` after adding or changing a setting; the unit tests check the file is current.
import { readFileSync, writeFileSync } from 'node:fs';
import { withSettingsTables } from '../src/config/config-docs.js';

const path = new URL('../docs/configuration.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withSettingsTables(before);
if (after === before) console.log('docs/configuration.md is up to date');
else {
  writeFileSync(path, after);
  console.log('docs/configuration.md: settings tables rewritten');
}
