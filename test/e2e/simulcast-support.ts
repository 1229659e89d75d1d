/// <reference lib="dom" />
/**
 * Reading a page's simulcast from getStats, for the simulcast browser tests:
 * what its camera encodes per layer (outbound-rtp by rid, and the sender's
 * `active` flags), what it decodes from another's camera (inbound-rtp), and
 * pinning through the page's layout as the embed API does.
 */
import type { Page } from 'playwright-core';
import { joinUrl, type PageLike } from './support.js';

/** A page whose camera is `height` tall (4:3): 360 gives 480x360, which Chromium sends as 2 layers; 720 as 3. */
export function cameraUrl(base: string, room: string, name: string, height: number): string {
  return joinUrl(base, room, name).replace('config.resolution=240', `config.resolution=${height}`);
}

export interface OutboundLayer {
  rid: string;
  framesEncoded: number;
  frameHeight: number;
  /** The stats' and the sender's word on whether the layer is on. */
  active: boolean | undefined;
  senderActive: boolean | undefined;
  qualityLimitationReason: string | undefined;
}

/** The camera's layers as the page sends them now, by rid. */
export function outboundLayers(page: Page): Promise<Record<string, OutboundLayer>> {
  return page.evaluate(async () => {
    type Media = { publishPc: RTCPeerConnection };
    const pc = (window as unknown as { confab?: { conference?: { media?: Media } } }).confab?.conference?.media?.publishPc;
    const out: Record<string, OutboundLayer> = {};
    if (!pc) return out;
    const sender = pc.getSenders().find((s) => s.track?.kind === 'video');
    const flags = new Map((sender?.getParameters().encodings ?? []).map((e) => [e.rid ?? '', e.active]));
    (await pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
      const rid = typeof s.rid === 'string' ? s.rid : '';
      out[rid] = {
        rid,
        framesEncoded: Number(s.framesEncoded ?? 0),
        frameHeight: Number(s.frameHeight ?? 0),
        active: typeof s.active === 'boolean' ? s.active : undefined,
        senderActive: flags.get(rid),
        qualityLimitationReason: typeof s.qualityLimitationReason === 'string' ? s.qualityLimitationReason : undefined,
      };
    });
    return out;
  });
}

/** framesEncoded gained per rid over `ms`. */
export async function encodedGrowth(page: Page, ms = 2000): Promise<Record<string, number>> {
  const before = await outboundLayers(page);
  await new Promise((r) => setTimeout(r, ms));
  const after = await outboundLayers(page);
  return Object.fromEntries(Object.entries(after).map(([rid, l]) => [rid, l.framesEncoded - (before[rid]?.framesEncoded ?? 0)]));
}

export interface InboundCamera {
  frameHeight: number;
  framesDecoded: number;
  framesDropped: number;
  freezeCount: number;
  keyFramesDecoded: number;
  packetsReceived: number;
}

/** What the page decodes from one participant's camera (undefined: no such track). */
export function inboundCamera(page: Page, participantId: string): Promise<InboundCamera | undefined> {
  return page.evaluate(async (id) => {
    type Media = { subscribePc?: RTCPeerConnection; remoteTracks(): { info: { mid: string; participantId: string; source: string } }[] };
    const media = (window as unknown as { confab?: { conference?: { media?: Media } } }).confab?.conference?.media;
    const mid = media?.remoteTracks().find((t) => t.info.participantId === id && t.info.source === 'camera')?.info.mid;
    if (!media?.subscribePc || mid === undefined) return undefined;
    let found: InboundCamera | undefined;
    (await media.subscribePc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp' || s.mid !== mid) return;
      // No named helper here: tsx would wrap it in a __name call the page does not have.
      found = {
        frameHeight: Number(s.frameHeight ?? 0),
        framesDecoded: Number(s.framesDecoded ?? 0),
        framesDropped: Number(s.framesDropped ?? 0),
        freezeCount: Number(s.freezeCount ?? 0),
        keyFramesDecoded: Number(s.keyFramesDecoded ?? 0),
        packetsReceived: Number(s.packetsReceived ?? 0),
      };
    });
    return found;
  }, participantId);
}

/** Frames decoded from `participantId`'s camera over `ms` (-1: no such track). */
export async function decodedGrowth(page: Page, participantId: string, ms = 2000): Promise<number> {
  const before = await inboundCamera(page, participantId);
  await new Promise((r) => setTimeout(r, ms));
  const after = await inboundCamera(page, participantId);
  return before && after ? after.framesDecoded - before.framesDecoded : -1;
}

/** Pins a participant large (the embed API's pinParticipant), or unpins back to tile view with undefined. */
export function pin(page: Page, participantId: string | undefined): Promise<void> {
  return page.evaluate((id) => {
    type Layout = { pin(id: string | undefined): void; setTileView(on: boolean): void };
    const layout = (window as unknown as { confab?: { conference?: { layout?: Layout } } }).confab?.conference?.layout;
    if (id) layout?.pin(id);
    else layout?.setTileView(true);
  }, participantId);
}

/** The last receive-video the page sent, as the page's test hook sees it (undefined before any). */
export function lastAsk(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as unknown as { __confabAsks?: unknown[] }).__confabAsks?.at(-1));
}

/**
 * Records every receive-video the page sends (a WebSocket spy installed before the page's code):
 * the tests print what the page asked for beside what it got.
 */
export const ASK_SPY_INIT_SCRIPT = `(() => {
  const send = WebSocket.prototype.send;
  window.__confabAsks = [];
  WebSocket.prototype.send = function (data) {
    if (typeof data === 'string' && data.includes('"receive-video"')) {
      try { window.__confabAsks.push(JSON.parse(data)); } catch {}
    }
    return send.call(this, data);
  };
})();`;

/**
 * The camera's layers for any driver (Puppeteer's Firefox too): rid to framesEncoded and frameHeight.
 * A function built from a string, so no compiler helper ends up in the page.
 */
export function layersOf(page: PageLike): Promise<Record<string, { framesEncoded: number; frameHeight: number }>> {
  return page.evaluate(
    new Function(`return (async () => {
      const pc = window.confab?.conference?.media?.publishPc;
      const out = {};
      if (!pc) return out;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') out[s.rid ?? ''] = { framesEncoded: s.framesEncoded ?? 0, frameHeight: s.frameHeight ?? 0 };
      });
      return out;
    })()`) as () => Promise<Record<string, { framesEncoded: number; frameHeight: number }>>,
  );
}
