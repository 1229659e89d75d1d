/**
 * Whose video a subscriber receives: Jitsi's last-N (`channelLastN`, the
 * receiver video constraints' `lastN` and `onStageSources`). Everybody's
 * audio is always forwarded; video goes to at most `lastN` other
 * participants, chosen in this order:
 *
 * 1. those the subscriber has on stage (pinned, large),
 * 2. those sharing their screen,
 * 3. recent speakers, most recent first (dominant-speaker.ts),
 * 4. everyone else, in the order they joined.
 *
 * `lastN` -1 means no limit; 0 means no video at all.
 */

export interface LastNInput {
  /** The subscriber: never counted. */
  readonly self: string;
  readonly lastN: number;
  readonly onStage: readonly string[];
  readonly screenSharers: readonly string[];
  /** Most recent first. */
  readonly recentSpeakers: readonly string[];
  /** Everyone in the room, in join order. */
  readonly participants: readonly string[];
}

/** The participants whose video the subscriber receives. */
export function forwardedVideo(input: LastNInput): Set<string> {
  const present = new Set(input.participants);
  const chosen = new Set<string>();
  const limit = input.lastN < 0 ? Infinity : input.lastN;
  for (const list of [input.onStage, input.screenSharers, input.recentSpeakers, input.participants]) {
    for (const id of list) {
      if (chosen.size >= limit) return chosen;
      if (id !== input.self && present.has(id)) chosen.add(id);
    }
  }
  return chosen;
}
