/**
 * Who may lead a class (issue 12): every cell of the table in
 * docs/tokens.md, read from the docs and checked against real servers with
 * tokens from the independent test signer. An arrival in a room where nobody
 * moderates becomes a moderator, joins as a participant, or waits in the
 * lobby for a moderator, by what its token says, auto-owner and the lobby.
 * Then: a waiting arrival is told when a moderator comes, and a room whose
 * last moderator left keeps its lock and its lobby.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { ERRORS } from '../../src/protocol/errors.js';
import { connect, joinSilently, type Inbox } from '../support/class.js';
import { nowS, signJwt } from '../support/jwt.js';
import { sleep, startServer, type TestServer } from '../support/server.js';

const SECRET = 'leadership-test-secret-0123456789abcdef';
const token = (room: string, user: Record<string, unknown>, extra: Record<string, unknown> = {}): string =>
  signJwt({ iss: 'lms', aud: 'jitsi', sub: 'meet.example.org', room, exp: nowS() + 600, context: { user }, ...extra }, { secret: SECRET });

type Outcome = 'moderator' | 'participant' | 'waits for a moderator';

/** What each row of the table sends in its hello; `auth: false` rows run against a server without ENABLE_AUTH. */
const ARRIVALS: Record<string, { auth: boolean; token: (room: string) => string | undefined }> = {
  'token says moderator': { auth: true, token: (room) => token(room, { id: 't1', name: 'Teacher', moderator: true }) },
  'token says not a moderator': { auth: true, token: (room) => token(room, { id: 's1', name: 'Student', moderator: false }) },
  'token without a moderator claim': { auth: true, token: (room) => token(room, { id: 's2', name: 'Someone' }) },
  'no token (guest, `JWT_ALLOW_EMPTY=1`)': { auth: true, token: () => undefined },
  'no token, `ENABLE_AUTH=0` (open rooms)': { auth: false, token: () => undefined },
};

/** The table as docs/tokens.md has it: row label -> column label -> outcome. */
function documentedTable(): { columns: string[]; rows: Map<string, Outcome[]> } {
  const lines = readFileSync(new URL('../../docs/tokens.md', import.meta.url), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('<!-- leadership-table'));
  assert.ok(start >= 0, 'docs/tokens.md has the leadership table');
  const cells = (line: string): string[] => line.split('|').slice(1, -1).map((c) => c.trim());
  const columns = cells(lines[start + 1]!).slice(1);
  const rows = new Map<string, Outcome[]>();
  for (const line of lines.slice(start + 3)) {
    if (!line.startsWith('|')) break;
    const [label, ...outcomes] = cells(line);
    rows.set(label!, outcomes as Outcome[]);
  }
  return { columns, rows };
}

function envFor(column: string): Record<string, string> {
  const m = /^auto-owner (on|off), lobby (on|off)$/.exec(column);
  assert.ok(m, `column '${column}'`);
  return { ENABLE_AUTO_OWNER: m[1] === 'on' ? '1' : '0', ENABLE_LOBBY: m[2] === 'on' ? '1' : '0' };
}

const inboxes: Inbox[] = [];
const keep = (i: Inbox): Inbox => (inboxes.push(i), i);
after(() => Promise.allSettled(inboxes.map((i) => i.client.close())));

/** What happened to a hello: a welcome with a role, or a lobby-waiting without a moderator present. */
async function outcomeOf(inbox: Inbox): Promise<Outcome> {
  const first = await Promise.race([inbox.wait('welcome'), inbox.wait('lobby-waiting')]);
  if (first.type === 'lobby-waiting') {
    assert.equal(first.moderatorPresent, false, 'told that no moderator is here yet');
    return 'waits for a moderator';
  }
  return first.self.role;
}

