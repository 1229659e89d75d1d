/**
 * The large video: a screen share, or a pinned participant's camera (see
 * layout.ts for what is chosen), shown above the tiles, which shrink to a
 * strip. The sharer sees their own screen there too, so they know what the
 * class sees.
 */
import type { LargeVideo } from '../layout.js';
import { h } from './dom.js';
import { pictureAspect } from './tile.js';

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

  /**
   * Whose camera is large and how tall it is drawn, in device pixels
   * (receive-video.ts); the video fits inside (object-fit: contain), so the
   * picture is at most as tall as the box. Undefined for a screen share or nothing.
   */
  get drawnCamera(): { participantId: string; height: number } | undefined {
    const participantId = this.el.dataset.participantId;
    if (this.el.hidden || this.el.dataset.source !== 'camera' || !participantId) return undefined;
    const { clientWidth: w, clientHeight: h } = this.#video;
    return { participantId, height: Math.min(h, w / pictureAspect(this.#video)) * (window.devicePixelRatio || 1) };
  }

  get showing(): boolean {
    return !this.el.hidden;
  }
}
