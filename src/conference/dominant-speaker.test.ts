import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DominantSpeaker, SPEECH_LOUDNESS, TAKEOVER_SAMPLES } from './dominant-speaker.js';

const speech = 100; // -27 dBov
const quiet = 0;
const levels = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));

/** Feeds the same sample n times; returns what changed each time. */
function feed(d: DominantSpeaker, sample: Record<string, number>, n: number): (string | undefined)[] {
  return Array.from({ length: n }, () => d.sample(levels(sample)));
}

describe('dominant speaker', () => {
  test('the first to speak for ~1 s takes the floor; a single loud sample does not', () => {
    const d = new DominantSpeaker();
    assert.deepEqual(feed(d, { ada: speech, bob: quiet }, TAKEOVER_SAMPLES - 1), [undefined, undefined]);
    d.sample(levels({ ada: quiet, bob: quiet }));
    assert.equal(d.current, undefined, 'a word is not a takeover');
    assert.deepEqual(feed(d, { ada: speech, bob: quiet }, TAKEOVER_SAMPLES).at(-1), 'ada');
    assert.equal(d.current, 'ada');
  });

  test('below the speech threshold nobody takes the floor', () => {
    const d = new DominantSpeaker();
    feed(d, { ada: SPEECH_LOUDNESS - 1 }, 10);
    assert.equal(d.current, undefined);
  });

  test('the speaker keeps the floor against someone about as loud; loses it when quiet or clearly softer', () => {
    const d = new DominantSpeaker();
    feed(d, { ada: speech }, TAKEOVER_SAMPLES);
    assert.deepEqual(feed(d, { ada: speech, bob: speech + 3 }, 10).filter(Boolean), [], 'Bob 3 dB louder: Ada keeps it');
    assert.equal(feed(d, { ada: quiet, bob: speech }, TAKEOVER_SAMPLES).at(-1), 'bob', 'Ada went quiet');
    assert.equal(feed(d, { ada: speech + 10, bob: speech }, TAKEOVER_SAMPLES).at(-1), 'ada', 'Ada 10 dB louder takes it back');
  });

  test('recent speakers, most recent first, each once', () => {
    const d = new DominantSpeaker();
    for (const id of ['ada', 'bob', 'cy', 'bob']) feed(d, { [id]: speech }, TAKEOVER_SAMPLES);
    assert.deepEqual(d.recentSpeakers, ['bob', 'cy', 'ada']);
  });

  test('a speaker who leaves is forgotten and frees the floor', () => {
    const d = new DominantSpeaker();
    feed(d, { ada: speech }, TAKEOVER_SAMPLES);
    assert.equal(d.forget('ada'), true);
    assert.equal(d.current, undefined);
    assert.deepEqual(d.recentSpeakers, []);
    assert.equal(d.forget('nobody'), false);
  });
});
