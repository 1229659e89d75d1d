/**
 * The iframe end of the Jitsi-compatible embed API: takes commands from
 * external_api.js in the parent page and sends it the conference's events
 * under Jitsi's names. It talks only to its parent window, and only to the
 * origin that initialised it.
 */
import { EMBED_PARAM, isMessage, type FrameToHost, type HostToFrame } from '../../external-api/protocol.js';
import type { Conference } from '../conference.js';
import { parseHashParams } from '../hash-options.js';
import { runCommand } from './commands.js';

/** The embed id external_api.js put in our hash, when we are embedded. */
export function embedIdFromHash(hash: string): string | undefined {
  const id = parseHashParams(hash).get(EMBED_PARAM);
  return typeof id === 'string' && window.parent !== window ? id : undefined;
}

export class EmbedBridge {
  #hostOrigin: string | undefined;
  #conference: Conference | undefined;
  #room = '';
  readonly #queue: FrameToHost[] = [];
  #offs: (() => void)[] = [];

  constructor(private readonly embedId: string) {
    window.addEventListener('message', (event) => this.receive(event));
  }

  attach(conference: Conference): void {
    for (const off of this.#offs.splice(0)) off();
    this.#conference = conference;
    const e = conference.events;
    this.#offs.push(
      e.on('joined', (j) => {
        this.#room = j.room;
        this.emit('videoConferenceJoined', { roomName: j.room, id: j.participantId, displayName: j.displayName, avatarURL: '' });
        this.emit('participantRoleChanged', { id: j.participantId, role: j.role });
      }),
      e.on('left', () => {
        this.emit('videoConferenceLeft', { roomName: this.#room });
        this.emit('readyToClose', {});
      }),
      e.on('participantJoined', (p) => this.emit('participantJoined', { id: p.id, displayName: p.displayName })),
      e.on('participantLeft', (id) => this.emit('participantLeft', { id })),
      e.on('participantUpdated', (p) => this.emit('displayNameChange', { id: p.id, displayname: p.displayName })),
      e.on('localMuteChanged', ({ kind, muted }) => this.emit(kind === 'audio' ? 'audioMuteStatusChanged' : 'videoMuteStatusChanged', { muted })),
      // Class features, already shaped like Jitsi's events.
      e.on('raiseHandUpdated', (d) => this.emit('raiseHandUpdated', d)),
      e.on('participantRoleChanged', (d) => this.emit('participantRoleChanged', d)),
      e.on('incomingMessage', (d) => this.emit('incomingMessage', d)),
      e.on('screenSharingStatusChanged', (d) => this.emit('screenSharingStatusChanged', d)),
      e.on('knockingParticipant', (d) => this.emit('knockingParticipant', d)),
    );
  }

  private emit(name: string, data: Record<string, unknown>): void {
    this.post({ confab: 'event', embedId: this.embedId, name, data });
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
      const result = m.name === 'isAudioMuted' ? c?.audioMuted : c?.videoMuted;
      this.post({ confab: 'response', embedId: this.embedId, requestId: m.requestId, result: result ?? false });
      return;
    }
    if (c) runCommand(c, m.name, m.args);
  }
}
