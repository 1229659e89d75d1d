/**
 * What the page asks to receive (receive-video, Jitsi's receiver video
 * constraints): whose video (config.channelLastN, the pinned participant on
 * stage) and which simulcast layer of each camera, from how tall the page
 * draws it. The thumbnails' height is `maxHeight` for everyone; a camera
 * drawn taller (large on the stage) or not at all (a tile on another grid
 * page, a hidden filmstrip) gets a constraint of its own. The server sends
 * the smallest layer at least about that tall, so a page receives what it
 * shows and no more.
 *
 * Heights are device pixels (CSS pixels x devicePixelRatio), rounded up to
 * 20 so that a window dragged a few pixels says nothing new.
 */
import { MAX_VIDEO_CONSTRAINTS, MAX_VIDEO_HEIGHT, type ClientMessageInput } from '../../src/protocol/messages.js';

export type ReceiveVideo = Extract<ClientMessageInput, { type: 'receive-video' }>;

/** How tall one participant's camera is drawn, in device pixels; 0: not drawn. */
export interface DrawnVideo {
  readonly participantId: string;
  readonly height: number;
}

export interface ReceiveVideoInput {
  /** config.channelLastN; undefined: the server's CHANNEL_LAST_N. */
  readonly lastN: number | undefined;
  /** Whoever is pinned (put on stage first), if it is someone else. */
  readonly pinned: string | undefined;
  /** Every other participant's tile. */
  readonly tiles: readonly DrawnVideo[];
  /** Someone else's camera shown large, if it is. */
  readonly large: DrawnVideo | undefined;
}

export const HEIGHT_STEP = 20;

export function roundHeight(height: number): number {
  if (!(height > 0)) return 0;
  return Math.min(MAX_VIDEO_HEIGHT, Math.ceil(height / HEIGHT_STEP) * HEIGHT_STEP);
}

/** The receive-video message for what the page draws now; keys in a fixed order, so equal asks are equal strings. */
export function receiveVideoAsk(input: ReceiveVideoInput): ReceiveVideo {
  const heights = new Map<string, number>();
  for (const t of input.tiles) heights.set(t.participantId, roundHeight(t.height));
  const maxHeight = Math.max(0, ...heights.values());
  if (input.large) heights.set(input.large.participantId, Math.max(heights.get(input.large.participantId) ?? 0, roundHeight(input.large.height)));
  // Taller first: if there were ever more than the protocol allows, the cameras shown large keep theirs.
  const own = [...heights].filter(([, h]) => h !== maxHeight).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const constraints: Record<string, { maxHeight: number }> = {};
  for (const [id, h] of own.slice(0, MAX_VIDEO_CONSTRAINTS)) constraints[id] = { maxHeight: h };
  return {
    type: 'receive-video',
    ...(input.lastN === undefined ? {} : { lastN: input.lastN }),
    onStage: input.pinned ? [input.pinned] : [],
    maxHeight,
    ...(own.length > 0 ? { constraints } : {}),
  };
}

/** Quiet time after a layout change before asking: a resize drag or a burst of joins makes one message. */
export const ASK_DEBOUNCE_MS = 250;
/** The server takes 10 receive-video at once, then 1 a second; we keep below: 5 at once, then 1 a second. */
export const ASK_BURST = 5;
export const ASK_REFILL_MS = 1000;

export interface AskClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: AskClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Sends the ask when it changes: `schedule()` after anything that may change
 * it (a resize, a pin, someone in or out), debounced, and paced to stay
 * within the server's rate limit (a refused ask would leave the server on
 * the old one).
 */
export class ReceiveVideoAsks {
  #last = '';
  #lastAsk: ReceiveVideo | undefined;
  #timer: unknown;
  #tokens = ASK_BURST;
  #refilledAt: number;

  constructor(
    /** The ask for now, or undefined while there is nobody to ask (not joined). */
    private readonly build: () => ReceiveVideo | undefined,
    private readonly send: (ask: ReceiveVideo) => void,
    private readonly clock: AskClock = realClock,
  ) {
    this.#refilledAt = clock.now();
  }

  schedule(delayMs = ASK_DEBOUNCE_MS): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = this.clock.setTimeout(() => this.flush(), delayMs);
  }

  /** A new session: the server has heard nothing from us yet. */
  reset(): void {
    this.#last = '';
    this.#lastAsk = undefined;
  }

  /** The last ask sent in this session says no video from this participant's camera (a tile on another page). */
  noVideoFrom(participantId: string): boolean {
    const ask = this.#lastAsk;
    if (!ask) return false;
    const own = ask.constraints?.[participantId]?.maxHeight;
    if (own !== undefined) return own === 0;
    return ask.maxHeight === 0 && !ask.onStage?.includes(participantId);
  }

  stop(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Asks now if the ask changed and the pace allows; otherwise once it does. */
  flush(): void {
    this.#timer = undefined;
    const ask = this.build();
    if (!ask) return;
    const key = JSON.stringify(ask);
    if (key === this.#last) return;
    const now = this.clock.now();
    const refills = Math.floor((now - this.#refilledAt) / ASK_REFILL_MS);
    if (refills > 0) {
      this.#tokens = Math.min(ASK_BURST, this.#tokens + refills);
      this.#refilledAt += refills * ASK_REFILL_MS;
    }
    if (this.#tokens < 1) return this.schedule(this.#refilledAt + ASK_REFILL_MS - now);
    if (this.#tokens === ASK_BURST) this.#refilledAt = now;
    this.#tokens -= 1;
    this.#last = key;
    this.#lastAsk = ask;
    this.send(ask);
  }
}
