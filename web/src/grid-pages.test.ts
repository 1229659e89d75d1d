import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gridPage, MAX_TILES_PER_PAGE, tilesThatFit } from './grid-pages.js';

describe('tilesThatFit', () => {
  test('a grid of tiles at least 180x135 CSS pixels', () => {
    // 772 wide: (772 - 28 + 10) / 190 = 3.97 -> 3 columns; 480 high: (480 + 10) / 145 = 3.4 -> 3 rows.
    assert.equal(tilesThatFit(772, 480, false), 9);
    assert.equal(tilesThatFit(1280, 620, false), 6 * 4);
  });

  test('never more than 25, never fewer than 1', () => {
    assert.equal(tilesThatFit(3840, 2000, false), MAX_TILES_PER_PAGE);
    assert.equal(tilesThatFit(100, 50, false), 1);
  });

  test('a strip beside the large video: 170-pixel tiles across', () => {
    assert.equal(tilesThatFit(772, 130, true), 4);
    assert.equal(tilesThatFit(150, 130, true), 1);
  });
});

describe('gridPage', () => {
  const ids = Array.from({ length: 30 }, (_, i) => `p${i}`);

  test('30 people, 12 a page: 3 pages, the last one short', () => {
    assert.deepEqual(gridPage(ids, 12, 0), { page: 0, pages: 3, shown: ids.slice(0, 12) });
    assert.deepEqual(gridPage(ids, 12, 2).shown, ids.slice(24));
  });

  test('a page past the end (people left) is the last one; before the start, the first', () => {
    assert.equal(gridPage(ids.slice(0, 13), 12, 5).page, 1);
    assert.equal(gridPage(ids, 12, -1).page, 0);
  });

  test('nobody else: one empty page', () => {
    assert.deepEqual(gridPage([], 12, 3), { page: 0, pages: 1, shown: [] });
  });
});
