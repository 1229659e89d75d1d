/**
 * The large video: a screen share, or a pinned participant's camera (see
 * layout.ts for what is chosen), shown above the tiles, which shrink to a
 * strip. The sharer sees their own screen there too, so they know what the
 * class sees.
 */
import type { LargeVideo } from '../layout.js';
import { h } from './dom.js';

export class Presentation {
  readonly el: HTMLElement;
  readonly #video = h('video', { autoplay: true, playsinline: true, class: 'presentation-video', id: 'presentation-video' });
  readonly #label = h('div', { class: 'presentation-label' });
  #track: MediaStreamTrack | undefined;

  constructor() {
    this.#video.muted = true;
    this.el = h('div', { class: 'presentation', id: 'presentation' }, this.#video, this.#label);
    this.el.hidden = true;
  }

  /** Shows what is large (with whose it is), or hides the presentation with undefined. */
  show(large: LargeVideo | undefined): void {
    this.el.hidden = large === undefined;
    this.el.dataset.participantId = large?.participantId ?? '';
    this.el.dataset.source = large?.source ?? '';
    this.#label.textContent = large?.label ?? '';
    if (large?.track === this.#track) return;
    this.#track = large?.track;
    this.#video.srcObject = large?.track ? new MediaStream([large.track]) : null;
    if (large?.track) void this.#video.play().catch(() => undefined);
  }

  get showing(): boolean {
    return !this.el.hidden;
  }
}
