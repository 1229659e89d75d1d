/**
 * docs/security.md lists every per-client bound and rate in one place; this
 * test reads those tables and compares each value with the constant the code
 * uses, so neither can change without the other. A row must name its
 * constant(s) in backticks; each constant here must have its row, showing
 * its value as people read it (`1 MiB`, `30 s`, `10 at once, then 1 every 0.5 s`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { OUTBOX_LIMITS } from '../web/src/session-link.js';
import { DEFAULT_CHAT_LIMITS } from './conference/chat.js';
import { MAX_WAITING } from './conference/lobby.js';
import { loadConfig } from './config/config.js';
import { ROUTE_IDLE_MS, ROUTES_PER_ENDPOINT } from './media/transport/route-table.js';
import { MAX_BUFFERED_BYTES, MAX_UNROUTED_BYTES, MAX_UNROUTED_PER_ADDRESS, UNROUTED_TIMEOUT_MS } from './media/transport/tcp-mux.js';
import { CHAT_HISTORY_LIMIT, MAX_CHAT_TEXT } from './protocol/class-messages.js';
import { CLIENT_REPORT_CODES } from './protocol/client-reports.js';
import { MAX_DISPLAY_NAME_GRAPHEMES, MAX_DISPLAY_NAME_INPUT, MAX_DISPLAY_NAME_LENGTH, MAX_MARKS_PER_GRAPHEME } from './protocol/display-name.js';
import { MAX_POST_BYTES } from './protocol/long-poll.js';
import { MAX_MESSAGE_BYTES, MAX_PUBLISH_TRACKS, MAX_SDP_CHARS } from './protocol/messages.js';
import { DEFAULT_REPLAY_LIMITS } from './protocol/replay-buffer.js';
import { CLOSED_LINGER_MS } from './server/longpoll-transport.js';
import { SIGNALING_SEND_LIMITS } from './server/send-limits.js';
import { WS_MAX_PAYLOAD } from './server/ws-transport.js';
import { FAILURE_TTL_MS, KEY_CACHE_ENTRIES, KEY_FETCH_RATE, MAX_CACHED_FAILURES, MAX_REDIRECTS } from './service/auth/key-server.js';
import { REJOIN_TICKET_GRACE_MS } from './service/auth/rejoin-tickets.js';
import { JOIN_LIMIT_KEYS, JOIN_RATE_LIMITS } from './service/join-limits.js';
import { PARTICIPANT_RATE_LIMITS, RATE_KIND_OF } from './service/participant-limits.js';
import { LOG_LINES_PER_PARTICIPANT } from './util/log-budget.js';
import type { Rate } from './util/token-bucket.js';

const docs = readFileSync(new URL('../docs/security.md', import.meta.url), 'utf8');
const rows = docs.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('|---'));
const defaults = loadConfig({});

// How the docs write values.
const KiB = 1024;
const MiB = 1024 * KiB;
const bytes = (n: number): string => (n % MiB === 0 ? `${n / MiB} MiB` : n % KiB === 0 ? `${n / KiB} KiB` : `${n.toLocaleString('en')} bytes`);
const duration = (ms: number): string => (ms % 60_000 === 0 && ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`);
const count = (n: number): string => n.toLocaleString('en');
const rate = (r: Rate): string => `${r.burst} at once, then 1 every ${r.refillMs / 1000} s`;

/** Each constant of the bounds table, and the text its row must show. */
const BOUNDS: Record<string, string[]> = {
  ROUTES_PER_ENDPOINT: [count(ROUTES_PER_ENDPOINT)],
  ROUTE_IDLE_MS: [duration(ROUTE_IDLE_MS)],
  MAX_UNROUTED_BYTES: [bytes(MAX_UNROUTED_BYTES)],
  UNROUTED_TIMEOUT_MS: [duration(UNROUTED_TIMEOUT_MS)],
  MAX_UNROUTED_PER_ADDRESS: [count(MAX_UNROUTED_PER_ADDRESS)],
  MAX_BUFFERED_BYTES: [bytes(MAX_BUFFERED_BYTES)],
  MAX_MESSAGE_BYTES: [bytes(MAX_MESSAGE_BYTES)],
  MAX_POST_BYTES: [bytes(MAX_POST_BYTES)],
  WS_MAX_PAYLOAD: [bytes(WS_MAX_PAYLOAD)],
  HELLO_TIMEOUT_S: [duration(defaults.helloTimeoutMs)],
  SIGNALING_SEND_LIMITS: [`${count(SIGNALING_SEND_LIMITS.messages)} messages / ${bytes(SIGNALING_SEND_LIMITS.bytes)}`],
  PING_INTERVAL_S: [`${duration(2 * defaults.pingIntervalMs)} without a poll or a pong (2 × \`PING_INTERVAL_S\`)`],
  CLOSED_LINGER_MS: [duration(CLOSED_LINGER_MS)],
  RESUME_GRACE_S: [duration(defaults.resumeGraceMs)],
  DEFAULT_REPLAY_LIMITS: [`${count(DEFAULT_REPLAY_LIMITS.messages)} messages / ${bytes(DEFAULT_REPLAY_LIMITS.bytes)}`],
  OUTBOX_LIMITS: [`${count(OUTBOX_LIMITS.messages)} messages / ${bytes(OUTBOX_LIMITS.bytes)}`],
  REJOIN_TICKET_GRACE_MS: [duration(REJOIN_TICKET_GRACE_MS)],
  MAX_SDP_CHARS: [`${count(MAX_SDP_CHARS)} characters`],
  MAX_PUBLISH_TRACKS: [count(MAX_PUBLISH_TRACKS)],
  MAX_PARTICIPANTS_PER_ROOM: [count(defaults.maxParticipantsPerRoom)],
  MAX_WAITING: [count(MAX_WAITING)],
  CHAT_HISTORY_LIMIT: [`${count(CHAT_HISTORY_LIMIT)} messages / ${bytes(DEFAULT_CHAT_LIMITS.historyBytes)}`],
  DEFAULT_CHAT_LIMITS: [`${count(DEFAULT_CHAT_LIMITS.historyCount)} messages / ${bytes(DEFAULT_CHAT_LIMITS.historyBytes)}`],
  MAX_CHAT_TEXT: [`${count(MAX_CHAT_TEXT)} characters`],
  MAX_DISPLAY_NAME_GRAPHEMES: [`${count(MAX_DISPLAY_NAME_GRAPHEMES)} characters as people count them`],
  MAX_MARKS_PER_GRAPHEME: [`${count(MAX_MARKS_PER_GRAPHEME)} combining marks`],
  MAX_DISPLAY_NAME_LENGTH: [`${count(MAX_DISPLAY_NAME_LENGTH)} UTF-16 units`],
  MAX_DISPLAY_NAME_INPUT: [`at most ${count(MAX_DISPLAY_NAME_INPUT)} as sent`],
  LOG_LINES_PER_PARTICIPANT: [rate(LOG_LINES_PER_PARTICIPANT)],
  CLIENT_REPORT_CODES: [`the ${CLIENT_REPORT_CODES.length} codes the page sends`],
  KEY_CACHE_ENTRIES: [count(KEY_CACHE_ENTRIES)],
  MAX_CACHED_FAILURES: [`${count(MAX_CACHED_FAILURES)} kids`],
  FAILURE_TTL_MS: [duration(FAILURE_TTL_MS)],
  MAX_REDIRECTS: [count(MAX_REDIRECTS)],
  JOIN_LIMIT_KEYS: [count(JOIN_LIMIT_KEYS)],
};

