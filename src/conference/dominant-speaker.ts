/**
 * Who is speaking, from the audio levels publishers put in their packets
 * (RFC 6464 ssrc-audio-level: 0 dBov loudest, 127 silence), as Jitsi's
 * bridge picks a dominant speaker for its layouts and last-N.
 *
 * The media workers report each publisher's loudness (127 - level, averaged
 * over the last SAMPLE_MS; 0 when silent or muted). A participant becomes
 * the dominant speaker after being the loudest one above SPEECH_LOUDNESS for
 * TAKEOVER_SAMPLES samples in a row (~0.9 s: a cough or a word does not take
 * the stage), while the current one goes quiet or is clearly softer. The
 * order of recent speakers (most recent first) is what last-N follows.
 */

/** How often levels are reported (media-router.ts), ms. */
export const SAMPLE_MS = 300;
/** Loudness (127 - dBov) that counts as speech: -60 dBov and louder. Chrome reports silence at 127, speech around 20-50. */
export const SPEECH_LOUDNESS = 67;
/** Samples in a row a new speaker must lead before taking over. */
export const TAKEOVER_SAMPLES = 3;
/** A new speaker also takes over from one still talking when louder by this much (dB). */
const LOUDER_BY = 6;

export class DominantSpeaker {
  #current: string | undefined;
  #candidate: string | undefined;
  #candidateSamples = 0;
  /** Participants in the order they last held the floor, most recent first. */
  readonly #recent: string[] = [];

  get current(): string | undefined {
    return this.#current;
  }

  /** Most recent speakers first (each once). */
  get recentSpeakers(): readonly string[] {
    return this.#recent;
  }

  /**
   * One sample of everyone's loudness (participant id → 0..127). Returns the
   * new dominant speaker when it changed, else undefined.
   */
  sample(loudness: ReadonlyMap<string, number>): string | undefined {
    let loudest: string | undefined;
    let max = SPEECH_LOUDNESS - 1;
    for (const [id, value] of loudness) {
      if (value > max) {
        max = value;
        loudest = id;
      }
    }
    if (loudest === undefined || loudest === this.#current) {
      this.#candidate = undefined;
      this.#candidateSamples = 0;
      return undefined;
    }
    const current = this.#current === undefined ? 0 : (loudness.get(this.#current) ?? 0);
    // The floor holder still talking keeps it unless the newcomer is clearly louder.
    if (current >= SPEECH_LOUDNESS && max < current + LOUDER_BY) {
      this.#candidate = undefined;
      this.#candidateSamples = 0;
      return undefined;
    }
    if (this.#candidate === loudest) this.#candidateSamples++;
    else {
      this.#candidate = loudest;
      this.#candidateSamples = 1;
    }
    if (this.#candidateSamples < TAKEOVER_SAMPLES) return undefined;
    this.#candidate = undefined;
    this.#candidateSamples = 0;
    this.#current = loudest;
    const at = this.#recent.indexOf(loudest);
    if (at >= 0) this.#recent.splice(at, 1);
    this.#recent.unshift(loudest);
    return loudest;
  }

  /** A participant left: forgotten (the floor is free if it was theirs). Returns true when the dominant speaker left. */
  forget(id: string): boolean {
    const at = this.#recent.indexOf(id);
    if (at >= 0) this.#recent.splice(at, 1);
    if (this.#candidate === id) this.#candidate = undefined;
    if (this.#current !== id) return false;
    this.#current = undefined;
    return true;
  }
}
