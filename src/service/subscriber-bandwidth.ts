/**
 * How much video a subscriber's downlink takes, from its receive-side
 * bandwidth estimate (issue 16): Chrome's receiver runs a delay-based
 * estimator over the abs-send-time of what we send and reports it in REMB
 * (draft-alvestrand-rmcat-remb, negotiated as `goog-remb` on the subscribe
 * connection), about once a second.
 *
 * A receive-side estimate cannot say how much more a link would carry: it
 * stays within about 1.5 times what arrives and climbs ~8 %/s (libwebrtc's
 * AIMD rate control), so after a step up to a bigger layer it lags far
 * behind what is sent, without any congestion. What does mean congestion
 * is the estimator backing off: on overuse (queues growing) it cuts its
 * estimate to about 0.85 times the rate that arrives. So only an estimate
 * that fell, to below CONGESTION_RATIO of what the subscriber received
 * over the last second, caps the subscriber; the wanted layers are tried
 * again after a hold that doubles each time the congestion comes straight
 * back (as TCP backs off). A student on a weak link settles on
 * thumbnail-sized layers within seconds instead of freezing, and one whose
 * link was only busy a moment gets full quality back.
 */

/** An estimate that fell below this share of what arrived: its estimator saw queues grow (overuse, libwebrtc's 0.85 cut). */
export const CONGESTION_RATIO = 0.9;
/** Of the estimate, what the video may take once congested: the rest is audio and headroom. */
export const CAP_SHARE = 0.85;
/** How long a cap holds before the wanted layers are tried again; doubled (up to MAX_HOLD_MS) when congestion returns within it of a retry. */
export const FIRST_HOLD_MS = 8000;
export const MAX_HOLD_MS = 64_000;

export class SubscriberBandwidth {
  #cap: number | undefined;
  #holdUntil = 0;
  #hold = FIRST_HOLD_MS;
  /** When the last cap was lifted (to tell a congestion the retry caused). */
  #liftedAt = -Infinity;
  /** The previous estimate: only a fall means congestion. */
  #lastEstimate: number | undefined;

  /** bit/s the subscriber's video must fit in now; undefined: no limit (what its tiles want). */
  get cap(): number | undefined {
    return this.#cap;
  }

  /**
   * A new estimate (bit/s), and the video bit/s the subscriber received over
   * the last second. Returns true when the cap changed.
   */
  onEstimate(estimate: number, received: number, now: number): boolean {
    if (!(estimate >= 0)) return false;
    const previous = this.#lastEstimate;
    this.#lastEstimate = estimate;
    if (previous === undefined || estimate >= previous || received <= 0 || estimate >= received * CONGESTION_RATIO) return false;
    const cap = Math.round(estimate * CAP_SHARE);
    if (this.#cap !== undefined) {
      // Already capped: only tighten (the link got worse still).
      if (cap >= this.#cap) return false;
      this.#cap = cap;
      this.#holdUntil = now + this.#hold;
      return true;
    }
    // Congestion right after a retry: the link does not carry the wanted layers; wait longer next time.
    this.#hold = now - this.#liftedAt < this.#hold + FIRST_HOLD_MS ? Math.min(MAX_HOLD_MS, this.#hold * 2) : FIRST_HOLD_MS;
    this.#cap = cap;
    this.#holdUntil = now + this.#hold;
    return true;
  }

  /** Called about once a second: a hold that is over lifts the cap. Returns true when it did. */
  tick(now: number): boolean {
    if (this.#cap === undefined || now < this.#holdUntil) return false;
    this.#cap = undefined;
    this.#liftedAt = now;
    return true;
  }
}

/** A forwarded camera as bandwidth allocation sees it. */
export interface AllocatedStream {
  /** bit/s of each layer (lowest first); a layer that may not be chosen (never seen) is undefined. */
  readonly bitrates: readonly (number | undefined)[];
  /** The layer its tile wants; lowered here to fit. */
  layer: number;
}

/**
 * Lowers layers until the streams fit in `budget` bit/s: one step at a
 * time, from the lowest-priority stream up (`streams` is in priority order:
 * on stage, screen sharers, speakers, the rest), so thumbnails give way
 * before the teacher on stage. Never below a stream's lowest layer: a small
 * picture beats none. Returns the total it comes to.
 */
export function fitToBandwidth(streams: AllocatedStream[], budget: number): number {
  const total = (): number => streams.reduce((sum, s) => sum + (s.bitrates[s.layer] ?? 0), 0);
  let sum = total();
  while (sum > budget) {
    let lowered = false;
    for (let i = streams.length - 1; i >= 0 && !lowered; i--) {
      const stream = streams[i]!;
      for (let layer = stream.layer - 1; layer >= 0; layer--) {
        if (stream.bitrates[layer] === undefined) continue;
        sum += stream.bitrates[layer]! - (stream.bitrates[stream.layer] ?? 0);
        stream.layer = layer;
        lowered = true;
        break;
      }
    }
    if (!lowered) break;
  }
  return sum;
}
