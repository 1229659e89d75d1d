/**
 * docs/protocol.md documents every message, error code and close code of
 * this folder; these checks fail when one is added here and not there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CLOSE_ABNORMAL, CLOSE_GAVE_UP, CLOSE_GOING_AWAY, CLOSE_NORMAL } from './close-codes.js';
import { ERRORS, type ErrorCode } from './errors.js';
import { leaveReason } from './fields.js';
import { clientMessage, moderationRequest, serverMessage } from './messages.js';

const docs = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
const rows = docs.split('\n').filter((line) => line.startsWith('| `'));
const rowFor = (name: string): string | undefined => rows.find((row) => row.startsWith(`| \`${name}\` |`));

test('every client and server message has its row', () => {
  for (const schema of [clientMessage, serverMessage]) {
    for (const option of schema.options) {
      const type = option.shape.type.value;
      assert.ok(rowFor(type), `docs/protocol.md: no row for message '${type}'`);
    }
  }
});

test('every moderation action and leave reason is named', () => {
  for (const option of moderationRequest.options) assert.ok(docs.includes(`\`${option.shape.action.value}\``), option.shape.action.value);
  for (const reason of leaveReason.options) assert.ok(docs.includes(`\`${reason}\``), reason);
});

test('every error code has its row with its HTTP status and close code', () => {
  for (const code of Object.keys(ERRORS) as ErrorCode[]) {
    const row = rowFor(code);
    assert.ok(row, `docs/protocol.md: no row for error code '${code}'`);
    const [, , status, close] = row.split('|').map((cell) => cell.trim());
    assert.equal(Number(status), ERRORS[code].status, `${code}: HTTP status`);
    assert.equal(Number(close), ERRORS[code].closeCode, `${code}: close code`);
  }
});

test('every close code outside the catalogue has its row', () => {
  const closeRows = docs.split('\n').filter((line) => /^\| \d{4} \|/.test(line));
  for (const closeCode of [CLOSE_NORMAL, CLOSE_GOING_AWAY, CLOSE_ABNORMAL, CLOSE_GAVE_UP]) {
    assert.ok(closeRows.some((row) => row.startsWith(`| ${closeCode} |`)), `docs/protocol.md: no row for close code ${closeCode}`);
  }
});
