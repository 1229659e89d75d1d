/**
 * Join loops (issue 11): 60 joins with one valid token used to make 240
 * attendance webhook events. Joins are limited per token and per address
 * (src/service/join-limits.ts): over the rate the hello is refused with
 * `rate_limited` and closed, before anyone hears of it, so the webhook
 * events a loop makes are bounded, while other people keep joining.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ERRORS } from '../../src/protocol/errors.js';
import { LONG_POLL_PATH } from '../../src/protocol/endpoints.js';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { JOIN_RATE_LIMITS } from '../../src/service/join-limits.js';
import { connect } from '../support/class.js';
import { nowS, signJwt } from '../support/jwt.js';
import { scrapeMetrics } from '../support/metrics.js';
import { sleep, waitUntil, type TestServer } from '../support/server.js';
import type { WebhookReceiver } from '../support/webhook-receiver.js';
import { startServerWithWebhooks, type WebhookTestServer } from '../support/webhook-server.js';

const SECRET = 'join-loop-app-secret-0123456789abcdef';
const HOOK_SECRET = 'join-loop-webhook-secret-0123456789abc';
let hooked: WebhookTestServer;
let server: TestServer;
let receiver: WebhookReceiver;

before(async () => {
  hooked = await startServerWithWebhooks(HOOK_SECRET, { ENABLE_AUTH: '1', JWT_APP_ID: 'platform', JWT_APP_SECRET: SECRET, WEBHOOK_RETRY_MIN_S: '0.05' });
  ({ server, receiver } = hooked);
});
after(() => hooked.stop());

const token = (name: string): string =>
  signJwt({ iss: 'platform', aud: 'jitsi', room: '*', exp: nowS() + 3600, context: { user: { id: name, name } } }, { secret: SECRET });

/** Joins with `jwt` and leaves at once: 'joined', or the close code that refused it. */
async function joinAndLeave(room: string, jwt: string): Promise<'joined' | number> {
  const inbox = await connect(server.url, room, 'Looper', { token: jwt });
  const outcome = await Promise.race([inbox.wait('welcome', () => true, 10_000).then(() => 'joined' as const), inbox.closed(10_000).then((c) => c.code)]);
  if (outcome === 'joined') {
    inbox.send({ type: 'leave' });
    await inbox.closed();
  }
  return outcome;
}

test('a join loop with one valid token is cut to the token rate: bounded webhook events, others still join', { timeout: 60_000 }, async (t) => {
  const looper = token('looper');
  const outcomes: ('joined' | number)[] = [];
  for (let i = 0; i < 60; i++) outcomes.push(await joinAndLeave('loop', looper));
  const joined = outcomes.filter((o) => o === 'joined').length;
  const refused = outcomes.filter((o) => o === ERRORS.rate_limited.closeCode).length;
  assert.equal(joined + refused, 60, JSON.stringify(outcomes));
  // The burst, plus whatever refilled while the loop ran (one every 6 s).
  assert.ok(joined >= JOIN_RATE_LIMITS.perToken.burst && joined <= JOIN_RATE_LIMITS.perToken.burst + 3, `${joined} joins got through`);

  // Someone else, with their own token, joins at once.
  assert.equal(await joinAndLeave('loop', token('student')), 'joined');
  await waitUntil(() => receiver.accepted.filter((r) => r.event.roomKey === 'loop' && r.event.type === 'room_finished').length === joined + 1, 10_000, 'every room_finished delivered');
  await sleep(300);
  const events = receiver.accepted.filter((r) => r.event.roomKey === 'loop');
  t.diagnostic(`60 joins with one token: ${joined} joined, ${refused} refused with rate_limited; ${events.length} webhook events (the other student's included)`);
  // Each join that got through: room_started, participant_joined, participant_left, room_finished.
  assert.equal(events.length, 4 * (joined + 1));
  assert.equal((await scrapeMetrics(server.url)).get('confab_join_failures_total{code="rate_limited"}'), refused);
});

test('joins from one address behind a proxy are limited per address; another address is not affected', { timeout: 60_000 }, async (t) => {
  const lp = `${server.url}${LONG_POLL_PATH}`;
  // From a proxy on this host: the client is the last public address it forwards.
  const helloFrom = async (address: string, room: string): Promise<string | undefined> => {
    const body = JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room, displayName: 'Guest', audioMuted: false, videoMuted: false });
    const open = await fetch(lp, { method: 'POST', body, headers: { 'x-forwarded-for': `198.51.100.1, ${address}` } });
    const { sid } = (await open.json()) as { sid: string };
    const answer = (await (await fetch(`${lp}?sid=${sid}&ack=0`)).json()) as { messages: { type: string; code?: string }[] };
    await fetch(`${lp}?sid=${sid}`, { method: 'POST', body: JSON.stringify({ type: 'leave' }) });
    const first = answer.messages[0];
    return first?.type === 'error' ? first.code : first?.type;
  };
  const { burst } = JOIN_RATE_LIMITS.perAddress;
  const outcomes: (string | undefined)[] = [];
  // No token: refused as token_missing, which still counts against the address.
  for (let i = 0; i < burst + 20; i++) outcomes.push(await helloFrom('203.0.113.9', `addr-${i}`));
  const counts = Object.fromEntries([...new Set(outcomes)].map((o) => [o, outcomes.filter((x) => x === o).length]));
  t.diagnostic(`${burst + 20} hellos from one address: ${JSON.stringify(counts)}`);
  assert.ok((counts.rate_limited ?? 0) >= 10, 'the address is limited');
  assert.ok((counts.token_missing ?? 0) >= burst, 'after its burst');
  assert.equal(await helloFrom('203.0.113.10', 'addr-other'), 'token_missing', 'another address is not limited');
});
