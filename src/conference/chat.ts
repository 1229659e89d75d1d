/**
 * The room's chat. Room messages are kept for late joiners, bounded by
 * count and by total size so the backlog always fits in one signaling
 * message; private messages are relayed only (a participant id does not
 * outlive its connection, so nobody could claim them later). How often a
 * sender may post is the service's business, with every other kind of
 * message (src/service/participant-limits.ts).
 */
import { randomUUID } from 'node:crypto';
import { CHAT_HISTORY_LIMIT, MAX_CHAT_TEXT, MAX_MESSAGE_BYTES, type ChatMessage } from '../protocol/messages.js';

export interface ChatLimits {
  /** Room messages kept. */
  readonly historyCount: number;
  /** UTF-8 bytes of kept messages (JSON), well under MAX_MESSAGE_BYTES. */
  readonly historyBytes: number;
}

export const DEFAULT_CHAT_LIMITS: ChatLimits = {
  historyCount: CHAT_HISTORY_LIMIT,
  historyBytes: MAX_MESSAGE_BYTES / 2,
};

const encoder = new TextEncoder();

export class ChatLog {
  readonly #history: { message: ChatMessage; bytes: number }[] = [];
  #bytes = 0;

  constructor(private readonly limits: ChatLimits = DEFAULT_CHAT_LIMITS) {}

  /** Makes a message from `from` (to the room, or privately `to` someone) and keeps room messages. */
  post(from: { id: string; displayName: string }, text: string, to?: string, now = Date.now()): ChatMessage {
    const message: ChatMessage = { id: randomUUID(), from: from.id, fromName: from.displayName, text: text.slice(0, MAX_CHAT_TEXT), at: now };
    if (to !== undefined) return { ...message, to };
    const bytes = encoder.encode(JSON.stringify(message)).byteLength;
    this.#history.push({ message, bytes });
    this.#bytes += bytes;
    while (this.#history.length > this.limits.historyCount || this.#bytes > this.limits.historyBytes) {
      this.#bytes -= this.#history.shift()?.bytes ?? 0;
    }
    return message;
  }

  /** Puts back room messages kept elsewhere (a class continuing on another server), within the same bounds. */
  restore(messages: readonly ChatMessage[]): void {
    for (const message of messages) {
      if (message.to !== undefined) continue;
      const bytes = encoder.encode(JSON.stringify(message)).byteLength;
      this.#history.push({ message, bytes });
      this.#bytes += bytes;
    }
    while (this.#history.length > this.limits.historyCount || this.#bytes > this.limits.historyBytes) {
      this.#bytes -= this.#history.shift()?.bytes ?? 0;
    }
  }

  /** Room messages, oldest first. */
  history(): ChatMessage[] {
    return this.#history.map((h) => h.message);
  }
}
