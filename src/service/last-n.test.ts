import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { forwardedVideo, type LastNInput } from './last-n.js';

const base: LastNInput = { self: 'me', lastN: -1, onStage: [], screenSharers: [], recentSpeakers: [], participants: ['t', 'a', 'me', 'b', 'c'] };
const pick = (over: Partial<LastNInput>): string[] => [...forwardedVideo({ ...base, ...over })];

describe('last-N', () => {
  test('-1 forwards everyone but ourselves; 0 nobody', () => {
    assert.deepEqual(pick({}), ['t', 'a', 'b', 'c']);
    assert.deepEqual(pick({ lastN: 0 }), []);
  });

  test('without speech, the first to join fill the slots', () => {
    assert.deepEqual(pick({ lastN: 2 }), ['t', 'a']);
  });

  test('recent speakers come before silent participants, most recent first', () => {
    assert.deepEqual(pick({ lastN: 2, recentSpeakers: ['c', 'b'] }), ['c', 'b']);
    assert.deepEqual(pick({ lastN: 1, recentSpeakers: ['me', 'b'] }), ['b'], 'our own speech takes no slot');
  });

  test('on stage first, then screen shares, then speakers', () => {
    assert.deepEqual(pick({ lastN: 3, onStage: ['c'], screenSharers: ['b'], recentSpeakers: ['a', 't'] }), ['c', 'b', 'a']);
  });

  test('someone who left takes no slot; nobody counted twice', () => {
    assert.deepEqual(pick({ lastN: 3, onStage: ['gone', 'a'], recentSpeakers: ['a', 'gone', 'b'] }), ['a', 'b', 't']);
  });
});
