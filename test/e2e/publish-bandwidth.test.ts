/**
 * Bandwidth estimation to publishers (issue 16, item 5): with transport-cc
 * negotiated on the publish connection, Chromium's congestion controller
 * gets the server's feedback and finds the loopback link's capacity within
 * seconds (its availableOutgoingBitrate), so a 720p camera goes out at the
 * encoder's full rate. The same page on a server with MEDIA_TRANSPORT_CC=0
 * is the baseline: Chrome starts at 300 kbit/s and climbs by its loss-based
 * rule alone. Both runs are in this file, so the figures come from one sitting.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { joinUrl, launchBrowser, openParticipant, startServer } from './support.js';

const TRANSPORT_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
/** The target: >= 1.5 Mbit/s estimated within 5 s of the publish connection coming up. */
const TARGET_BPS = 1_500_000;
const WITHIN_MS = 5_000;
const OBSERVE_MS = 10_000;

let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** Marks each peer connection with the time it connected (performance.now()), before the page's own code runs. */
const CONNECTED_AT_INIT_SCRIPT = `(() => {
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected' && this.__connectedAt === undefined) this.__connectedAt = performance.now();
      });
    }
  };
})();`;

/**
 * Chromium's fake camera shows a nearly still picture that VP8 encodes in ~0.35 Mbit/s whatever
 * the target, so what goes out would not show the estimate. This camera is a 960x720 canvas of
 * noise, a pattern tile drawn at a new offset every frame: every block changes every frame, as a
 * busy real picture does, and the encoder needs all the bits it is given. The microphone stays
 * Chromium's fake one.
 */
const BUSY_CAMERA_INIT_SCRIPT = `(() => {
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints);
    if (!constraints || !constraints.video) return stream;
    const tile = document.createElement('canvas');
    tile.width = tile.height = 256;
    const noise = tile.getContext('2d').createImageData(256, 256);
    for (let i = 0; i < noise.data.length; i++) noise.data[i] = i % 4 === 3 ? 255 : Math.random() * 256;
    tile.getContext('2d').putImageData(noise, 0, 0);
    const canvas = document.createElement('canvas');
    canvas.width = 960;
    canvas.height = 720;
    const ctx = canvas.getContext('2d');
    const pattern = ctx.createPattern(tile, 'repeat');
    const draw = () => {
      const dx = Math.floor(Math.random() * 256), dy = Math.floor(Math.random() * 256);
      ctx.setTransform(1, 0, 0, 1, -dx, -dy);
      ctx.fillStyle = pattern;
      ctx.fillRect(0, 0, 960 + dx, 720 + dy);
    };
    draw();
    setInterval(draw, 1000 / 24);
    for (const track of stream.getVideoTracks()) {
      stream.removeTrack(track);
      track.stop();
    }
    stream.addTrack(canvas.captureStream(24).getVideoTracks()[0]);
    return stream;
  };
})();`;

interface Sample {
  /** ms since the publish connection connected. */
  t: number;
  /** ms from the page's navigation to the publish connection connecting. */
  connectedAfterMs: number;
  availableOutgoingBitrate: number | undefined;
  targetBitrate: number | undefined;
  bytesSent: number;
  frameHeight: number | undefined;
  qualityLimitationReason: string | undefined;
}

/** The publish connection's estimate and camera encoding, or undefined before it connected. */
function sample(page: Page): Promise<Sample | undefined> {
  return page.evaluate(async () => {
    type Pc = RTCPeerConnection & { __connectedAt?: number };
    type Hook = { conference?: { media?: { publishPc?: Pc } } };
    const pc = (window as unknown as { confab?: Hook }).confab?.conference?.media?.publishPc;
    if (!pc || pc.__connectedAt === undefined) return undefined;
    const stats = await pc.getStats();
    const byId = new Map<string, Record<string, unknown>>();
    stats.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
    const out: Sample = { t: performance.now() - pc.__connectedAt, connectedAfterMs: pc.__connectedAt, availableOutgoingBitrate: undefined, targetBitrate: undefined, bytesSent: 0, frameHeight: undefined, qualityLimitationReason: undefined };
    stats.forEach((s: Record<string, unknown>) => {
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
        const pair = byId.get(s.selectedCandidatePairId);
        if (typeof pair?.availableOutgoingBitrate === 'number') out.availableOutgoingBitrate = pair.availableOutgoingBitrate;
      }
      // A simulcast camera has one outbound-rtp per layer: what goes out is their sum, the picture the tallest.
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        if (typeof s.targetBitrate === 'number') out.targetBitrate = (out.targetBitrate ?? 0) + s.targetBitrate;
        out.bytesSent += (s.bytesSent as number | undefined) ?? 0;
        if (typeof s.frameHeight === 'number' && s.frameHeight >= (out.frameHeight ?? 0)) {
          out.frameHeight = s.frameHeight;
          out.qualityLimitationReason = s.qualityLimitationReason as string | undefined;
        }
      }
    });
    return out;
  });
}

interface Run {
  answerHasTransportCc: boolean;
  samples: Sample[];
  /** ms from connected to an estimate >= TARGET_BPS; undefined: not within OBSERVE_MS. */
  reachedTargetAfterMs: number | undefined;
}

/**
 * One publisher on a server started with `env`, watched for OBSERVE_MS after its publish connection
 * connects. A viewer who joined first shows it large in a tall window: with dynacast, a camera nobody
 * watches sends only its lowest simulcast layer (~0.1 Mbit/s), and Chrome's estimate climbs only as far
 * as the layers it has to send need.
 */
