/**
 * The iframe end of the Jitsi-compatible embed API: takes commands from
 * external_api.js in the parent page and sends it the conference's events
 * under Jitsi's names (events.ts). It talks only to its parent window, and
 * only to the origin that initialised it.
 */
import { EMBED_PARAM, isMessage, type FrameToHost, type HostToFrame } from '../../external-api/protocol.js';
import type { Conference } from '../conference.js';
import { parseHashParams } from '../hash-options.js';
import { runCommand } from './commands.js';
import { forwardEvents, QUERIES } from './events.js';

/** The embed id external_api.js put in our hash, when we are embedded. */
export function embedIdFromHash(hash: string): string | undefined {
  const id = parseHashParams(hash).get(EMBED_PARAM);
  return typeof id === 'string' && window.parent !== window ? id : undefined;
}

export class EmbedBridge {
  #hostOrigin: string | undefined;
  #conference: Conference | undefined;
  readonly #queue: FrameToHost[] = [];
  #offs: (() => void)[] = [];

  constructor(private readonly embedId: string) {
    window.addEventListener('message', (event) => this.receive(event));
  }

  attach(conference: Conference): void {
    for (const off of this.#offs.splice(0)) off();
    this.#conference = conference;
    this.#offs = forwardEvents(conference.events, (name, data) => this.post({ confab: 'event', embedId: this.embedId, name, data }));
  }

  private post(message: FrameToHost): void {
    if (!this.#hostOrigin) {
      if (this.#queue.length < 500) this.#queue.push(message);
      return;
    }
    window.parent.postMessage(message, this.#hostOrigin);
  }

  private receive(event: MessageEvent): void {
    if (event.source !== window.parent || !isMessage<HostToFrame>(event.data, this.embedId)) return;
    const m = event.data;
    if (m.confab === 'init') {
      this.#hostOrigin = event.origin;
      window.parent.postMessage({ confab: 'ready', embedId: this.embedId } satisfies FrameToHost, event.origin);
      for (const queued of this.#queue.splice(0)) this.post(queued);
      return;
    }
    if (event.origin !== this.#hostOrigin) return;
    const c = this.#conference;
    if (m.confab === 'request') {
      const query = Object.hasOwn(QUERIES, m.name) ? QUERIES[m.name] : undefined;
      const reply = { confab: 'response', embedId: this.embedId, requestId: m.requestId } as const;
      if (!query || !c) return this.post({ ...reply, result: undefined, error: query ? 'not in a meeting yet' : `'${m.name}' is not something the page answers` });
      this.post({ ...reply, result: query(c, m.args ?? []) });
      return;
    }
    if (c) runCommand(c, m.name, Array.isArray(m.args) ? m.args : []);
  }
}
