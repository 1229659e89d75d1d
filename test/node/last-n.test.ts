/**
 * Last-N (issue 16): a subscriber receives everybody's audio and the video
 * of at most N others: those it puts on stage first, then screen shares,
 * recent speakers, and join order. Bots publish no audio levels, so here the
 * order is stage and join order; speech is in test/e2e/last-n.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bot } from '../../src/bot/index.js';
import type { MediaKind } from '../../src/protocol/messages.js';
import { closeAll, joinBots, received } from '../support/bots.js';
import { sleep, startServer, waitUntil, type TestServer } from '../support/server.js';

/** Packets `bot` got from each of `others` of one kind over `ms`. */
async function gained(bot: Bot, others: readonly Bot[], kind: MediaKind, ms: number): Promise<Map<string, number>> {
  const before = new Map(others.map((o) => [o.options.displayName, received(bot, o, kind)]));
  await sleep(ms);
  return new Map(others.map((o) => [o.options.displayName, received(bot, o, kind) - before.get(o.options.displayName)!]));
}

/** Whose video (names) `bot` receives now: more than a trickle in 1.5 s. */
async function videoFrom(bot: Bot, others: readonly Bot[]): Promise<string[]> {
  const video = await gained(bot, others, 'video', 1500);
  return [...video].filter(([, n]) => n > 10).map(([name]) => name).sort();
}

describe('last-N', { timeout: 120_000 }, () => {
  let server: TestServer;
  let bots: Bot[] = [];
  before(async () => {
    server = await startServer({ CHANNEL_LAST_N: '-1' });
    // One after another: join order is the order of last resort.
    for (const name of ['Teacher', 'Ada', 'Bob', 'Cy']) bots.push(...(await joinBots(server.url, 'last-n', [name])));
    await waitUntil(() => bots.every((b) => bots.every((o) => o === b || received(b, o, 'video') > 20)), 15_000, 'everyone receiving everyone');
  });
  after(async () => {
    await closeAll(bots);
    bots = [];
    await server.stop();
  });

  test('lastN=1: video from exactly one other (the first to join), audio from all three', async () => {
    const [teacher, ada, bob, cy] = bots as [Bot, Bot, Bot, Bot];
    cy.receiveVideo(1);
    await waitUntil(() => cy.subscriber.pc !== undefined, 1000, 'a subscribe connection');
    await sleep(1500);
    assert.deepEqual(await videoFrom(cy, [teacher, ada, bob]), ['Teacher']);
    const audio = await gained(cy, [teacher, ada, bob], 'audio', 1000);
    for (const [name, n] of audio) assert.ok(n >= 30, `audio from ${name} goes on (${n} packets in 1 s)`);
    // The others are not affected by Cy's choice.
    assert.deepEqual(await videoFrom(ada, [teacher, bob, cy]), ['Bob', 'Cy', 'Teacher']);
  });

  test('on stage comes first: lastN=1 with Bob on stage gives Bob, and a keyframe at once', async () => {
    const [teacher, ada, bob, cy] = bots as [Bot, Bot, Bot, Bot];
    cy.receiveVideo(1, [bob.participantId]);
    await sleep(1500);
    assert.deepEqual(await videoFrom(cy, [teacher, ada, bob]), ['Bob']);
    cy.receiveVideo(2, [bob.participantId]);
    await sleep(1500);
    assert.deepEqual(await videoFrom(cy, [teacher, ada, bob]), ['Bob', 'Teacher'], 'the second slot by join order');
  });

  test('lastN=0: no video at all, audio still; -1: everyone again', async () => {
    const [teacher, ada, bob, cy] = bots as [Bot, Bot, Bot, Bot];
    cy.receiveVideo(0);
    await sleep(1500);
    assert.deepEqual(await videoFrom(cy, [teacher, ada, bob]), []);
    const audio = await gained(cy, [teacher, ada, bob], 'audio', 1000);
    for (const [name, n] of audio) assert.ok(n >= 30, `audio from ${name} (${n})`);
    cy.receiveVideo(-1);
    await sleep(1500);
    assert.deepEqual(await videoFrom(cy, [teacher, ada, bob]), ['Ada', 'Bob', 'Teacher']);
  });

  test('a camera the page shows nowhere (maxHeight 0: another grid page) takes no last-N slot', async () => {
    const [teacher, ada, bob, cy] = bots as [Bot, Bot, Bot, Bot];
    cy.receiveVideo(1, [], { constraints: { [teacher.participantId]: { maxHeight: 0 } } });
    await sleep(1500);
    assert.deepEqual(await videoFrom(cy, [teacher, ada, bob]), ['Ada'], 'the slot goes to the next shown');
    cy.receiveVideo(2, [], { constraints: { [teacher.participantId]: { maxHeight: 0 }, [ada.participantId]: { maxHeight: 0 } } });
    await sleep(1500);
    assert.deepEqual(await videoFrom(cy, [teacher, ada, bob]), ['Bob'], 'only Bob is shown');
    const audio = await gained(cy, [teacher, ada, bob], 'audio', 1000);
    for (const [name, n] of audio) assert.ok(n >= 30, `audio from ${name} goes on (${n})`);
  });

  test('a slot freed by someone leaving goes to the next in line', async () => {
    const [teacher, ada, bob, cy] = bots as [Bot, Bot, Bot, Bot];
    cy.receiveVideo(1);
    await sleep(1500);
    assert.deepEqual(await videoFrom(cy, [teacher, ada, bob]), ['Teacher']);
    await teacher.leave();
    bots = bots.filter((b) => b !== teacher);
    await sleep(1500);
    assert.deepEqual(await videoFrom(cy, [ada, bob]), ['Ada']);
  });

  test('a bad request is refused by name and changes nothing', async () => {
    const cy = bots.find((b) => b.options.displayName === 'Cy')!;
    const errors: string[] = [];
    cy.on('serverError', (m) => errors.push(m.code));
    cy.signaling.send({ type: 'receive-video', lastN: -5, onStage: [] } as never);
    await waitUntil(() => errors.length > 0 || cy.closed, 3000, 'the refusal');
    assert.ok(cy.closed || errors.includes('message_malformed'), `refused as malformed (${errors.join()}, closed ${cy.closed})`);
  });
});

