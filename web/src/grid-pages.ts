/**
 * Grid paging (issue 16): a class of 30 does not fit on one screen at a
 * size anyone can see, and every tile shown is a video this page receives
 * and decodes. So the tiles that fit make a page, with previous/next
 * buttons for the rest; tiles off the page get no video at all (the
 * receive-video constraint 0, receive-video.ts). Our own tile stays on
 * every page.
 */

/** The smallest tile worth showing, in CSS pixels (4:3): a face and a name label still read at this size. */
export const MIN_TILE = { width: 180, height: 135 } as const;
/** At most this many tiles on a page, ours included (Jitsi's tile view stops at 5x5 too): beyond that, decoding costs more than it shows. */
export const MAX_TILES_PER_PAGE = 25;

/** Gap between tiles and the stage's side padding, in CSS pixels (styles.css: .stage). */
const GAP = 10;
const PADDING = 14;

/** How many tiles fit in the stage: a grid of tiles at least MIN_TILE, or a strip of 170-pixel tiles beside a large video. */
export function tilesThatFit(width: number, height: number, strip: boolean): number {
  const across = (room: number, size: number): number => Math.floor((room - 2 * PADDING + GAP) / (size + GAP));
  if (strip) return Math.min(MAX_TILES_PER_PAGE, Math.max(1, across(width, 170)));
  const cols = Math.max(1, across(width, MIN_TILE.width));
  const rows = Math.max(1, Math.floor((height + GAP) / (MIN_TILE.height + GAP)));
  return Math.min(MAX_TILES_PER_PAGE, cols * rows);
}

export interface GridPage {
  /** 0-based, within [0, pages). */
  readonly page: number;
  readonly pages: number;
  /** The remote participants on this page, in grid order. */
  readonly shown: readonly string[];
}

/** The page `wanted` (clamped: participants left) of `remote`, `perPage` at a time. */
export function gridPage(remote: readonly string[], perPage: number, wanted: number): GridPage {
  const size = Math.max(1, Math.floor(perPage));
  const pages = Math.max(1, Math.ceil(remote.length / size));
  const page = Math.min(Math.max(0, Math.floor(wanted)), pages - 1);
  return { page, pages, shown: remote.slice(page * size, (page + 1) * size) };
}
