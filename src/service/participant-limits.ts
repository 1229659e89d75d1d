/**
 * What a participant may ask of its room, and how often: every message the
 * server fans out to the room (names, mutes, hands, chat, moderation), writes
 * to its log (reports) or turns into work on the media path (offers, ICE
 * restarts) has a token bucket per participant. Over the rate,
 * the message is refused with `rate_limited` (a non-fatal error: the
 * connection stays, nothing reaches anyone else). The values are in
 * docs/security.md (a test compares them).
 *
 * Not limited: `subscribe-answer` (one per offer the server makes, at the
 * server's pace; refusing one would stall the participant's media), `ping`
 * (answered to the sender only), `ice-candidate` (ignored: the server is
 * ICE-lite) and `leave`.
 */
import type { RoomMessage } from '../protocol/messages.js';
import { ConfabError } from '../protocol/errors.js';
import { TokenBucket, type Rate } from '../util/token-bucket.js';

export type RateKind = 'chat' | 'display-name' | 'mute' | 'hand' | 'report' | 'ice-restart' | 'publish' | 'moderation' | 'receive-video';

/**
 * Bursts cover what a person does at once (a few renames while typing, push-to-talk
 * mutes, a class's worth of moderation clicks); the refill is what a person
 * sustains. 1,000 renames a second (issue 11's probe) get 5 through, then one every 2 s.
 */
export const PARTICIPANT_RATE_LIMITS: Readonly<Record<RateKind, Rate>> = {
  /** 10 at once, then one every 0.5 s: ~10 per 5 s, the chat limit since the start. */
  chat: { burst: 10, refillMs: 500 },
  'display-name': { burst: 5, refillMs: 2000 },
  /** Push-to-talk toggles the microphone on every key press. */
  mute: { burst: 20, refillMs: 250 },
  hand: { burst: 10, refillMs: 1000 },
  /** Each report is a warning in the log: a page reports a few problems per blip, not a stream. */
  report: { burst: 10, refillMs: 10_000 },
  /** The server itself acts on at most one every 5 s (src/media/path-health.ts). */
  'ice-restart': { burst: 3, refillMs: 5000 },
  /** Camera and microphone, a screen share on and off, an ICE restart: a handful per minute. */
  publish: { burst: 10, refillMs: 2000 },
  moderation: { burst: 20, refillMs: 500 },
  /** Each change may renegotiate the subscribe connection: pinning someone is a click, not a stream. */
  'receive-video': { burst: 10, refillMs: 1000 },
};

/** Which kind each limited message counts against. */
export const RATE_KIND_OF: Readonly<Partial<Record<RoomMessage['type'], RateKind>>> = {
  'chat-send': 'chat',
  'set-display-name': 'display-name',
  'set-muted': 'mute',
  'set-hand-raised': 'hand',
  'client-report': 'report',
  'restart-ice': 'ice-restart',
  'publish-offer': 'publish',
  moderate: 'moderation',
  'receive-video': 'receive-video',
};

/** What one participant may still do; lives as long as the participant (a resumed session keeps it). */
export class ParticipantLimits {
  readonly #buckets = new Map<RateKind, TokenBucket>();

  constructor(private readonly limits: Readonly<Record<RateKind, Rate>> = PARTICIPANT_RATE_LIMITS) {}

  /**
   * Counts a message against its kind's bucket: the kind when it is over the
   * rate (to be refused), undefined when it may go ahead (or is not limited).
   */
  overLimit(type: RoomMessage['type'], now = Date.now()): RateKind | undefined {
    const kind = RATE_KIND_OF[type];
    if (!kind) return undefined;
    let bucket = this.#buckets.get(kind);
    if (!bucket) this.#buckets.set(kind, (bucket = new TokenBucket(this.limits[kind], now)));
    return bucket.take(now) ? undefined : kind;
  }

  /** The refusal for a message over its rate, saying what the rate is. */
  refusal(type: RoomMessage['type'], kind: RateKind): ConfabError {
    const { burst, refillMs } = this.limits[kind];
    return new ConfabError('rate_limited', `too many '${type}' messages: at most ${burst} at once, then one every ${refillMs / 1000} s`);
  }
}
