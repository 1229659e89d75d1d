// Rewrites the embed API and link option tables in docs/running-a-class.md from web/src/embed/catalogue.ts.
// `npm run docs:embed` after changing the catalogue; the unit tests check the file is current.
import { readFileSync, writeFileSync } from 'node:fs';
import { withCatalogueTables } from '../web/src/embed/catalogue-docs.js';

const path = new URL('../docs/running-a-class.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withCatalogueTables(before);
if (after === before) console.log('docs/running-a-class.md is up to date');
else {
  writeFileSync(path, after);
  console.log('docs/running-a-class.md: embed tables rewritten');
}
