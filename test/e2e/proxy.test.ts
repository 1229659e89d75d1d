/**
 * Confab behind Debian's nginx, as behind an ingress: under a sub-path
 * (/jitsi/), with the prefix passed through or stripped, with WebSocket
 * upgrades passed (signaling over WebSocket) or dropped (the client falls
 * back to long-polling by itself). Three browsers see each other each time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { freePort, proxyLocation, startNginx, type RunningNginx } from '../support/nginx.js';
import { inbound, joinUrl, launchBrowser, openParticipant, startServer, waitFor, type RunningServer } from './support.js';

let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

async function threeSeeEachOther(base: string, room: string): Promise<Page[]> {
  const pages: Page[] = [];
  for (const name of ['Ada', 'Bob', 'Cy']) pages.push((await openParticipant(browser, joinUrl(base, room, name))).page);
  for (const page of pages) {
    const s = await waitFor(() => inbound(page), (v) => Object.values(v.video).filter((f) => f > 5).length === 2, 30_000);
    assert.equal(Object.values(s.video).filter((f) => f > 5).length, 2, `decoding both others: ${JSON.stringify(s)}`);
    assert.equal(Object.values(s.audio).filter((p) => p > 10).length, 2, `hearing both others: ${JSON.stringify(s)}`);
  }
  return pages;
}

const transportOf = (page: Page): Promise<string | undefined> =>
  page.evaluate(() => (window as unknown as { confab?: { conference?: { signalingTransport?: string } } }).confab?.conference?.signalingTransport);

for (const variant of [
  { name: 'passes /jitsi/ and WebSocket upgrades', target: 'UPSTREAM', upgrade: true, transport: 'websocket' },
  { name: 'strips /jitsi/ and drops WebSocket upgrades', target: 'UPSTREAM/', upgrade: false, transport: 'long-poll' },
]) {
  describe(`behind nginx that ${variant.name}`, { timeout: 150_000 }, () => {
    let server: RunningServer;
    let nginx: RunningNginx;

    before(async () => {
      const port = await freePort();
      server = await startServer({ PUBLIC_URL: `http://127.0.0.1:${port}/jitsi/` });
      nginx = await startNginx({ upstreamPort: server.port, locations: proxyLocation('/jitsi/', variant.target, variant.upgrade) }, port);
    });

    after(async () => {
      await nginx?.stop();
      await server?.stop();
    });

    test(`3 browsers see and hear each other (signaling over ${variant.transport})`, async () => {
      const base = `${nginx.url}jitsi/`;
      const health = await fetch(`${base}healthz`);
      assert.equal(health.status, 200);
      const pages = await threeSeeEachOther(base, 'proxied-class');
      for (const page of pages) assert.equal(await transportOf(page), variant.transport);
      if (variant.transport === 'long-poll') {
        // Each browser told the server why it fell back; the log line names room and participant.
        const reports = server.logs.filter((l) => l.includes('"code":"signaling_websocket_failed"') && l.includes('"room":"proxied-class"'));
        assert.equal(reports.length, 3, `fallback reports in the server log:\n${reports.join('\n')}`);
        assert.ok(reports.every((l) => /"participant":"[0-9a-f-]{36}"/.test(l)));
      }
      for (const page of pages) await page.close();
    });
  });
}
