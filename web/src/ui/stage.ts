/**
 * The tile grid. Columns follow the number of tiles shown so tiles stay as
 * large as the window allows: 1, 2, 2x2, 3x2, 3x3, 4x3... When more people
 * are in than fit (grid-pages.ts), the others' tiles are on further pages
 * (hidden, so the page neither receives nor decodes their video); our own
 * stays on every page. Beside a large video the grid is a strip, paged the
 * same way.
 */
import { gridPage, tilesThatFit, type GridPage } from '../grid-pages.js';
import { h } from './dom.js';
import { Pager } from './pager.js';
import { Tile, type TileState } from './tile.js';

/** The pager's row with its margin (styles.css: .pager), counted whether it shows or not: no flip-flop at the edge. */
const PAGER_ROW = 40;

export class Stage {
  readonly el = h('main', { class: 'stage' });
  readonly tiles = new Map<string, Tile>();
  readonly pager = new Pager((by) => this.turnPage(by));
  #page = 0;
  #strip = false;
  #shown: GridPage = { page: 0, pages: 1, shown: [] };
  /** Told when the tiles shown change (another page, people in or out). */
  onPageChange: () => void = () => undefined;

  constructor() {
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.paginate()).observe(this.el);
  }

  upsert(participantId: string, state: TileState): Tile {
    let tile = this.tiles.get(participantId);
    if (tile) {
      tile.update(state);
      return tile;
    }
    tile = new Tile(participantId, state);
    this.tiles.set(participantId, tile);
    // Our own tile stays first.
    if (state.isSelf) this.el.prepend(tile.el);
    else this.el.append(tile.el);
    this.paginate();
    return tile;
  }

  remove(participantId: string): void {
    const tile = this.tiles.get(participantId);
    if (!tile) return;
    tile.setVideo(undefined);
    void tile.setAudio(undefined);
    tile.el.remove();
    this.tiles.delete(participantId);
    this.paginate();
  }

  clear(): void {
    for (const id of [...this.tiles.keys()]) this.remove(id);
  }

  /** A strip of tiles beside a large video (true), or the whole grid. */
  setStrip(strip: boolean): void {
    if (strip === this.#strip) return;
    this.#strip = strip;
    this.paginate();
  }

  turnPage(by: number): void {
    this.#page = this.#shown.page + by;
    this.paginate();
  }

  /** The page shown now: which remote participants' tiles are on it, for tests and receive-video. */
  get page(): GridPage {
    return this.#shown;
  }

  /** Shows the tiles of the current page and sizes the grid for them. */
  paginate(): void {
    const tiles = [...this.tiles.values()];
    const self = tiles.find((t) => t.el.classList.contains('self'));
    const remote = tiles.filter((t) => t !== self).map((t) => t.participantId);
    const selfShown = self !== undefined && !this.el.classList.contains('hide-self');
    // Before the stage is laid out (0x0), or while it is hidden, everyone is on one page; the first resize pages them.
    const laidOut = this.el.clientWidth > 0;
    const fit = laidOut ? tilesThatFit(this.el.clientWidth, this.el.clientHeight - (this.pager.el.hidden ? PAGER_ROW : 0), this.#strip) : tiles.length;
    const next = gridPage(remote, Math.max(1, fit - (selfShown ? 1 : 0)), this.#page);
    this.#page = next.page;
    const shown = new Set(next.shown);
    for (const t of tiles) t.el.hidden = t !== self && !shown.has(t.participantId);
    this.pager.show(next);
    this.layout(next.shown.length + (selfShown ? 1 : 0));
    const changed = next.page !== this.#shown.page || next.pages !== this.#shown.pages || next.shown.join() !== this.#shown.shown.join();
    this.#shown = next;
    if (changed) this.onPageChange();
  }

  private layout(n: number): void {
    n = Math.max(1, n);
    const wide = window.innerWidth >= window.innerHeight;
    const cols = wide ? Math.ceil(Math.sqrt(n)) : Math.ceil(n / Math.ceil(Math.sqrt(n)));
    const rows = Math.ceil(n / cols);
    this.el.style.setProperty('--cols', String(cols));
    this.el.style.setProperty('--rows', String(rows));
  }
}
