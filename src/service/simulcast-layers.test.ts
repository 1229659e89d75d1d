import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { activeLayers, estimatedHeights, layerForHeight, wantedHeight } from './simulcast-layers.js';

const camera480 = [
  { rid: 'q', width: 160, height: 120, bitrate: 0 },
  { rid: 'h', width: 320, height: 240, bitrate: 0 },
  { rid: 'f', width: 640, height: 480, bitrate: 0 },
];

describe('layerForHeight', () => {
  test('the smallest layer about as tall as the tile', () => {
    assert.equal(layerForHeight(camera480, 120), 0);
    assert.equal(layerForHeight(camera480, 180), 0, '120 px upscaled 1.5x is taken for a 180 px thumbnail');
    assert.equal(layerForHeight(camera480, 240), 1);
    assert.equal(layerForHeight(camera480, 360), 1);
    assert.equal(layerForHeight(camera480, 480), 2);
  });
  test('no limit, or taller than any layer: the highest', () => {
    assert.equal(layerForHeight(camera480, undefined), 2);
    assert.equal(layerForHeight(camera480, 2160), 2);
  });
  test('one layer (no simulcast): always it', () => {
    assert.equal(layerForHeight([{ rid: '', width: 640, height: 480, bitrate: 0 }], 100), 0);
  });
  test('once any layer is seen, only seen layers are chosen: Chrome sends 2 of 3 at 640x480', () => {
    const twoOfThree = [camera480[0]!, { rid: 'h', width: 320, height: 240, bitrate: 0 }, { rid: 'f', width: 0, height: 0, bitrate: 0 }];
    assert.equal(layerForHeight(twoOfThree, undefined), 1);
    assert.equal(layerForHeight(twoOfThree, 480), 1);
    assert.equal(layerForHeight(twoOfThree, 100), 0);
  });
  test('before any layer is seen: estimated from a 720p top', () => {
    const unseen = ['q', 'h', 'f'].map((rid) => ({ rid, width: 0, height: 0, bitrate: 0 }));
    assert.equal(layerForHeight(unseen, 180), 0);
    assert.equal(layerForHeight(unseen, 360), 1);
    assert.equal(layerForHeight(unseen, undefined), 2);
  });
  test('an encoder that scaled its top layer down (CPU limited) moves a stage view down too', () => {
    const limited = [camera480[0]!, camera480[1]!, { rid: 'f', width: 320, height: 240, bitrate: 0 }];
    assert.equal(layerForHeight(limited, 300), 1);
  });
});

describe('estimatedHeights', () => {
  test('unknown sizes: from the nearest known layer, twice per step up', () => {
    assert.deepEqual(estimatedHeights([{ rid: 'q', width: 0, height: 0, bitrate: 0 }, { rid: 'h', width: 320, height: 240, bitrate: 0 }, { rid: 'f', width: 0, height: 0, bitrate: 0 }]), [120, 240, 480]);
  });
  test('nothing known yet: a 720p top layer is assumed', () => {
    assert.deepEqual(estimatedHeights(['q', 'h', 'f'].map((rid) => ({ rid, width: 0, height: 0, bitrate: 0 }))), [180, 360, 720]);
  });
});

describe('wantedHeight', () => {
  const receive = { lastN: -1, onStage: ['teacher'], maxHeight: 180, constraints: { pinnedSmall: { maxHeight: 90 }, teacher: { maxHeight: 720 } } };
  test('a constraint of its own wins, then the stage (no limit), then maxHeight', () => {
    assert.equal(wantedHeight(receive, 'teacher'), 720);
    assert.equal(wantedHeight({ ...receive, constraints: {} }, 'teacher'), undefined);
    assert.equal(wantedHeight(receive, 'pinnedSmall'), 90);
    assert.equal(wantedHeight(receive, 'student'), 180);
  });
  test('nothing said: no limit', () => {
    assert.equal(wantedHeight({ lastN: -1, onStage: [] }, 'anyone'), undefined);
  });
});

describe('activeLayers (dynacast)', () => {
  test('what the subscribers get, and always the lowest', () => {
    assert.deepEqual(activeLayers(camera480, [2, 2, 0]), [0, 2]);
    assert.deepEqual(activeLayers(camera480, []), [0]);
    assert.deepEqual(activeLayers(camera480, [1]), [0, 1]);
  });
  test('a layer not seen yet stays on (its size must become known)', () => {
    assert.deepEqual(activeLayers([camera480[0]!, camera480[1]!, { rid: 'f', width: 0, height: 0, bitrate: 0 }], [0]), [0, 2]);
  });
  test('an index out of range is ignored', () => {
    assert.deepEqual(activeLayers(camera480.slice(0, 2), [5, -1]), [0]);
  });
});
