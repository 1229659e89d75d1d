/**
 * Chat and raised hands in real browsers: a room message reaches every
 * page, a private one only its recipient (and the sender), a late joiner
 * sees the room's history but no private message; hands raised in turn
 * appear in that order in the moderator's queue, and lowering one updates
 * it everywhere.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { useClassroom, idOf, openPeople } from './class-support.js';
import { waitFor } from './support.js';


/** The chat as the page shows it (opening the panel: it is in the page only while open). */
async function texts(page: Page): Promise<string[]> {
  if (!(await page.locator('#chat-panel').isVisible())) await page.click('#toggle-chat');
  return page.locator('#chat-log .chat-text').allTextContents();
}

async function send(page: Page, text: string, toName?: string): Promise<void> {
  if (!(await page.locator('#chat-panel').isVisible())) await page.click('#toggle-chat');
  if (toName) await page.selectOption('#chat-to', { label: `${toName} (private)` });
  else await page.selectOption('#chat-to', '');
  await page.fill('#chat-input', text);
  await page.click('#chat-send');
}

describe('chat and raised hands in real browsers', { timeout: 180_000 }, () => {
  const room = useClassroom();

  test('a room message reaches everyone, a private one only its recipient; a late joiner gets the room history', async () => {
    const teacher = await room.people.join('lit-1', 'Teacher');
    const ada = await room.people.join('lit-1', 'Ada');
    const bob = await room.people.join('lit-1', 'Bob');
    for (const p of [teacher, ada, bob]) await idOf(p);
    await waitFor(() => teacher.locator('.tile').count(), (n) => n === 3, 10_000);

    await send(teacher, 'Open your books at page 42');
    // Bob's chat button counts the unread message while his panel is closed.
    assert.equal(await waitFor(() => bob.locator('#toggle-chat').getAttribute('data-badge'), (b) => b === '1', 5000), '1');
    for (const p of [teacher, ada, bob]) {
      assert.deepEqual(await waitFor(() => texts(p), (t) => t.length === 1, 5000), ['Open your books at page 42']);
    }
    assert.equal(await bob.locator('#toggle-chat').getAttribute('data-badge'), '', 'read once the panel is open');
    assert.equal(await bob.locator('#chat-log .chat-from').first().textContent(), 'Teacher');

    await send(ada, 'Which edition?', 'Teacher');
    await waitFor(() => texts(teacher), (t) => t.includes('Which edition?'), 5000);
    await waitFor(() => texts(ada), (t) => t.includes('Which edition?'), 5000);
    assert.equal(await teacher.locator('#chat-log .chat-message.private').count(), 1);
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(await texts(bob), ['Open your books at page 42'], 'Bob never sees the private message');

    const late = await room.people.join('lit-1', 'Late');
    await idOf(late);
    await late.click('#toggle-chat');
    assert.deepEqual(await waitFor(() => texts(late), (t) => t.length > 0, 5000), ['Open your books at page 42'], 'history, without the private message');
    for (const p of [teacher, ada, bob, late]) await p.close();
  });

  test('raised hands appear in the moderator queue in the order they went up; lowering one updates it', async () => {
    const teacher = await room.people.join('lit-2', 'Teacher');
    await idOf(teacher);
    const students = [await room.people.join('lit-2', 'Cy'), await room.people.join('lit-2', 'Ada'), await room.people.join('lit-2', 'Bob')];
    const ids = [];
    for (const s of students) ids.push(await idOf(s));
    await openPeople(teacher);
    // Raised in the order Bob, Cy, Ada.
    for (const i of [2, 0, 1]) {
      await students[i]!.click('#toggle-hand');
      await students[i]!.waitForSelector('#toggle-hand.active', { timeout: 5000 });
      await teacher.waitForSelector(`#hand-queue li[data-participant-id="${ids[i]}"]`, { timeout: 5000 });
    }
    const queue = () => teacher.locator('#hand-queue li .name').allTextContents();
    assert.deepEqual(await queue(), ['Bob', 'Cy', 'Ada']);
    assert.equal(await students[0]!.locator(`.tile[data-participant-id="${ids[2]}"].hand-raised`).count(), 1, 'everyone sees the hand on the tile');

    await teacher.click(`#hand-queue li[data-participant-id="${ids[2]}"] [data-action="lower-hand"]`);
    await students[2]!.waitForSelector('#toggle-hand:not(.active)', { timeout: 5000 });
    await students[0]!.click('#toggle-hand'); // Cy lowers her own
    assert.deepEqual(await waitFor(queue, (q) => q.length === 1, 5000), ['Ada']);
    for (const p of [teacher, ...students]) await p.close();
  });
});