/** Whether `row` shows `text` as a whole value (`8` is not found in `18` or `0.8`). */
function shows(row: string, text: string): boolean {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\d.,])${escaped}(?![\\d.,]\\d)`).test(row);
}

/** The row naming `constant` in backticks in its last cell. */
function rowOf(constant: string): string | undefined {
  return rows.find((row) => row.split('|').at(-2)?.includes(`\`${constant}\``));
}

test('every bound in the code has its row in docs/security.md, with the value the code has', () => {
  for (const [constant, shown] of Object.entries(BOUNDS)) {
    const row = rowOf(constant);
    assert.ok(row, `docs/security.md: no row names \`${constant}\``);
    for (const text of shown) assert.ok(shows(row, text), `docs/security.md, the row of ${constant} should say '${text}':\n${row}`);
  }
});

test('every constant the bounds table names (its last column) is one this test compares', () => {
  const section = docs.slice(docs.indexOf('## What is bounded'), docs.indexOf('## What is rate-limited'));
  const codeCells = section
    .split('\n')
    .filter((line) => line.startsWith('| '))
    .map((row) => row.split('|').at(-2) ?? '');
  const named = codeCells.flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Z0-9_]{2,})`/g)].map((m) => m[1]!));
  for (const name of named) assert.ok(Object.hasOwn(BOUNDS, name), `docs/security.md names \`${name}\`: add it to BOUNDS here (with its value) or drop it there`);
});

test('the rate tables are the code\'s rates, one row per limited message and per kind of join', () => {
  const ratesTable = rows.filter((row) => /^\| `[a-z-]+` \| `[a-z-]+` \|/.test(row));
  assert.equal(ratesTable.length, Object.keys(RATE_KIND_OF).length, 'one row per rate-limited message');
  for (const [message, kind] of Object.entries(RATE_KIND_OF)) {
    const row = ratesTable.find((r) => r.startsWith(`| \`${message}\` | \`${kind}\` |`));
    assert.ok(row, `docs/security.md: no row for '${message}' (${kind})`);
    assert.ok(shows(row, rate(PARTICIPANT_RATE_LIMITS[kind!])), `${message}: ${rate(PARTICIPANT_RATE_LIMITS[kind!])}\n${row}`);
  }
  assert.ok(rows.some((r) => r.startsWith('| per client address |') && shows(r, rate(JOIN_RATE_LIMITS.perAddress))), `joins per address: ${rate(JOIN_RATE_LIMITS.perAddress)}`);
  assert.ok(rows.some((r) => r.startsWith('| per token |') && shows(r, rate(JOIN_RATE_LIMITS.perToken))), `joins per token: ${rate(JOIN_RATE_LIMITS.perToken)}`);
  const keyFetches = `(\`KEY_FETCH_RATE\`,\nall kids together): ${rate(KEY_FETCH_RATE)}`;
  assert.ok(docs.includes(keyFetches), `key-server fetches: ${rate(KEY_FETCH_RATE)}`);
});