describe('the leadership table in docs/tokens.md, cell by cell', () => {
  const { columns, rows } = documentedTable();

  test('the table has every arrival and every setting', () => {
    assert.deepEqual([...rows.keys()], Object.keys(ARRIVALS));
    assert.deepEqual(columns, ['auto-owner on, lobby off', 'auto-owner on, lobby on', 'auto-owner off, lobby off', 'auto-owner off, lobby on']);
    for (const outcomes of rows.values()) assert.equal(outcomes.length, columns.length);
  });

  for (const [c, column] of columns.entries()) {
    test(column, { timeout: 60_000 }, async () => {
      const servers: Record<'auth' | 'open', TestServer> = {
        auth: await startServer({ ...envFor(column), ENABLE_AUTH: '1', JWT_APP_ID: 'lms', JWT_APP_SECRET: SECRET, JWT_ALLOW_EMPTY: '1' }),
        open: await startServer(envFor(column)),
      };
      try {
        for (const [r, [label, arrival]] of Object.entries(ARRIVALS).entries()) {
          const expected = rows.get(label)![c]!;
          const room = `lead-${c}-${r}`;
          const s = servers[arrival.auth ? 'auth' : 'open'];
          const inbox = keep(await connect(s.url, room, label.slice(0, 40), { token: arrival.token(room) }));
          assert.equal(await outcomeOf(inbox), expected, `${label} / ${column}`);
          if (expected === 'participant') {
            // A participant cannot run the class: no waiting list, no lock, no admitting.
            inbox.moderate({ action: 'lock-room', locked: true });
            assert.equal((await inbox.next('error')).code, 'forbidden', `${label} / ${column}: cannot moderate`);
          }
          if (expected === 'waits for a moderator' && arrival.auth) {
            // A real moderator comes: the waiting arrival hears it, the moderator sees them and admits them.
            const teacher = keep((await joinSilently(s.url, room, 'Teacher', { token: ARRIVALS['token says moderator']!.token(room) })).inbox);
            await inbox.wait('lobby-waiting', (m) => m.moderatorPresent);
            const { waiting } = await teacher.wait('lobby', (m) => m.waiting.length === 1);
            teacher.moderate({ action: 'admit', participantId: waiting[0]!.id });
            assert.equal((await inbox.wait('welcome')).self.role, 'participant', `${label} / ${column}: admitted as a participant`);
          }
        }
      } finally {
        await servers.auth.stop();
        await servers.open.stop();
      }
    });
  }
});

describe('a room whose last moderator left keeps its rules', () => {
  let s: TestServer;
  after(() => s?.stop());

  test('the lock holds for arrivals auto-owner may not promote; the lobby keeps its waiting students and its rule', { timeout: 60_000 }, async () => {
    s = await startServer({ ENABLE_AUTH: '1', JWT_APP_ID: 'lms', JWT_APP_SECRET: SECRET, JWT_ALLOW_EMPTY: '1' });
    const student = (name: string, room: string) => token(room, { id: name, name, moderator: false });

    // Lock: the teacher locks and leaves; a student stays. A student and a guest are refused.
    const teacher = keep((await joinSilently(s.url, 'locked', 'Teacher', { token: token('locked', { id: 't', moderator: true }) })).inbox);
    keep((await joinSilently(s.url, 'locked', 'Ann', { token: student('Ann', 'locked') })).inbox);
    teacher.moderate({ action: 'lock-room', locked: true });
    await teacher.wait('room-state', (m) => m.state.locked);
    teacher.send({ type: 'leave' });
    await teacher.closed();
    for (const hello of [{ token: student('Ben', 'locked') }, {}]) {
      const late = keep(await connect(s.url, 'locked', 'Late', hello));
      assert.deepEqual(await late.closed(), { code: ERRORS.room_locked.closeCode, reason: 'room_locked' });
    }
    assert.equal(s.server.gateway.registry.get('locked')?.locked, true);

    // Lobby turned on in the room (ENABLE_LOBBY is off): the teacher leaves while a student waits.
    const t2 = keep((await joinSilently(s.url, 'lobbied', 'Teacher', { token: token('lobbied', { id: 't', moderator: true }) })).inbox);
    t2.moderate({ action: 'set-lobby', enabled: true });
    await t2.wait('room-state', (m) => m.state.lobbyEnabled);
    const cy = keep(await connect(s.url, 'lobbied', 'Cy', { token: student('Cy', 'lobbied') }));
    assert.equal((await cy.wait('lobby-waiting')).moderatorPresent, true);
    t2.send({ type: 'leave' });
    await t2.closed();
    // Cy is told nobody can let them in now; the room (and its lobby) stays for them.
    await cy.wait('lobby-waiting', (m) => !m.moderatorPresent);
    await sleep(200);
    assert.equal(s.server.gateway.registry.get('lobbied')?.lobby.enabled, true, 'the lobby is still on with nobody inside');
    const dee = keep(await connect(s.url, 'lobbied', 'Dee', { token: student('Dee', 'lobbied') }));
    assert.equal((await dee.wait('lobby-waiting')).moderatorPresent, false, 'a later student waits too, rather than walking in');
    assert.equal(cy.of('welcome').length + dee.of('welcome').length, 0);
    // The teacher comes back and finds both waiting.
    const back = keep((await joinSilently(s.url, 'lobbied', 'Teacher', { token: token('lobbied', { id: 't', moderator: true }) })).inbox);
    const { waiting } = await back.wait('lobby', (m) => m.waiting.length === 2);
    assert.deepEqual(waiting.map((k) => k.displayName), ['Cy', 'Dee']);
  });
});
