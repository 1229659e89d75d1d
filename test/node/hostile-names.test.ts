/**
 * Display names that try to fool people (issue 11): a right-to-left
 * override, zero-width spaces, BEL and NUL used to reach the other
 * participants, the REST API and the webhooks as sent. They are normalised
 * (src/protocol/display-name.ts) before anyone sees them: in the hello, in a
 * rename and in a token's `context.user.name`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { joinSilently } from '../support/class.js';
import { nowS, signJwt } from '../support/jwt.js';
import { waitUntil, type TestServer } from '../support/server.js';
import type { WebhookReceiver } from '../support/webhook-receiver.js';
import { startServerWithWebhooks, type WebhookTestServer } from '../support/webhook-server.js';

const SECRET = 'names-test-app-secret-0123456789abcdef';
const HOOK_SECRET = 'names-test-webhook-secret-0123456789ab';
/** NFC first (e + U+0301 is é), then at most 8 marks on it. */
const EVE = `Ev\u00e9${'\u0301'.repeat(8)}`;
const HOSTILE = '\u202Eexe.\u200B\u200Bsnoitpircs\u0007\u0000 Teacher\u2066';
let hooked: WebhookTestServer;
let server: TestServer;
let receiver: WebhookReceiver;

before(async () => {
  hooked = await startServerWithWebhooks(HOOK_SECRET, { ENABLE_AUTH: '1', JWT_APP_ID: 'platform', JWT_APP_SECRET: SECRET });
  ({ server, receiver } = hooked);
});
after(() => hooked.stop());

const token = (user: Record<string, unknown>): string => signJwt({ iss: 'platform', aud: 'jitsi', room: '*', exp: nowS() + 600, context: { user } }, { secret: SECRET });

test('hostile names are normalised for the others, the REST API and the webhooks', { timeout: 30_000 }, async () => {
  const ada = await joinSilently(server.url, 'names', 'Ada', { token: token({ id: 'ada', name: 'Ada', moderator: true }) });
  // A name given in the hello, and one that only the token carries.
  const mallory = await joinSilently(server.url, 'names', HOSTILE, { token: token({ id: 'mallory', name: 'M' }) });
  const eve = await joinSilently(server.url, 'names', '', { token: token({ id: 'eve', name: `\u200BEve${'\u0301'.repeat(50)}\u202E\u0000` }) });
  const seen = (id: string): string | undefined => ada.inbox.of('participant-joined').find((m) => m.participant.id === id)?.participant.displayName;
  await waitUntil(() => seen(mallory.id) !== undefined && seen(eve.id) !== undefined, 5000, 'both joins seen');
  assert.equal(seen(mallory.id), 'exe.snoitpircs Teacher');
  assert.equal(seen(eve.id), EVE);

  mallory.inbox.send({ type: 'set-display-name', displayName: '\u200B\u200B\u202E' });
  mallory.inbox.send({ type: 'set-display-name', displayName: `Admin\u202E\u2066 (${'\u0000'.repeat(5)})` });
  const renamed = await ada.inbox.wait('participant-updated', (m) => m.participant.id === mallory.id);
  assert.equal(renamed.participant.displayName, 'Admin ( )', 'an invisible-only rename changes nothing; the next is cleaned');

  const api = await fetch(`${server.url}api/rooms/names/participants`, { headers: { authorization: `Bearer ${token({ id: 'lms', moderator: true })}` } });
  const names = ((await api.json()) as { participants: { displayName: string }[] }).participants.map((p) => p.displayName).sort();
  assert.deepEqual(names, ['Ada', 'Admin ( )', EVE].sort());

  await waitUntil(() => receiver.accepted.filter((r) => r.event.type === 'participant_joined').length >= 3, 10_000, 'join webhooks');
  const hooked = receiver.accepted.filter((r) => r.event.type === 'participant_joined').map((r) => [r.event.participant?.displayName, r.event.participant?.user?.name]);
  assert.deepEqual(hooked, [
    ['Ada', 'Ada'],
    ['exe.snoitpircs Teacher', 'M'],
    [EVE, EVE],
  ]);
  for (const p of [ada, mallory, eve]) await p.inbox.client.close();
});