async function publishWatched(env: Record<string, string>, room: string): Promise<Run> {
  const server = await startServer(env);
  try {
    const viewer = await openParticipant(browser, joinUrl(server.url, room, 'Viewer'));
    await viewer.page.setViewportSize({ width: 1280, height: 1000 });
    const url = joinUrl(server.url, room, 'Publisher').replace('config.resolution=240', 'config.resolution=720');
    const { context, page } = await openParticipant(browser, url, CONNECTED_AT_INIT_SCRIPT + BUSY_CAMERA_INIT_SCRIPT);
    // Pinned as the embed API does it, as soon as the viewer knows the publisher.
    void viewer.page.evaluate(`(async () => {
      for (let i = 0; i < 200; i++) {
        const c = window.confab?.conference;
        const other = c && [...c.participants.keys()].find((id) => id !== c.participantId);
        if (other) return c.layout.pin(other);
        await new Promise((r) => setTimeout(r, 50));
      }
    })()`).catch(() => undefined);
    try {
      const samples: Sample[] = [];
      const deadline = Date.now() + 20_000 + OBSERVE_MS;
      while (Date.now() < deadline) {
        const s = await sample(page);
        if (s) {
          samples.push(s);
          if (s.t >= OBSERVE_MS) break;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      const answer = await page.evaluate(() => {
        type Hook = { conference?: { media?: { publishPc?: RTCPeerConnection } } };
        return (window as unknown as { confab?: Hook }).confab?.conference?.media?.publishPc?.remoteDescription?.sdp ?? '';
      });
      const reached = samples.find((s) => (s.availableOutgoingBitrate ?? 0) >= TARGET_BPS);
      return { answerHasTransportCc: answer.includes(TRANSPORT_CC_URI), samples, reachedTargetAfterMs: reached?.t };
    } finally {
      await context.close();
      await viewer.context.close();
    }
  } finally {
    await server.stop();
  }
}

/** The sample closest after `t` ms, and the send rate (bit/s) between two samples. */
const at = (run: Run, t: number): Sample | undefined => run.samples.find((s) => s.t >= t) ?? run.samples.at(-1);
const sendRate = (from: Sample | undefined, to: Sample | undefined): number =>
  from && to && to.t > from.t ? ((to.bytesSent - from.bytesSent) * 8 * 1000) / (to.t - from.t) : 0;
const mbps = (bps: number | undefined): string => (bps === undefined ? '-' : (bps / 1e6).toFixed(2));

function summary(name: string, run: Run): string {
  const first = run.samples[0];
  const s5 = at(run, WITHIN_MS);
  const s10 = at(run, OBSERVE_MS);
  return (
    `${name}: connected ${((first?.connectedAfterMs ?? NaN) / 1000).toFixed(1)} s after the page opened;` +
    ` estimate ${mbps(s5?.availableOutgoingBitrate)} Mbit/s at 5 s, ${mbps(s10?.availableOutgoingBitrate)} at 10 s` +
    ` (>= ${mbps(TARGET_BPS)} after ${run.reachedTargetAfterMs === undefined ? 'never' : `${(run.reachedTargetAfterMs / 1000).toFixed(1)} s`});` +
    ` target ${mbps(s5?.targetBitrate)} / ${mbps(s10?.targetBitrate)} Mbit/s;` +
    ` sent ${mbps(sendRate(first, s5))} Mbit/s over 0-5 s, ${mbps(sendRate(s5, s10))} over 5-10 s;` +
    ` ${s10?.frameHeight ?? '?'}p, limited by ${s10?.qualityLimitationReason ?? '?'}`
  );
}

test('a 720p publisher estimates >= 1.5 Mbit/s within 5 s with transport-cc, and sends more than without', { timeout: 120_000 }, async (t) => {
  const without = await publishWatched({ MEDIA_TRANSPORT_CC: '0' }, 'bwe-off');
  const withCc = await publishWatched({ MEDIA_TRANSPORT_CC: '1' }, 'bwe-on');
  t.diagnostic(summary('transport-cc off', without));
  t.diagnostic(summary('transport-cc on ', withCc));
  const trace = (run: Run) => run.samples.map((s) => `${(s.t / 1000).toFixed(1)}s ${mbps(s.availableOutgoingBitrate)}/${mbps(s.targetBitrate)}/${s.frameHeight ?? '-'}p`).join(' ');
  t.diagnostic(`off, estimate/target (Mbit/s)/height by time: ${trace(without)}`);
  t.diagnostic(`on,  estimate/target (Mbit/s)/height by time: ${trace(withCc)}`);

  assert.equal(without.answerHasTransportCc, false, 'MEDIA_TRANSPORT_CC=0: the answer leaves transport-cc out');
  assert.equal(withCc.answerHasTransportCc, true, "the answer to the browser's publish offer negotiates transport-cc");
  assert.ok(
    withCc.reachedTargetAfterMs !== undefined && withCc.reachedTargetAfterMs <= WITHIN_MS,
    `estimate >= ${mbps(TARGET_BPS)} Mbit/s within ${WITHIN_MS / 1000} s of connecting: ${summary('on', withCc)}`,
  );
  // What the encoder is given and what goes out, over the whole window, against the baseline.
  const sentOn = sendRate(withCc.samples[0], at(withCc, OBSERVE_MS));
  const sentOff = sendRate(without.samples[0], at(without, OBSERVE_MS));
  assert.ok(sentOn > 1.5 * sentOff, `sent ${mbps(sentOn)} Mbit/s with transport-cc, ${mbps(sentOff)} without`);
  assert.ok((at(withCc, WITHIN_MS)?.targetBitrate ?? 0) > (at(without, WITHIN_MS)?.targetBitrate ?? 0), 'a higher encoder target at 5 s');
});
