/**
 * Screen sharing in real browsers (getDisplayMedia with Chromium's fake
 * screen): the share is a second video track with source 'screen', decoded
 * by every other page (framesDecoded) and shown large in the presenter
 * layout while the camera keeps going; stopping removes it for everyone
 * (the server closes the producer when the m-line goes inactive), and the
 * next share reuses the m-line and is decoded again.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { useClassroom, countFrom, growth, idOf } from './class-support.js';
import { waitFor } from './support.js';


/** The presenter video's size and the id it shows, as the page lays it out. */
const presentation = (page: Page): Promise<{ shown: boolean; who: string; width: number; videoWidth: number }> =>
  page.evaluate(() => {
    const el = document.getElementById('presentation');
    const video = document.getElementById('presentation-video') as HTMLVideoElement | null;
    const shown = !!el && !el.hidden && !!el.closest('.stage-area.presenting');
    return { shown, who: el?.dataset.participantId ?? '', width: el?.getBoundingClientRect().width ?? 0, videoWidth: video?.videoWidth ?? 0 };
  });

describe('screen sharing in real browsers', { timeout: 180_000 }, () => {
  const room = useClassroom();

  test('a share is decoded by the others and shown large; stopping removes it for everyone; sharing again works', async () => {
    const presenter = await room.people.join('art-1', 'Presenter');
    const a = await room.people.join('art-1', 'Viewer A');
    const b = await room.people.join('art-1', 'Viewer B');
    const presenterId = await idOf(presenter);
    for (const p of [a, b]) await idOf(p);
    for (const p of [a, b]) await waitFor(() => countFrom(p, presenterId, 'camera'), (n) => n > 10, 15_000);

    for (const round of [1, 2]) {
      await presenter.click('#toggle-screen');
      await presenter.waitForSelector('#toggle-screen.active', { timeout: 10_000 });
      for (const p of [a, b]) {
        const frames = await waitFor(() => countFrom(p, presenterId, 'screen'), (n) => n > 10, 15_000);
        assert.ok(frames > 10, `round ${round}: screen frames decoded: ${frames}`);
        assert.ok((await growth(p, presenterId, 'screen', 2000)) >= 5, `round ${round}: the share keeps decoding`);
        assert.ok((await growth(p, presenterId, 'camera', 1000)) >= 5, `round ${round}: the camera keeps going beside it`);
        const shown = await waitFor(() => presentation(p), (s) => s.shown && s.videoWidth > 0, 5000);
        assert.equal(shown.who, presenterId, 'the presenter layout shows the presenter');
        assert.ok(shown.width > 300, `shown large: ${shown.width}px wide`);
        assert.match((await p.locator('.presentation-label').textContent()) ?? '', /Presenter is presenting/);
      }
      assert.equal((await presentation(presenter)).shown, true, 'the presenter sees what they share');

      await presenter.click('#toggle-screen');
      for (const p of [a, b]) {
        await waitFor(() => countFrom(p, presenterId, 'screen'), (n) => n === -1, 10_000);
        assert.equal(await countFrom(p, presenterId, 'screen'), -1, `round ${round}: the share is gone for everyone`);
        assert.equal((await waitFor(() => presentation(p), (s) => !s.shown, 5000)).shown, false, 'back to the grid');
      }
    }
    assert.ok(room.server.logs.filter((l) => l.includes('track published') && l.includes(presenterId)).length >= 4, 'mic, camera and two shares published');
    for (const p of [presenter, a, b]) await p.close();
  });

  test('a hard video lock stops the share for everyone', async () => {
    const teacher = await room.people.join('art-2', 'Teacher');
    await idOf(teacher);
    const student = await room.people.join('art-2', 'Student');
    const studentId = await idOf(student);
    await student.click('#toggle-screen');
    await waitFor(() => countFrom(teacher, studentId, 'screen'), (n) => n > 5, 15_000);
    await teacher.click('#toggle-people');
    await teacher.click(`#people-list .person[data-participant-id="${studentId}"] [data-action="hard-mute-video"]`);
    await student.waitForSelector('#toggle-screen:disabled', { timeout: 5000 });
    await waitFor(() => countFrom(teacher, studentId, 'screen'), (n) => n === -1, 10_000);
    assert.equal(await countFrom(teacher, studentId, 'screen'), -1);
    for (const p of [teacher, student]) await p.close();
  });
});
