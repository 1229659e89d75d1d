import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAMERA_SIMULCAST_LAYERS } from '../protocol/messages.js';
import { BOT_CAMERA, planLayers } from './simulcast-plan.js';

test('a 640x480 camera gives 160x120, 320x240 and 640x480, lowest first', () => {
  const plan = planLayers(BOT_CAMERA, 1250);
  assert.deepEqual(plan.map((l) => [l.rid, l.width, l.height]), [['q', 160, 120], ['h', 320, 240], ['f', 640, 480]]);
  // At the layers' own total (1.25 Mbit/s) each gets its maxBitrate.
  assert.deepEqual(plan.map((l) => l.kbps), CAMERA_SIMULCAST_LAYERS.map((l) => l.maxBitrate / 1000));
});

test('the bot bitrate is split in proportion to maxBitrate (150 : 350 : 750)', () => {
  assert.deepEqual(planLayers(BOT_CAMERA, 500).map((l) => l.kbps), [60, 140, 300]);
  const total = planLayers(BOT_CAMERA, 333).reduce((sum, l) => sum + l.kbps, 0);
  assert.ok(Math.abs(total - 333) < 1e-9);
});

test('odd sizes round down as libwebrtc does, never to 0', () => {
  assert.deepEqual(planLayers({ width: 1278, height: 719 }, 1000).map((l) => [l.width, l.height]), [[319, 179], [639, 359], [1278, 719]]);
  assert.deepEqual(planLayers({ width: 2, height: 2 }, 100).map((l) => [l.width, l.height]), [[1, 1], [1, 1], [2, 2]]);
});
