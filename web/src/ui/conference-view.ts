/**
 * The in-call screen: header with room and count, the stage (with the
 * presenter layout while someone shares a screen), a side panel for People
 * or Chat, the toolbar, the lobby list for moderators, overlays.
 */
import type { LargeVideo } from '../layout.js';
import type { ToolbarButton } from '../hash-options.js';
import { h, icon } from './dom.js';
import { Presentation } from './presenter.js';
import { Stage } from './stage.js';

export interface ToolbarActions {
  toggleAudio(): void;
  toggleVideo(): void;
  toggleScreenShare(): void;
  toggleRaiseHand(): void;
  leave(): void;
}

export type PanelName = 'people' | 'chat';

export class ConferenceView {
  readonly el: HTMLElement;
  readonly stage = new Stage();
  readonly presentation = new Presentation();
  readonly #stageArea = h('div', { class: 'stage-area' }, this.presentation.el, this.stage.el, this.stage.pager.el);
  readonly #side = h('aside', { class: 'side', id: 'side-panel' });
  readonly #panels = new Map<PanelName, { el: HTMLElement; button: HTMLButtonElement; title: string }>();
  #open: PanelName | undefined;
  readonly #screen = h('button', { class: 'round', id: 'toggle-screen', type: 'button', title: 'Share your screen' }, icon('screen'));
  readonly #hand = h('button', { class: 'round', id: 'toggle-hand', type: 'button', title: 'Raise your hand' }, icon('hand'));
  readonly #lobbyLayer = h('div', { class: 'lobby-layer', hidden: true });
  readonly #count = h('span', { class: 'count', id: 'participant-count' });
  readonly #mic = h('button', { class: 'round', id: 'toggle-audio', type: 'button' });
  readonly #cam = h('button', { class: 'round', id: 'toggle-video', type: 'button' });
  readonly #overlay = h('div', { class: 'overlay', hidden: true, role: 'status' });
  readonly #notice = h('div', { class: 'notice', hidden: true, role: 'status' });
  readonly #subject = h('span', { class: 'room-subject', id: 'room-subject', hidden: true });
  readonly #toolbar: Record<ToolbarButton, HTMLElement>;
  /** The uid of the embedder's notification shown now (showNotification), if any. */
  #noticeUid: string | undefined;
  /** Told when a side panel opens or closes (the embed API's chatUpdated, participantsPaneToggled). */
  onPanelChange: (panel: PanelName, open: boolean) => void = () => undefined;

