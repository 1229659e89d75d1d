/**
 * The tile grid. Columns follow the participant count so tiles stay as large
 * as the window allows: 1, 2, 2x2, 3x2, 3x3, 4x3...
 */
import { h } from './dom.js';
import { Tile, type TileState } from './tile.js';

export class Stage {
  readonly el = h('main', { class: 'stage' });
  readonly tiles = new Map<string, Tile>();

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
    this.layout();
    return tile;
  }

  remove(participantId: string): void {
    const tile = this.tiles.get(participantId);
    if (!tile) return;
    tile.setVideo(undefined);
    void tile.setAudio(undefined);
    tile.el.remove();
    this.tiles.delete(participantId);
    this.layout();
  }

  clear(): void {
    for (const id of [...this.tiles.keys()]) this.remove(id);
  }

  private layout(): void {
    const n = Math.max(1, this.tiles.size);
    const wide = window.innerWidth >= window.innerHeight;
    const cols = wide ? Math.ceil(Math.sqrt(n)) : Math.ceil(n / Math.ceil(Math.sqrt(n)));
    const rows = Math.ceil(n / cols);
    this.el.style.setProperty('--cols', String(cols));
    this.el.style.setProperty('--rows', String(rows));
  }
}
