/**
 * A setting is declared once (schema.ts): the docs' tables come from it, and
 * what it says it feeds must be what the Config has.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { withSettingsTables } from './config-docs.js';
import { loadConfig } from './config.js';
import { CONFIG_KEYS, SETTINGS } from './schema.js';
import { Secret } from './secret.js';

const docsPath = new URL('../../docs/configuration.md', import.meta.url);

/** Every field path of a loaded Config: nested settings objects are walked; lists and secrets are fields. */
function fieldPaths(value: object, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, v]) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Secret) ? fieldPaths(v as object, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

/** A configuration with every optional part present (TURN, webhooks), so all its fields exist. */
const full = loadConfig({ TURN_HOST: 'turn.example.org', TURN_CREDENTIALS: 'secret', WEBHOOK_URL: 'https://lms.example.org/hook', WEBHOOK_SECRET: 'x'.repeat(32), REDIS_URL: 'redis://redis:6379' });

/** Fields no setting feeds directly. */
const DERIVED = ['warnings'];

test('docs/configuration.md has the tables the declarations generate (else: npm run docs:config)', () => {
  const docs = readFileSync(docsPath, 'utf8');
  assert.equal(docs, withSettingsTables(docs), 'docs/configuration.md is out of date: run `npm run docs:config`');
  for (const key of CONFIG_KEYS) assert.ok(docs.includes(`| \`${key}\``), `${key} has a row`);
});

test('every Config field is fed by a setting, and every setting feeds fields that exist', () => {
  const fields = fieldPaths(full);
  const fed = new Set<string>(CONFIG_KEYS.flatMap((key) => [SETTINGS[key].feeds].flat()));
  for (const field of fields) assert.ok(fed.has(field) || DERIVED.includes(field), `no setting feeds Config.${field}`);
  for (const field of fed) assert.ok(fields.includes(field), `a setting feeds Config.${field}, which does not exist`);
});

test('each setting documents itself', () => {
  for (const key of CONFIG_KEYS) {
    const { doc } = SETTINGS[key];
    assert.ok(doc.length > 10 && !doc.endsWith('.'), `${key}: a phrase for the table, without a final period`);
  }
});
