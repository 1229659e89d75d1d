/**
 * Simulcast with bots (issue 16): a bot publishes its camera as three rid
 * layers (160x120, 320x240, 640x480); the server forwards each subscriber
 * one layer, chosen from the tile height it asks for, and tells the
 * publisher which layers anybody receives (dynacast), which stops the rest.
 * Checked on what arrives: the picture size in the VP8 keyframes each
 * subscriber receives, its bitrate, and the publisher's per-layer counts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Bot } from '../../src/bot/index.js';
import { CAMERA_SIMULCAST_LAYERS, THUMBNAIL_MAX_FRAMERATE } from '../../src/protocol/messages.js';
import { closeAll } from '../support/bots.js';
import { sleep, startServer, waitUntil, type TestServer } from '../support/server.js';

const ROOM = 'simulcast-bots';
/** Each layer's maxBitrate in kbit/s (100, 300 and 900 when this was written). */
const LAYER_KBPS = Object.fromEntries(CAMERA_SIMULCAST_LAYERS.map((l) => [l.rid, l.maxBitrate / 1000])) as Record<'q' | 'h' | 'f', number>;

/** The picture size of the last keyframe `bot` received from `from`'s camera, e.g. "160x120". */
function lastSize(bot: Bot, from: Bot): string | undefined {
  const size = bot.stats().remotes[from.participantId]?.video.lastKeyframeSize;
  return size && `${size.width}x${size.height}`;
}

/** Keyframes `bot` received from the teacher's camera so far, by picture size. */
let keyframeSizes: (bot: Bot) => Record<string, number>;

/** Video payload kbit/s `bot` receives from `from` over `ms`. */
async function videoKbps(bot: Bot, from: Bot, ms: number): Promise<number> {
  const bytes = (): number => bot.stats().remotes[from.participantId]?.video.bytes ?? 0;
  const start = bytes();
  await sleep(ms);
  return ((bytes() - start) * 8) / ms;
}

/** Packets the publisher sent on layer `rid` over `ms`. */
async function layerPackets(publisher: Bot, rid: string, ms: number): Promise<number> {
  const packets = (): number => publisher.stats().sent.videoLayers[rid]?.packets ?? 0;
  const start = packets();
  await sleep(ms);
  return packets() - start;
}

