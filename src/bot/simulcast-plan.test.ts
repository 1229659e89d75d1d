import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAMERA_SIMULCAST_LAYERS } from '../protocol/messages.js';
import { BOT_CAMERA, planLayers } from './simulcast-plan.js';

test('a 640x480 camera gives 160x120, 320x240 and 640x480, lowest first', () => {
  const total = CAMERA_SIMULCAST_LAYERS.reduce((sum, l) => sum + l.maxBitrate, 0) / 1000;
  const plan = planLayers(BOT_CAMERA, total);
  assert.deepEqual(plan.map((l) => [l.rid, l.width, l.height]), [['q', 160, 120], ['h', 320, 240], ['f', 640, 480]]);
  // At the layers' own total each gets its maxBitrate.
  for (const [i, layer] of plan.entries()) assert.ok(Math.abs(layer.kbps - CAMERA_SIMULCAST_LAYERS[i]!.maxBitrate / 1000) < 1e-9);
});

test('the bot bitrate is split in proportion to the layers maxBitrate', () => {
  const sum = CAMERA_SIMULCAST_LAYERS.reduce((total, l) => total + l.maxBitrate, 0);
  const plan = planLayers(BOT_CAMERA, 500);
  for (const [i, layer] of plan.entries()) assert.ok(Math.abs(layer.kbps - (500 * CAMERA_SIMULCAST_LAYERS[i]!.maxBitrate) / sum) < 1e-9);
  assert.ok(plan[0]!.kbps < plan[1]!.kbps && plan[1]!.kbps < plan[2]!.kbps);
  const total = planLayers(BOT_CAMERA, 333).reduce((sum, l) => sum + l.kbps, 0);
  assert.ok(Math.abs(total - 333) < 1e-9);
});

test('odd sizes round down as libwebrtc does, never to 0', () => {
  assert.deepEqual(planLayers({ width: 1278, height: 719 }, 1000).map((l) => [l.width, l.height]), [[319, 179], [639, 359], [1278, 719]]);
  assert.deepEqual(planLayers({ width: 2, height: 2 }, 100).map((l) => [l.width, l.height]), [[1, 1], [1, 1], [2, 2]]);
});
