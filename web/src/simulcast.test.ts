import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { activeEncodings, cameraLayers, simulcastLayerCount } from './simulcast.js';

describe('camera simulcast layers', () => {
  test("as many as Chromium encodes for the capture size (measured: 320x240 1, 480x360 2, 640x480 2, 960x720 3)", () => {
    assert.deepEqual([simulcastLayerCount(320, 240), simulcastLayerCount(480, 360), simulcastLayerCount(640, 480), simulcastLayerCount(960, 720)], [1, 2, 2, 3]);
    assert.equal(simulcastLayerCount(480, 270), 2);
    assert.equal(simulcastLayerCount(960, 540), 3);
    assert.equal(simulcastLayerCount(1920, 1080), 3);
  });

  test('the top layers: the camera always goes out at its own size', () => {
    const rids = (w: number, h: number) => cameraLayers(w, h).map((l) => `${l.rid}/${l.scaleResolutionDownBy}`);
    assert.deepEqual(rids(320, 240), ['f/1']);
    assert.deepEqual(rids(480, 360), ['h/2', 'f/1']);
    assert.deepEqual(rids(1280, 720), ['q/4', 'h/2', 'f/1']);
  });
});

describe('activeEncodings (dynacast)', () => {
  test('until the server says: all; then the rids it names', () => {
    assert.deepEqual(activeEncodings(['q', 'h', 'f'], undefined), [true, true, true]);
    assert.deepEqual(activeEncodings(['q', 'h', 'f'], new Set(['q', 'h'])), [true, true, false]);
    assert.deepEqual(activeEncodings(['h', 'f'], new Set(['h', 'f'])), [true, true]);
  });

  test('never all off: a list naming none of ours keeps the lowest', () => {
    assert.deepEqual(activeEncodings(['h', 'f'], new Set(['q'])), [true, false]);
    assert.deepEqual(activeEncodings(['h', 'f'], new Set()), [true, false]);
  });
});