describe('CHANNEL_LAST_N: the default for pages that say nothing', { timeout: 60_000 }, () => {
  let server: TestServer;
  let bots: Bot[] = [];
  before(async () => {
    server = await startServer({ CHANNEL_LAST_N: '2' });
  });
  after(async () => {
    await closeAll(bots);
    await server.stop();
  });

  test('with CHANNEL_LAST_N=2, a bot of four receives the video of two others and everyone\'s audio', async () => {
    for (const name of ['A', 'B', 'C', 'D']) bots.push(...(await joinBots(server.url, 'default-n', [name])));
    const [a, b, c, d] = bots as [Bot, Bot, Bot, Bot];
    await waitUntil(() => received(d, a, 'video') > 20 && received(d, b, 'video') > 20, 15_000, 'video from the first two');
    assert.deepEqual(await videoFrom(d, [a, b, c]), ['A', 'B']);
    assert.deepEqual(await videoFrom(a, [b, c, d]), ['B', 'C']);
    const audio = await gained(d, [a, b, c], 'audio', 1000);
    for (const [name, n] of audio) assert.ok(n >= 30, `audio from ${name} (${n})`);
    // Pinning someone (on stage, no lastN) puts them first and keeps the server's limit.
    d.receiveVideo(undefined, [c.participantId]);
    await sleep(1500);
    assert.deepEqual(await videoFrom(d, [a, b, c]), ['A', 'C'], 'C on stage, then A by join order: still 2');
  });
});
