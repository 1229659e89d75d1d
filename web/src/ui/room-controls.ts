/**
 * Room-wide moderation for moderators: mute everyone, lecture mode (nobody
 * but moderators may unmute), lock, lobby, end the class. Ending asks for a
 * second click instead of a browser dialog, which would block the page.
 */
import type { MediaKind, RoomState } from '../../../src/protocol/messages.js';
import { h } from './dom.js';

export interface RoomActions {
  muteEveryone(kind: MediaKind, hard: boolean): void;
  allowUnmuteEveryone(kind: MediaKind): void;
  setLocked(locked: boolean): void;
  setLobby(enabled: boolean): void;
  endConference(): void;
}

const CONFIRM_MS = 5000;

export class RoomControls {
  readonly el: HTMLElement;
  readonly #lecture = h('input', { type: 'checkbox', id: 'lecture-mode' });
  readonly #lock = h('input', { type: 'checkbox', id: 'lock-room' });
  readonly #lobby = h('input', { type: 'checkbox', id: 'lobby-toggle' });
  readonly #end = h('button', { type: 'button', class: 'danger-text', id: 'end-conference' }, 'End class for everyone');
  #confirmTimer: number | undefined;

  constructor(actions: RoomActions) {
    this.#lecture.addEventListener('change', () =>
      this.#lecture.checked ? actions.muteEveryone('audio', true) : actions.allowUnmuteEveryone('audio'),
    );
    this.#lock.addEventListener('change', () => actions.setLocked(this.#lock.checked));
    this.#lobby.addEventListener('change', () => actions.setLobby(this.#lobby.checked));
    this.#end.addEventListener('click', () => {
      if (this.#confirmTimer === undefined) {
        this.#end.textContent = 'Click again to end the class for everyone';
        this.#end.classList.add('confirm');
        this.#confirmTimer = window.setTimeout(() => this.resetEnd(), CONFIRM_MS);
        return;
      }
      this.resetEnd();
      actions.endConference();
    });
    const toggle = (input: HTMLInputElement, label: string, hint: string): HTMLElement =>
      h('label', { class: 'switch', title: hint }, input, h('span', {}, label));
    this.el = h(
      'div',
      { class: 'room-controls', id: 'room-controls' },
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'button', id: 'mute-everyone-audio', onclick: () => actions.muteEveryone('audio', false) }, 'Mute everyone'),
        h('button', { type: 'button', id: 'mute-everyone-video', onclick: () => actions.muteEveryone('video', false) }, 'Stop all cameras'),
      ),
      toggle(this.#lecture, 'Lecture mode', 'Everyone but moderators is muted and cannot unmute, newcomers too'),
      toggle(this.#lock, 'Lock room', 'Nobody new can join'),
      toggle(this.#lobby, 'Lobby', 'Newcomers wait until a moderator admits them'),
      this.#end,
    );
  }

  render(state: RoomState): void {
    this.#lecture.checked = state.hardMuted.audio;
    this.#lock.checked = state.locked;
    this.#lobby.checked = state.lobbyEnabled;
  }

  private resetEnd(): void {
    window.clearTimeout(this.#confirmTimer);
    this.#confirmTimer = undefined;
    this.#end.textContent = 'End class for everyone';
    this.#end.classList.remove('confirm');
  }
}
