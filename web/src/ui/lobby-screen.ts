/**
 * The lobby, both sides: the card a knocker sees while waiting for a
 * moderator, and the list of knockers moderators see with Admit and Deny
 * (shown whatever panel is open, since someone is waiting on it).
 */
import type { Knocker } from '../../../src/protocol/messages.js';
import { h } from './dom.js';

/**
 * The knocker's card. Without a moderator in the room nobody can let them in
 * yet (students who arrive before the teacher), and it says so.
 */
export function lobbyWaitingCard(name: string, moderatorPresent: boolean, leave: () => void): HTMLElement {
  const you = name ? `, ${name}` : '';
  return h(
    'div',
    { class: 'card lobby-card', id: 'lobby-waiting', role: 'status', 'data-moderator-present': String(moderatorPresent) },
    h('div', { class: 'spinner' }),
    h('h1', {}, moderatorPresent ? 'Waiting to be let in' : 'Waiting for a moderator'),
    h(
      'p',
      { class: 'muted', id: 'lobby-waiting-text' },
      moderatorPresent
        ? `A moderator will let you in shortly${you}. Keep this page open.`
        : `No moderator is here yet${you}. You will wait here until one arrives and lets you in. Keep this page open.`,
    ),
    h('button', { type: 'button', class: 'primary', id: 'lobby-leave', onclick: leave }, 'Leave'),
  );
}

export interface KnockActions {
  admit(knockId: string): void;
  deny(knockId: string): void;
}

export class KnockList {
  readonly el = h('div', { class: 'knocks', id: 'knocks', role: 'region', 'aria-label': 'Waiting in the lobby' });

  constructor(private readonly actions: KnockActions) {
    this.el.hidden = true;
  }

  render(knockers: readonly Knocker[], isModerator: boolean): void {
    this.el.hidden = !isModerator || knockers.length === 0;
    if (this.el.hidden) return this.el.replaceChildren();
    this.el.replaceChildren(
      h('h2', {}, knockers.length === 1 ? 'Someone is waiting in the lobby' : `${knockers.length} people are waiting in the lobby`),
      ...knockers.map((k) =>
        h(
          'div',
          { class: 'knock', 'data-knock-id': k.id, 'data-name': k.displayName },
          h('span', { class: 'name' }, k.displayName || 'Someone'),
          h('button', { type: 'button', class: 'admit', onclick: () => this.actions.admit(k.id) }, 'Admit'),
          h('button', { type: 'button', class: 'deny', onclick: () => this.actions.deny(k.id) }, 'Deny'),
        ),
      ),
    );
  }
}