describe('simulcast bots', { timeout: 90_000 }, () => {
  let server: TestServer;
  let bots: Bot[] = [];
  let teacher: Bot;
  let thumbnail: Bot;
  let stage: Bot;
  before(async () => {
    server = await startServer({ CHANNEL_LAST_N: '-1' });
    const join = async (displayName: string, publishVideo: boolean): Promise<Bot> => {
      const bot = await Bot.join({
        url: server.url,
        room: ROOM,
        displayName,
        // Each layer at its CAMERA_SIMULCAST_LAYERS maxBitrate.
        publish: publishVideo ? { audio: true, video: true, simulcast: true, videoKbps: LAYER_KBPS.q + LAYER_KBPS.h + LAYER_KBPS.f } : { audio: true, video: false },
        network: { loopbackOnly: true },
      });
      bots.push(bot);
      return bot;
    };
    teacher = await join('Teacher', true);
    thumbnail = await join('Thumbnail', false);
    stage = await join('Stage', false);
    // A grid tile 120 px tall; the other shows the teacher with no limit (receive-video without maxHeight).
    thumbnail.receiveVideo(undefined, [], { maxHeight: 120 });
    keyframeSizes = (bot) => ({ ...(bot.stats().remotes[teacher.participantId]?.video.keyframeSizes ?? {}) });
  });
  after(async () => {
    await closeAll(bots);
    bots = [];
    await server.stop();
  });

  test('the publisher sends three layers, each keyframe with its own picture size', async () => {
    await waitUntil(() => ['q', 'h', 'f'].every((rid) => (teacher.stats().sent.videoLayers[rid]?.keyframes ?? 0) > 0), 10_000, 'a keyframe on every layer');
    const layers = teacher.stats().sent.videoLayers;
    assert.deepEqual(Object.keys(layers).sort(), ['f', 'h', 'q']);
    assert.ok(layers.f!.bytes > layers.q!.bytes * 2, `f carries more than q (${layers.f!.bytes} vs ${layers.q!.bytes} bytes)`);
  });

  test('a 120 px tile gets the 160x120 layer, a subscriber without a limit the 640x480 one', async () => {
    await waitUntil(() => lastSize(thumbnail, teacher) === '160x120' && lastSize(stage, teacher) === '640x480', 15_000, () => `thumbnail got ${lastSize(thumbnail, teacher)}, stage got ${lastSize(stage, teacher)}`);
    // Until the receive-video and the layers' sizes reach the server it may start on another layer: from now on, only these.
    const sizesBefore = { thumbnail: keyframeSizes(thumbnail), stage: keyframeSizes(stage) };
    const [low, high] = await Promise.all([videoKbps(thumbnail, teacher, 2500), videoKbps(stage, teacher, 2500)]);
    // What arrives says which layer is forwarded, not only the keyframes: q's rate, not h's or f's.
    assert.ok(low > LAYER_KBPS.q / 2 && low < LAYER_KBPS.h, `thumbnail receives ~${LAYER_KBPS.q} kbit/s (${low.toFixed(0)})`);
    assert.ok(high > LAYER_KBPS.f * 0.6, `stage receives ~${LAYER_KBPS.f} kbit/s (${high.toFixed(0)})`);
    const grew = (before: Record<string, number>, after: Record<string, number>): string[] => Object.keys(after).filter((k) => after[k]! > (before[k] ?? 0)).sort();
    // A keyframe every 2 s on every layer: at least one arrived in the window, all of the chosen size.
    assert.deepEqual(grew(sizesBefore.thumbnail, keyframeSizes(thumbnail)), ['160x120']);
    assert.deepEqual(grew(sizesBefore.stage, keyframeSizes(stage)), ['640x480']);
  });

  test('dynacast: with only thumbnails watching, the publisher is told to drop f and stops sending it; f comes back when wanted', async () => {
    stage.receiveVideo(undefined, [], { maxHeight: 120 });
    await waitUntil(() => teacher.videoLayers !== undefined && !teacher.videoLayers.active.includes('f'), 10_000, () => `video-layers ${JSON.stringify(teacher.videoLayers)}`);
    assert.ok(teacher.videoLayers!.active.includes('q'), 'the watched layer stays');
    await waitUntil(() => lastSize(stage, teacher) === '160x120', 10_000, 'stage down to the thumbnail layer');
    assert.equal(await layerPackets(teacher, 'f', 1500), 0, 'nothing sent on f');
    // q is the thumbnail layer, at THUMBNAIL_MAX_FRAMERATE (15 frames in 1.5 s, a packet or two each).
    const q = await layerPackets(teacher, 'q', 1500);
    assert.ok(q >= THUMBNAIL_MAX_FRAMERATE, `q goes on (${q} packets in 1.5 s)`);
    assert.equal(teacher.stats().sent.videoLayers.f!.active, false);

    const fullSizeBefore = stage.stats().remotes[teacher.participantId]!.video.keyframeSizes['640x480'] ?? 0;
    stage.receiveVideo(undefined, []);
    await waitUntil(() => teacher.videoLayers!.active.includes('f'), 10_000, () => `video-layers ${JSON.stringify(teacher.videoLayers)}`);
    // f resumes with a keyframe, and the server switches the stage subscriber up on it.
    await waitUntil(() => (stage.stats().remotes[teacher.participantId]!.video.keyframeSizes['640x480'] ?? 0) > fullSizeBefore, 10_000, 'a full-size keyframe again');
    assert.ok((await layerPackets(teacher, 'f', 1000)) > 20, 'f sends again');
    assert.ok(teacher.stats().sent.videoLayers.f!.pauses >= 1);
  });
});
