/** Helpers for node tests that drive bots against a test server. */
import { Bot } from '../../src/bot/index.js';
import type { BotOptions } from '../../src/bot/index.js';
import type { MediaKind } from '../../src/protocol/messages.js';

/** Joins bots in parallel, each publishing audio and video unless told otherwise. */
export async function joinBots(url: string, room: string, names: readonly string[], extra: Partial<BotOptions> = {}): Promise<Bot[]> {
  const results = await Promise.allSettled(
    names.map((displayName) =>
      Bot.join({ url, room, displayName, publish: { audio: true, video: true }, network: { loopbackOnly: true }, ...extra }),
    ),
  );
  const bots = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await closeAll(bots);
    throw failed.reason;
  }
  return bots;
}

/** Packets `bot` has received from `from` (a bot or a participant id) of one kind. */
export function received(bot: Bot, from: Bot | string, kind: MediaKind): number {
  const id = typeof from === 'string' ? from : from.participantId;
  return bot.stats().remotes[id]?.[kind].packets ?? 0;
}

/** True when every bot has at least `min` packets of each kind from every other bot. */
export function allReceiving(bots: readonly Bot[], min: number, kinds: readonly MediaKind[] = ['audio', 'video']): boolean {
  return bots.every((bot) => bots.every((other) => other === bot || kinds.every((k) => received(bot, other, k) >= min)));
}

export async function closeAll(bots: readonly Bot[]): Promise<void> {
  await Promise.allSettled(bots.map((b) => b.close()));
}
