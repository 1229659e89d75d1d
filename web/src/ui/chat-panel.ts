/**
 * The Chat panel: room and private messages in arrival order, a recipient
 * picker (everyone, or one person privately) and a bounded input. The
 * server echoes our own messages back, so what shows is what others got.
 */
import { MAX_CHAT_TEXT, type ChatMessage } from '../../../src/protocol/messages.js';
import { h } from './dom.js';

/** Messages kept on the page; older ones scroll away. */
const MAX_SHOWN = 500;

export class ChatPanel {
  readonly el: HTMLElement;
  readonly #log = h('ol', { class: 'chat-log', id: 'chat-log', 'aria-live': 'polite' });
  readonly #to = h('select', { id: 'chat-to', 'aria-label': 'Send to' });
  readonly #input = h('input', { type: 'text', id: 'chat-input', maxlength: MAX_CHAT_TEXT, placeholder: 'Message', autocomplete: 'off' });

  constructor(send: (text: string, to: string | undefined) => void) {
    const form = h('form', { class: 'chat-form' }, this.#to, this.#input, h('button', { type: 'submit', id: 'chat-send', class: 'primary' }, 'Send'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.#input.value.trim();
      if (!text) return;
      send(text, this.#to.value || undefined);
      this.#input.value = '';
    });
    this.el = h('section', { class: 'panel chat-panel', id: 'chat-panel' }, this.#log, form);
    this.setRecipients([], undefined);
  }

  /** `nameOf` names private recipients. */
  add(messages: readonly ChatMessage[], selfId: string | undefined, nameOf: (id: string) => string): void {
    for (const m of messages) {
      const mine = m.from === selfId;
      const privately = m.to === undefined ? '' : mine ? ` → ${nameOf(m.to)} (private)` : ' (private)';
      const time = new Date(m.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      this.#log.append(
        h(
          'li',
          { class: `chat-message${mine ? ' mine' : ''}${m.to ? ' private' : ''}`, 'data-from': m.from },
          h('div', { class: 'chat-meta' }, h('span', { class: 'chat-from' }, mine ? 'You' : m.fromName), h('span', {}, privately), h('time', {}, time)),
          h('div', { class: 'chat-text' }, m.text),
        ),
      );
    }
    while (this.#log.childElementCount > MAX_SHOWN) this.#log.firstElementChild?.remove();
    this.#log.scrollTop = this.#log.scrollHeight;
  }

  clear(): void {
    this.#log.replaceChildren();
  }

  /** Everyone else as private recipients; keeps the current choice while that person is here. */
  setRecipients(people: readonly { id: string; displayName: string }[], selfId: string | undefined): void {
    const current = this.#to.value;
    const others = people.filter((p) => p.id !== selfId);
    this.#to.replaceChildren(
      h('option', { value: '' }, 'Everyone'),
      ...others.map((p) => h('option', { value: p.id }, `${p.displayName} (private)`)),
    );
    this.#to.value = others.some((p) => p.id === current) ? current : '';
  }

  /** Addresses the next message to one participant (if they are here), or to everyone. */
  setRecipient(to: string | undefined): void {
    const known = Array.from(this.#to.options).some((o) => o.value === to);
    this.#to.value = to !== undefined && known ? to : '';
  }

  get recipient(): string | undefined {
    return this.#to.value || undefined;
  }

  focus(): void {
    this.#input.focus();
  }
}