  constructor(roomLabel: string, actions: ToolbarActions) {
    this.#mic.addEventListener('click', actions.toggleAudio);
    this.#cam.addEventListener('click', actions.toggleVideo);
    this.#screen.addEventListener('click', actions.toggleScreenShare);
    this.#hand.addEventListener('click', actions.toggleRaiseHand);
    const leave = h('button', { class: 'round danger', id: 'leave', type: 'button', title: 'Leave meeting', onclick: actions.leave }, icon('leave'));
    const people = h('button', { class: 'round', id: 'toggle-people', type: 'button', title: 'People' }, icon('people'));
    const chat = h('button', { class: 'round', id: 'toggle-chat', type: 'button', title: 'Chat' }, icon('chat'));
    people.addEventListener('click', () => this.togglePanel('people'));
    chat.addEventListener('click', () => this.togglePanel('chat'));
    this.#panels.set('people', { el: h('div'), button: people, title: 'People' });
    this.#panels.set('chat', { el: h('div'), button: chat, title: 'Chat' });
    this.#side.hidden = true;
    this.#toolbar = { microphone: this.#mic, camera: this.#cam, desktop: this.#screen, raisehand: this.#hand, chat, 'participants-pane': people, hangup: leave };
    this.el = h(
      'div',
      { class: 'conference' },
      h('header', { class: 'topbar' }, h('span', { class: 'room-name' }, roomLabel), this.#subject, h('span', { class: 'people' }, icon('people'), this.#count)),
      h('div', { class: 'main-row' }, this.#stageArea, this.#side),
      this.#notice,
      h('footer', { class: 'toolbar' }, this.#mic, this.#cam, this.#screen, this.#hand, chat, people, leave),
      this.#overlay,
      this.#lobbyLayer,
    );
  }

  /** Puts a panel's content in place (the view owns the buttons that open it). */
  setPanel(name: PanelName, el: HTMLElement): void {
    const panel = this.#panels.get(name);
    if (panel) panel.el = el;
  }

  /** Something outside the panels (the moderators' lobby list) that stays on screen. */
  addFloating(el: HTMLElement): void {
    this.el.append(el);
  }

  togglePanel(name: PanelName, open = this.#open !== name): void {
    const before = this.#open;
    this.#open = open ? name : before === name ? undefined : before;
    const panel = this.#open ? this.#panels.get(this.#open) : undefined;
    this.#side.hidden = panel === undefined;
    this.#side.replaceChildren(...(panel ? [h('h2', { class: 'side-title' }, panel.title), panel.el] : []));
    for (const [n, p] of this.#panels) p.button.classList.toggle('active', n === this.#open);
    if (name === 'chat' && open) this.setBadge('chat', 0);
    for (const n of this.#panels.keys()) {
      const was = before === n;
      const is = this.#open === n;
      if (was !== is) this.onPanelChange(n, is);
    }
  }

  /** The count on a panel's button (unread messages, people knocking). */
  badge(name: PanelName): number {
    return Number(this.#panels.get(name)?.button.dataset.badge || 0);
  }

  get openPanel(): PanelName | undefined {
    return this.#open;
  }

  /** A count on a toolbar button (unread messages, people knocking); 0 hides it. */
  setBadge(name: PanelName, n: number): void {
    const button = this.#panels.get(name)?.button;
    if (button) button.dataset.badge = n > 0 ? String(n) : '';
  }

  bumpBadge(name: PanelName): void {
    this.setBadge(name, Number(this.#panels.get(name)?.button.dataset.badge || 0) + 1);
  }

  setScreenSharing(on: boolean, allowed: boolean): void {
    this.#screen.classList.toggle('active', on);
    this.#screen.title = on ? 'Stop sharing your screen' : allowed ? 'Share your screen' : 'A moderator stopped your video';
    this.#screen.setAttribute('aria-pressed', String(on));
    this.#screen.disabled = !allowed && !on;
  }

  setHandRaised(raised: boolean): void {
    this.#hand.classList.toggle('active', raised);
    this.#hand.title = raised ? 'Lower your hand' : 'Raise your hand';
    this.#hand.setAttribute('aria-pressed', String(raised));
  }

  /** A kind a moderator hard-muted shows a lock on its button. */
  setLocked(audioLocked: boolean, videoLocked: boolean): void {
    this.#mic.classList.toggle('locked', audioLocked);
    this.#cam.classList.toggle('locked', videoLocked);
    if (audioLocked) this.#mic.title = 'A moderator muted you; you can unmute when they allow it';
    if (videoLocked) this.#cam.title = 'A moderator turned your camera off; you can turn it on when they allow it';
  }

  /** The presenter layout while something is shown large (layout.ts). */
  setPresentation(large: LargeVideo | undefined): void {
    this.presentation.show(large);
    this.#stageArea.classList.toggle('presenting', large !== undefined);
    this.stage.setStrip(large !== undefined);
  }

  /** Hides the strip of tiles beside the large video (toggleFilmStrip). */
  setFilmstripVisible(visible: boolean): void {
    this.#stageArea.classList.toggle('filmstrip-hidden', !visible);
  }

  /** The meeting's subject in the header; undefined or '' hides it. */
  setSubject(subject: string | undefined): void {
    this.#subject.hidden = !subject;
    this.#subject.textContent = subject ?? '';
  }

  /** Only these toolbar buttons (config.toolbarButtons). */
  setToolbarButtons(keep: readonly ToolbarButton[]): void {
    for (const [name, button] of Object.entries(this.#toolbar)) button.hidden = !keep.includes(name as ToolbarButton);
  }

  /** Hides our own tile (config.disableSelfView), or our own video's mirroring (toggleCameraMirror). */
  setSelfView(options: { hidden?: boolean; mirrored?: boolean }): void {
    if (options.hidden !== undefined) {
      this.stage.el.classList.toggle('hide-self', options.hidden);
      this.stage.paginate();
    }
    if (options.mirrored !== undefined) this.stage.el.classList.toggle('unmirrored', !options.mirrored);
  }

  /** Our own video is shown mirrored (the default, like a mirror). */
  get selfMirrored(): boolean {
    return !this.stage.el.classList.contains('unmirrored');
  }

  /** The embedder's notification (showNotification); `uid` lets hideNotification take it away again. */
  showNotification(text: string, uid: string | undefined): void {
    this.setNotice(text);
    this.#noticeUid = uid;
  }

  hideNotification(uid: string): void {
    if (this.#noticeUid === uid) this.setNotice(undefined);
  }

  /** The knocker's waiting card over everything; undefined hides it. */
  setLobby(card: HTMLElement | undefined): void {
    this.#lobbyLayer.hidden = card === undefined;
    this.#lobbyLayer.replaceChildren(...(card ? [card] : []));
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
    this.#noticeUid = undefined;
    this.#notice.hidden = text === undefined;
    this.#notice.replaceChildren(h('span', {}, text ?? ''));
    if (code) this.#notice.append(h('small', { class: 'error-code' }, `Error code: ${code}`));
    this.#notice.onclick = onClick ?? null;
    this.#notice.classList.toggle('clickable', onClick !== undefined);
  }
}
