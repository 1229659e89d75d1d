/** The in-call screen: header with room and count, the stage, the toolbar, overlays. */
import { h, icon } from './dom.js';
import { Stage } from './stage.js';

export interface ToolbarActions {
  toggleAudio(): void;
  toggleVideo(): void;
  leave(): void;
}

export class ConferenceView {
  readonly el: HTMLElement;
  readonly stage = new Stage();
  readonly #count = h('span', { class: 'count', id: 'participant-count' });
  readonly #mic = h('button', { class: 'round', id: 'toggle-audio', type: 'button' });
  readonly #cam = h('button', { class: 'round', id: 'toggle-video', type: 'button' });
  readonly #overlay = h('div', { class: 'overlay', hidden: true, role: 'status' });
  readonly #notice = h('div', { class: 'notice', hidden: true, role: 'status' });

  constructor(roomLabel: string, actions: ToolbarActions) {
    this.#mic.addEventListener('click', actions.toggleAudio);
    this.#cam.addEventListener('click', actions.toggleVideo);
    const leave = h('button', { class: 'round danger', id: 'leave', type: 'button', title: 'Leave meeting', onclick: actions.leave }, icon('leave'));
    this.el = h(
      'div',
      { class: 'conference' },
      h('header', { class: 'topbar' }, h('span', { class: 'room-name' }, roomLabel), h('span', { class: 'people' }, icon('people'), this.#count)),
      this.stage.el,
      this.#notice,
      h('footer', { class: 'toolbar' }, this.#mic, this.#cam, leave),
      this.#overlay,
    );
  }

  setCount(n: number): void {
    this.#count.textContent = String(n);
    this.#count.title = `${n} participant${n === 1 ? '' : 's'}`;
    this.#count.dataset.count = String(n);
  }

  setMuted(audioMuted: boolean, videoMuted: boolean): void {
    this.#mic.replaceChildren(icon(audioMuted ? 'micOff' : 'mic'));
    this.#mic.classList.toggle('off', audioMuted);
    this.#mic.title = audioMuted ? 'Unmute microphone' : 'Mute microphone';
    this.#mic.setAttribute('aria-pressed', String(audioMuted));
    this.#cam.replaceChildren(icon(videoMuted ? 'camOff' : 'cam'));
    this.#cam.classList.toggle('off', videoMuted);
    this.#cam.title = videoMuted ? 'Turn camera on' : 'Turn camera off';
    this.#cam.setAttribute('aria-pressed', String(videoMuted));
  }

  /** A blocking overlay (reconnecting); undefined hides it. */
  setOverlay(text: string | undefined): void {
    this.#overlay.hidden = text === undefined;
    this.#overlay.replaceChildren(h('div', { class: 'spinner' }), h('p', {}, text ?? ''));
    this.el.classList.toggle('reconnecting', text !== undefined);
  }

  /** A non-blocking notice; with a code, shown in small print. */
  setNotice(text: string | undefined, code?: string, onClick?: () => void): void {
    this.#notice.hidden = text === undefined;
    this.#notice.replaceChildren(h('span', {}, text ?? ''));
    if (code) this.#notice.append(h('small', { class: 'error-code' }, `Error code: ${code}`));
    this.#notice.onclick = onClick ?? null;
    this.#notice.classList.toggle('clickable', onClick !== undefined);
  }
}
