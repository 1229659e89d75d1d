/**
 * The People panel: the raised-hand queue (first raised first), everyone in
 * the room with their state, and for moderators the room controls and a
 * moderation menu per person. It only renders and reports clicks; the
 * server decides what is allowed.
 */
import type { MediaKind, ParticipantInfo, RoomState } from '../../../src/protocol/messages.js';
import { h, icon } from './dom.js';
import { RoomControls, type RoomActions } from './room-controls.js';

export interface PersonActions {
  mute(id: string, kind: MediaKind, hard: boolean): void;
  allowUnmute(id: string, kind: MediaKind): void;
  grantModerator(id: string): void;
  /** `block`: also refuse this person until the class ends (only offered when they came with a token user id). */
  remove(id: string, block: boolean): void;
  lowerHand(id: string): void;
}

export interface PeopleView {
  selfId: string | undefined;
  isModerator: boolean;
  participants: ParticipantInfo[];
  room: RoomState;
}

export class PeoplePanel {
  readonly el: HTMLElement;
  readonly #controls: RoomControls;
  readonly #handsBox = h('div', { class: 'hands-box' });
  readonly #list = h('ul', { class: 'people-list', id: 'people-list' });

  constructor(private readonly actions: PersonActions, roomActions: RoomActions) {
    this.#controls = new RoomControls(roomActions);
    this.el = h('section', { class: 'panel people-panel', id: 'people-panel' }, this.#controls.el, this.#handsBox, this.#list);
  }

  render(v: PeopleView): void {
    this.#controls.el.hidden = !v.isModerator;
    this.#controls.render(v.room);
    const raised = v.participants.filter((p) => p.handRaisedAt !== null).sort((a, b) => (a.handRaisedAt ?? 0) - (b.handRaisedAt ?? 0));
    this.#handsBox.replaceChildren(
      ...(raised.length === 0
        ? []
        : [
            h('h2', {}, `Raised hands (${raised.length})`),
            h(
              'ol',
              { class: 'hand-queue', id: 'hand-queue' },
              ...raised.map((p) =>
                h(
                  'li',
                  { 'data-participant-id': p.id },
                  h('span', { class: 'name' }, p.displayName),
                  v.isModerator && p.id !== v.selfId ? this.button('Lower', 'lower-hand', () => this.actions.lowerHand(p.id)) : null,
                ),
              ),
            ),
          ]),
    );
    const sorted = [...v.participants].sort((a, b) => Number(b.id === v.selfId) - Number(a.id === v.selfId) || a.joinedAt - b.joinedAt);
    this.#list.replaceChildren(...sorted.map((p) => this.row(p, v)));
  }

  private row(p: ParticipantInfo, v: PeopleView): HTMLElement {
    const isSelf = p.id === v.selfId;
    const state = h(
      'span',
      { class: 'person-state' },
      p.handRaisedAt !== null ? h('span', { class: 'badge hand', title: 'Hand raised' }, icon('hand')) : null,
      h('span', { class: `badge${p.audioMuted ? ' off' : ''}`, title: p.audioLocked ? 'Muted by a moderator' : p.audioMuted ? 'Muted' : 'Microphone on' }, icon(p.audioMuted ? 'micOff' : 'mic')),
      p.audioLocked || p.videoLocked ? h('span', { class: 'badge off', title: 'Hard-muted by a moderator' }, icon('lock')) : null,
      h('span', { class: `badge${p.videoMuted ? ' off' : ''}`, title: p.videoMuted ? 'Camera off' : 'Camera on' }, icon(p.videoMuted ? 'camOff' : 'cam')),
    );
    const name = h('span', { class: 'name' }, isSelf ? `${p.displayName} (you)` : p.displayName, p.role === 'moderator' ? h('small', {}, ' · moderator') : null);
    const li = h('li', { class: 'person', 'data-participant-id': p.id, 'data-name': p.displayName }, h('div', { class: 'person-head' }, name, state));
    if (v.isModerator && !isSelf) li.append(this.menu(p));
    return li;
  }

  /** One moderator's actions for one person; data-action names them for tests and scripts. */
  private menu(p: ParticipantInfo): HTMLElement {
    const a = this.actions;
    const kindButtons = (kind: MediaKind, word: string): (HTMLElement | null)[] => {
      const muted = kind === 'audio' ? p.audioMuted : p.videoMuted;
      const locked = kind === 'audio' ? p.audioLocked : p.videoLocked;
      return [
        muted ? null : this.button(`Mute ${word}`, `mute-${kind}`, () => a.mute(p.id, kind, false)),
        locked
          ? this.button(`Allow ${word}`, `allow-${kind}`, () => a.allowUnmute(p.id, kind))
          : p.role === 'moderator'
            ? null
            : this.button(`Hard-mute ${word}`, `hard-mute-${kind}`, () => a.mute(p.id, kind, true)),
      ];
    };
    return h(
      'div',
      { class: 'person-actions' },
      ...kindButtons('audio', 'mic'),
      ...kindButtons('video', 'camera'),
      p.role === 'moderator' ? null : this.button('Make moderator', 'make-moderator', () => a.grantModerator(p.id)),
      this.button('Remove', 'remove', () => a.remove(p.id, false), 'danger-text'),
      // Removal alone lets them back with their link (as in Jitsi); a block keeps them out until the class ends.
      p.blockable ? this.button('Remove and block', 'remove-block', () => a.remove(p.id, true), 'danger-text') : null,
    );
  }

  private button(label: string, action: string, run: () => void, cls = ''): HTMLElement {
    return h('button', { type: 'button', class: cls, 'data-action': action, onclick: run }, label);
  }
}
