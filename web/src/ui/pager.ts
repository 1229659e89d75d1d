/**
 * Previous/next for the grid's pages (grid-pages.ts): two buttons and
 * "Page 2 of 3", under the tiles, hidden while everyone fits.
 */
import type { GridPage } from '../grid-pages.js';
import { h } from './dom.js';

export class Pager {
  readonly #prev = h('button', { type: 'button', class: 'pager-prev', 'aria-label': 'Previous page of participants', title: 'Previous page' }, '‹');
  readonly #next = h('button', { type: 'button', class: 'pager-next', 'aria-label': 'Next page of participants', title: 'Next page' }, '›');
  readonly #status = h('span', { class: 'pager-status', 'aria-live': 'polite' });
  readonly el = h('nav', { class: 'pager', 'aria-label': 'Participant pages', hidden: true }, this.#prev, this.#status, this.#next);

  constructor(turn: (by: number) => void) {
    this.#prev.addEventListener('click', () => turn(-1));
    this.#next.addEventListener('click', () => turn(1));
  }

  show(p: GridPage): void {
    this.el.hidden = p.pages <= 1;
    this.el.dataset.page = String(p.page + 1);
    this.el.dataset.pages = String(p.pages);
    this.#status.textContent = `Page ${p.page + 1} of ${p.pages}`;
    this.#prev.disabled = p.page === 0;
    this.#next.disabled = p.page >= p.pages - 1;
  }
}
