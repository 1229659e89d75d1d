/**
 * The presenter layout: a screen share shown large above the tiles, which
 * shrink to a strip. The sharer sees their own screen there too, so they
 * know what the class sees.
 */
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

  /** Shows a share (with whose it is), or hides the presentation with undefined. */
  show(share: { track: MediaStreamTrack; participantId: string; label: string } | undefined): void {
    this.el.hidden = share === undefined;
    this.el.dataset.participantId = share?.participantId ?? '';
    this.#label.textContent = share?.label ?? '';
    if (share?.track === this.#track) return;
    this.#track = share?.track;
    this.#video.srcObject = share ? new MediaStream([share.track]) : null;
    if (share) void this.#video.play().catch(() => undefined);
  }

  get showing(): boolean {
    return !this.el.hidden;
  }
}

/** Our own share while we share (we see what the class sees), else the newest remote one. */
export function presentationFor(
  remote: readonly { info: { source: string; participantId: string }; track: MediaStreamTrack }[],
  own: MediaStreamTrack | undefined,
  selfId: string | undefined,
  participants: ReadonlyMap<string, { displayName: string }>,
): { track: MediaStreamTrack; participantId: string; label: string } | undefined {
  if (own && selfId) return { track: own, participantId: selfId, label: 'You are presenting' };
  const share = remote.filter((t) => t.info.source === 'screen').at(-1);
  if (!share) return undefined;
  const name = participants.get(share.info.participantId)?.displayName || 'Someone';
  return { track: share.track, participantId: share.info.participantId, label: `${name} is presenting` };
}
