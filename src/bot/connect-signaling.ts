/**
 * Picks the bot's signaling transport as the browser does: WebSocket, or
 * with 'auto' HTTP long-poll when the WebSocket upgrade is refused or does
 * not open within a few seconds (a proxy that drops Upgrade headers).
 */
import { LongPollSignalingClient, longPollUrl } from './longpoll-client.js';
import type { BotSignaling } from './signaling-base.js';
import { SignalingClient, signalingUrl } from './signaling-client.js';

export type SignalingMode = 'websocket' | 'long-poll' | 'auto';

/** As long as the web client gives a WebSocket to open before it falls back. */
export const WS_FALLBACK_MS = 4000;

/** Connects to `<serverUrl>signaling` (or `signaling/lp`); rejects only when the chosen transport cannot connect. */
export async function connectSignaling(serverUrl: string, mode: SignalingMode, timeoutMs = 10_000): Promise<BotSignaling> {
  switch (mode) {
    case 'websocket':
      return SignalingClient.connect(signalingUrl(serverUrl), timeoutMs);
    case 'long-poll':
      return LongPollSignalingClient.connect(longPollUrl(serverUrl), timeoutMs);
    case 'auto':
      try {
        return await SignalingClient.connect(signalingUrl(serverUrl), Math.min(timeoutMs, WS_FALLBACK_MS));
      } catch {
        return LongPollSignalingClient.connect(longPollUrl(serverUrl), timeoutMs);
      }
  }
}
