/** Helpers for the class-feature node tests: watching a signaling connection and joining without media. */
import { SignalingClient, signalingUrl, type BotSignaling } from '../../src/bot/index.js';
import { PROTOCOL_VERSION, type ClientMessageInput, type ModerationRequest, type ServerMessage } from '../../src/protocol/messages.js';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** Everything one connection received, with a way to wait for the next matching message. */
export class Inbox {
  readonly messages: ServerMessage[] = [];
  readonly #waiters = new Set<(m: ServerMessage) => void>();

  constructor(readonly client: BotSignaling) {
    client.on('message', (m) => {
      this.messages.push(m);
      for (const w of [...this.#waiters]) w(m);
    });
  }

  of<T extends ServerMessage['type']>(type: T): Of<T>[] {
    return this.messages.filter((m): m is Of<T> => m.type === type);
  }

  /** The first message of `type` matching `check`, already received or still to come. */
  wait<T extends ServerMessage['type']>(type: T, check: (m: Of<T>) => boolean = () => true, timeoutMs = 5000): Promise<Of<T>> {
    const seen = this.of(type).find(check);
    if (seen) return Promise.resolve(seen);
    return this.next(type, check, timeoutMs);
  }

  /** The next message of `type` matching `check` from now on. */
  next<T extends ServerMessage['type']>(type: T, check: (m: Of<T>) => boolean = () => true, timeoutMs = 5000): Promise<Of<T>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no '${type}' message as expected within ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((m) => m.type))}`));
      }, timeoutMs);
      const waiter = (m: ServerMessage): void => {
        if (m.type !== type || !check(m as Of<T>)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(m as Of<T>);
      };
      this.#waiters.add(waiter);
    });
  }

  send(message: ClientMessageInput): void {
    this.client.send(message);
  }

  moderate(request: ModerationRequest | (Omit<ModerationRequest, 'hard'> & { hard?: boolean })): void {
    this.client.send({ type: 'moderate', request } as ClientMessageInput);
  }

  closed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    if (this.client.closed) return Promise.resolve(this.client.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms`)), timeoutMs);
      this.client.once('closed', (info) => {
        clearTimeout(timer);
        resolve(info);
      });
    });
  }
}

/** Connects and says hello without publishing media; the inbox sees every message from the first. */
/** Hello fields beyond room and name: a token, a rejoin ticket, a resume. */
export type HelloExtra = Partial<Omit<Extract<ClientMessageInput, { type: 'hello' }>, 'type' | 'room' | 'displayName'>>;

export async function connect(url: string, room: string, displayName: string, extra: HelloExtra = {}): Promise<Inbox> {
  const client = await SignalingClient.connect(signalingUrl(url));
  const inbox = new Inbox(client);
  client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, room, displayName, audioMuted: false, videoMuted: false, ...extra });
  return inbox;
}

/** Connects and waits for the welcome. */
export async function joinSilently(url: string, room: string, displayName: string, extra: HelloExtra = {}): Promise<{ inbox: Inbox; id: string }> {
  const inbox = await connect(url, room, displayName, extra);
  const welcome = await inbox.wait('welcome');
  return { inbox, id: welcome.participantId };
}
