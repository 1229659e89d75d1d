import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, joinUrl, openParticipant, startServer, type RunningServer } from './support.js';

let browser: Browser;
let server: RunningServer;
const INIT = `(() => {
  const add = RTCPeerConnection.prototype.addTransceiver;
  RTCPeerConnection.prototype.addTransceiver = function (t, init) {
    const kind = typeof t === 'string' ? t : t.kind;
    if (kind === 'video' && init && init.direction === 'sendonly' && init.streams) {
      init = { ...init, sendEncodings: [{ rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 100000 }, { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 300000 }, { rid: 'f', maxBitrate: 900000 }] };
    }
    return add.call(this, t, init);
  };
})();`;
before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  server = await startServer({});
});
after(async () => { await browser?.close(); await server?.stop(); });

async function outbound(page: Page) {
  return page.evaluate(async () => {
    const m = (window as any).confab.conference.media;
    const s = await m.publishPc.getStats();
    const r: any[] = [];
    s.forEach((x: any) => { if (x.type === 'outbound-rtp' && x.kind === 'video') r.push({ rid: x.rid, w: x.frameWidth, h: x.frameHeight, enc: x.framesEncoded, bytes: x.bytesSent, lim: x.qualityLimitationReason, active: x.active }); });
    return r;
  });
}
async function inbound(page: Page) {
  return page.evaluate(async () => {
    const m = (window as any).confab.conference.media;
    const s = await m.subscribePc.getStats();
    const r: any[] = [];
    s.forEach((x: any) => { if (x.type === 'inbound-rtp' && x.kind === 'video') r.push({ mid: x.mid, w: x.frameWidth, h: x.frameHeight, dec: x.framesDecoded, freeze: x.freezeCount, drop: x.framesDropped, nack: x.nackCount, pli: x.pliCount }); });
    return r;
  });
}
async function send(page: Page, msg: unknown) {
  await page.evaluate((m) => (window as any).confab.conference.send(m), msg);
}

test('probe', { timeout: 120_000 }, async () => {
  const ada = (await openParticipant(browser, joinUrl(server.url, 'sim', 'Ada', '&config.resolution=480'), INIT)).page;
  const bob = (await openParticipant(browser, joinUrl(server.url, 'sim', 'Bob', '&config.resolution=480'))).page;
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 3000));
    console.log('ada out', JSON.stringify(await outbound(ada)));
    console.log('bob in', JSON.stringify(await inbound(bob)));
  }
  await send(bob, { type: 'receive-video', onStage: [], maxHeight: 120 });
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 3000));
    console.log('ada out', JSON.stringify(await outbound(ada)));
    console.log('bob in (120)', JSON.stringify(await inbound(bob)));
  }
  await send(bob, { type: 'receive-video', onStage: [], maxHeight: 480 });
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 3000));
    console.log('ada out', JSON.stringify(await outbound(ada)));
    console.log('bob in (480)', JSON.stringify(await inbound(bob)));
  }
});
