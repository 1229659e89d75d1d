/**
 * `JitsiMeetExternalAPI`, compatible with Jitsi's iframe API: a platform page
 * that embeds Jitsi with `new JitsiMeetExternalAPI(domain, options)` works by
 * pointing `domain` at Confab. Served as <base>/external_api.js.
 */
import { entryOf, FUNCTIONS, refusal, supportedNames } from '../src/embed/catalogue.js';
import { EMBED_PARAM, isMessage, type FrameToHost, type HostToFrame } from './protocol.js';

type Listener = (data?: unknown) => void;

interface Options {
  roomName?: string;
  width?: number | string;
  height?: number | string;
  parentNode?: HTMLElement;
  configOverwrite?: Record<string, unknown>;
  interfaceConfigOverwrite?: Record<string, unknown>;
  jwt?: string;
  onload?: () => void;
  userInfo?: { displayName?: string; email?: string };
  lang?: string;
}

let instances = 0;

function size(value: number | string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  return typeof value === 'number' || /^\d+$/.test(value) ? `${value}px` : value;
}

/** Flattens `{prejoinConfig: {enabled: false}}` into Jitsi's hash keys: `config.prejoinConfig.enabled=false`. */
function hashParams(prefix: string, value: unknown, out: string[]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) hashParams(`${prefix}.${k}`, v, out);
    return;
  }
  out.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(JSON.stringify(value))}`);
}

class JitsiMeetExternalAPI {
  readonly #embedId = `${Date.now().toString(36)}-${++instances}`;
  readonly #iframe: HTMLIFrameElement;
  readonly #origin: string;
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #participants = new Map<string, { displayName: string; avatarURL: string }>();
  readonly #pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  #requestId = 0;
  readonly #warnedEvents = new Set<string>();
  #ready = false;
  #queue: HostToFrame[] = [];
  readonly #onMessage = (event: MessageEvent): void => this.receive(event);

  constructor(domain: string, options: Options | string = {}, ...legacy: unknown[]) {
    // Jitsi's old positional form: (domain, roomName, width, height, parentNode, configOverwrite, interfaceConfigOverwrite, jwt, onload)
    const o: Options =
      typeof options === 'string'
        ? {
            roomName: options,
            width: legacy[0] as number,
            height: legacy[1] as number,
            parentNode: legacy[2] as HTMLElement,
            configOverwrite: legacy[3] as Record<string, unknown>,
            interfaceConfigOverwrite: legacy[4] as Record<string, unknown>,
            jwt: legacy[5] as string,
            onload: legacy[6] as () => void,
          }
        : options;
    // The iframe uses the protocol of the page that loaded the script (http on localhost).
    const base = new URL(`${location.protocol}//${domain.replace(/\/?$/, '/')}`);
    this.#origin = base.origin;
    const url = new URL((o.roomName ?? '').replace(/^\//, ''), base);
    if (o.jwt) url.searchParams.set('jwt', o.jwt);
    const hash: string[] = [];
    hashParams('config', o.configOverwrite ?? {}, hash);
    hashParams('interfaceConfig', o.interfaceConfigOverwrite ?? {}, hash);
    if (o.userInfo?.displayName) hashParams('userInfo.displayName', o.userInfo.displayName, hash);
    if (o.userInfo?.email) hashParams('userInfo.email', o.userInfo.email, hash);
    hash.push(`${EMBED_PARAM}=${encodeURIComponent(JSON.stringify(this.#embedId))}`);
    url.hash = hash.join('&');

    const iframe = document.createElement('iframe');
    iframe.src = url.toString();
    iframe.name = `confab-${this.#embedId}`;
    iframe.allow = 'camera; microphone; display-capture; autoplay; clipboard-write; fullscreen';
    iframe.style.border = '0';
    iframe.style.width = size(o.width, '100%');
    iframe.style.height = size(o.height, '100%');
    iframe.addEventListener('load', () => {
      this.post({ confab: 'init', embedId: this.#embedId });
      o.onload?.();
    });
    this.#iframe = iframe;
    window.addEventListener('message', this.#onMessage);
    (o.parentNode ?? document.body).appendChild(iframe);
  }

  getIFrame(): HTMLIFrameElement {
    return this.#iframe;
  }

  executeCommand(name: string, ...args: unknown[]): void {
    this.send({ confab: 'command', embedId: this.#embedId, name, args });
  }

  executeCommands(commands: Record<string, unknown>): void {
    for (const [name, arg] of Object.entries(commands)) this.executeCommand(name, ...(Array.isArray(arg) ? arg : [arg]));
  }

  /** Everyone in the meeting, ourselves included, as the last events described them. */
  getParticipantsInfo(): { participantId: string; displayName: string; formattedDisplayName: string; avatarURL: string }[] {
    return [...this.#participants].map(([participantId, p]) => ({ participantId, displayName: p.displayName, formattedDisplayName: p.displayName, avatarURL: p.avatarURL }));
  }

  getNumberOfParticipants(): number {
    return this.#participants.size;
  }

  getDisplayName(participantId: string): string | undefined {
    return this.#participants.get(participantId)?.displayName;
  }

  getAvatarURL(participantId: string): string {
    return this.#participants.get(participantId)?.avatarURL ?? '';
  }

  getSupportedCommands(): string[] {
    return supportedNames('command');
  }

  getSupportedEvents(): string[] {
    return supportedNames('event');
  }

  isVisitor(): boolean {
    return false;
  }

  pinParticipant(participantId?: string, videoType?: string): void {
    this.executeCommand('pinParticipant', participantId, videoType);
  }

  setLargeVideoParticipant(participantId?: string, videoType?: string): void {
    this.executeCommand('setLargeVideoParticipant', participantId, videoType);
  }

  isAudioMuted(): Promise<boolean> {
    return this.request('isAudioMuted') as Promise<boolean>;
  }

  isVideoMuted(): Promise<boolean> {
    return this.request('isVideoMuted') as Promise<boolean>;
  }

  getContentSharingParticipants(): Promise<{ sharingParticipantIds: string[] }> {
    return this.request('getContentSharingParticipants') as Promise<{ sharingParticipantIds: string[] }>;
  }

  getRoomsInfo(): Promise<{ rooms: unknown[] }> {
    return this.request('getRoomsInfo') as Promise<{ rooms: unknown[] }>;
  }

  isModerationOn(mediaType: 'audio' | 'video' = 'audio'): Promise<boolean> {
    return this.request('isModerationOn', mediaType) as Promise<boolean>;
  }

  isParticipantForceMuted(participantId: string, mediaType: 'audio' | 'video' = 'audio'): Promise<boolean> {
    return this.request('isParticipantForceMuted', participantId, mediaType) as Promise<boolean>;
  }

  isParticipantsPaneOpen(): Promise<boolean> {
    return this.request('isParticipantsPaneOpen') as Promise<boolean>;
  }

  isStartSilent(): Promise<boolean> {
    return this.request('isStartSilent') as Promise<boolean>;
  }

  isP2pActive(): Promise<boolean> {
    return this.request('isP2pActive') as Promise<boolean>;
  }

  on(event: string, listener: Listener): this {
    // An event Confab never sends is named once, so the platform knows why its listener stays silent.
    if (entryOf('event', event)?.status !== 'supported' && !this.#warnedEvents.has(event)) {
      this.#warnedEvents.add(event);
      console.warn(refusal('event', event));
    }
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped: Listener = (data) => {
      this.off(event, wrapped);
      listener(data);
    };
    return this.on(event, wrapped);
  }

  addListener(event: string, listener: Listener): this {
    return this.on(event, listener);
  }

  removeListener(event: string, listener: Listener): this {
    return this.off(event, listener);
  }

  addEventListener(event: string, listener: Listener): void {
    this.on(event, listener);
  }

  removeEventListener(event: string, listener?: Listener): void {
    if (listener) this.off(event, listener);
    else this.#listeners.delete(event);
  }

  addEventListeners(listeners: Record<string, Listener>): void {
    for (const [event, listener] of Object.entries(listeners)) this.on(event, listener);
  }

  removeEventListeners(events: string[]): void {
    for (const event of events) this.#listeners.delete(event);
  }

  /** Leaves the meeting (the iframe goes away) and stops listening. */
  dispose(): void {
    window.removeEventListener('message', this.#onMessage);
    this.#iframe.remove();
    this.#listeners.clear();
    this.#participants.clear();
  }

  private request(name: string, ...args: unknown[]): Promise<unknown> {
    const requestId = ++this.#requestId;
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject });
      this.send({ confab: 'request', embedId: this.#embedId, requestId, name, args });
    });
  }

  /** Commands wait until the page in the iframe is listening. */
  private send(message: HostToFrame): void {
    if (this.#ready) this.post(message);
    else this.#queue.push(message);
  }

  private post(message: HostToFrame): void {
    this.#iframe.contentWindow?.postMessage(message, this.#origin);
  }

  private receive(event: MessageEvent): void {
    if (event.source !== this.#iframe.contentWindow || event.origin !== this.#origin) return;
    if (!isMessage<FrameToHost>(event.data, this.#embedId)) return;
    const m = event.data;
    if (m.confab === 'ready') {
      this.#ready = true;
      for (const queued of this.#queue.splice(0)) this.post(queued);
      return;
    }
    if (m.confab === 'response') {
      const pending = this.#pending.get(m.requestId);
      this.#pending.delete(m.requestId);
      if (m.error !== undefined) pending?.reject(new Error(`confab: ${m.error}`));
      else pending?.resolve(m.result);
      return;
    }
    this.track(m.name, m.data);
    for (const listener of [...(this.#listeners.get(m.name) ?? [])]) listener(m.data);
  }

  /** Keeps the participant list that getParticipantsInfo() answers from. */
  private track(name: string, data: Record<string, unknown>): void {
    const id = String(data.id ?? '');
    if (name === 'videoConferenceJoined' || name === 'participantJoined') {
      this.#participants.set(id, { displayName: String(data.displayName ?? ''), avatarURL: String(data.avatarURL ?? '') });
    } else if (name === 'participantLeft') this.#participants.delete(id);
    else if (name === 'displayNameChange' && this.#participants.has(id)) this.#participants.get(id)!.displayName = String(data.displayname ?? '');
    else if (name === 'videoConferenceLeft') this.#participants.clear();
  }
}

// Jitsi's functions Confab does not support exist, so a platform's call does not throw TypeError:
// each names itself in a console warning and answers with a rejected promise (most are promise-based).
for (const [name, entry] of Object.entries(FUNCTIONS)) {
  if (entry.status !== 'refused') continue;
  Object.defineProperty(JitsiMeetExternalAPI.prototype, name, {
    configurable: true,
    writable: true,
    value(): Promise<never> {
      const message = refusal('function', name);
      console.warn(message);
      return Promise.reject(new Error(message));
    },
  });
}

// A classic script: define the global the way Jitsi's external_api.js does.
(globalThis as unknown as { JitsiMeetExternalAPI: typeof JitsiMeetExternalAPI }).JitsiMeetExternalAPI = JitsiMeetExternalAPI;

export default JitsiMeetExternalAPI;
