/**
 * Several replicas, one class, as a new user would try it: three `confab
 * serve` processes (each with its own HTTP, media and cluster ports) on one
 * Debian redis-server, behind Debian's nginx as a round-robin upstream with
 * no stickiness, and headless Chromium pages opening the class link through
 * nginx. Every check is on decoded frames.
 *
 * The cluster runs with the default CLUSTER_LEASE_S and RESUME_GRACE_S, so
 * the recovery time printed after the SIGKILL is the one a deployment gets.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { clusterEnv } from '../support/cluster.js';
import { freePort, proxyLocation, startNginx, type RunningNginx } from '../support/nginx.js';
import { startRedis, type RunningRedis } from '../support/redis.js';
import { inbound, joinUrl, launchBrowser, openParticipant, startServer, waitFor, type RunningServer } from './support.js';

let browser: Browser;
let redis: RunningRedis;
let nginx: RunningNginx;
let nodes: RunningServer[] = [];
const pages: Page[] = [];

before(async () => {
  browser = await launchBrowser();
  redis = await startRedis();
  const port = await freePort();
  // The defaults a deployment has: only the ports differ per replica.
  const env = { ...clusterEnv(redis.url), CLUSTER_LEASE_S: '5', PUBLIC_URL: `http://127.0.0.1:${port}/`, DRAIN_TIMEOUT_S: '120' };
  nodes = await Promise.all([0, 1, 2].map(() => startServer(env)));
  nginx = await startNginx({ upstreamPort: 0, upstreamPorts: nodes.map((n) => n.port), locations: proxyLocation('/', 'UPSTREAM', true) }, port);
});

after(async () => {
  for (const page of pages) await page.close().catch(() => undefined);
  await browser?.close();
  await nginx?.stop();
  for (const node of nodes) if (node.process.exitCode === null && node.process.signalCode === null) node.process.kill('SIGKILL');
  await redis?.dispose();
});

const live = (): RunningServer[] => nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);

async function readyz(node: RunningServer): Promise<{ rooms: number; participants: number }> {
  return (await (await fetch(`${node.url}readyz`)).json()) as { rooms: number; participants: number };
}

/** The live node hosting rooms (one class in this file). */
async function host(): Promise<RunningServer> {
  for (const node of live()) if ((await readyz(node)).rooms > 0) return node;
  throw new Error('no node hosts the class');
}

/** Open WebSocket signaling connections a node holds (the pages whose signaling landed there). */
async function websockets(node: RunningServer): Promise<number> {
  const text = await (await fetch(`${node.url}metrics`)).text();
  return Number(/confab_signaling_connections\{transport="websocket"\} (\d+)/.exec(text)?.[1] ?? 0);
}

/** Video m-lines whose decoded frames grow over a second: the page sees those participants now, not a frozen frame. */
async function liveVideo(page: Page): Promise<number> {
  const a = await inbound(page);
  await new Promise((r) => setTimeout(r, 1000));
  const b = await inbound(page);
  return Object.entries(b.video).filter(([mid, frames]) => frames - (a.video[mid] ?? 0) >= 3).length;
}

async function allSeeEachOther(group: readonly Page[], timeoutMs: number): Promise<void> {
  await Promise.all(
    group.map(async (page, i) => {
      const n = await waitFor(() => liveVideo(page), (v) => v >= group.length - 1, timeoutMs, 0);
      assert.ok(n >= group.length - 1, `page ${i} decodes ${n} of the ${group.length - 1} others`);
    }),
  );
}

async function open(name: string): Promise<Page> {
  const { page } = await openParticipant(browser, joinUrl(nginx.url, 'cluster-class', name));
  pages.push(page);
  return page;
}

describe('three replicas behind round-robin nginx', { timeout: 240_000 }, () => {
  test('3 pages of one class, their signaling on different replicas, see each other', async () => {
    for (const name of ['Ada', 'Bob', 'Cy']) await open(name);
    await allSeeEachOther(pages, 30_000);
    const counts = await Promise.all(nodes.map(websockets));
    assert.ok(counts.filter((n) => n > 0).length >= 2, `signaling spread over the replicas: ${counts.join(', ')}`);
    const hosts = (await Promise.all(nodes.map(readyz))).filter((r) => r.rooms > 0);
    assert.deepEqual(hosts.map((h) => h.participants), [3], 'one node hosts the class, all three in it');
  });

  test('SIGKILL of the class host: every page decodes the others again within 15 s', async () => {
    const killed = await host();
    const killedAt = Date.now();
    killed.process.kill('SIGKILL');
    await allSeeEachOther(pages, 15_000);
    const recoveredS = (Date.now() - killedAt) / 1000;
    process.stderr.write(`cluster e2e: SIGKILL of the host → all 3 pages decode each other again after ${recoveredS.toFixed(1)} s (CLUSTER_LEASE_S=5)\n`);
    assert.ok(recoveredS < 15, `recovered after ${recoveredS} s`);
    const now = await host();
    assert.notEqual(now, killed);
    assert.equal((await readyz(now)).participants, 3, 'the three are one class again');
  });

  test('SIGTERM (drain) of the class host: a latecomer lands in the same class', async () => {
    const draining = await host();
    draining.process.kill('SIGTERM');
    await waitFor(() => Promise.resolve(draining.logs.some((l) => l.includes('draining: refusing new participants'))), (v) => v, 5000);
    await open('Latecomer');
    await allSeeEachOther(pages, 30_000);
    assert.equal((await readyz(draining)).participants, 4, 'the draining node hosts all four');
  });

  test('Redis stopped mid-class: the class goes on; restarted: a latecomer joins the same class', async () => {
    await redis.stop();
    await new Promise((r) => setTimeout(r, 2000));
    await allSeeEachOther(pages, 10_000);
    await redis.start();
    await open('After-redis');
    await allSeeEachOther(pages, 45_000);
    // Everyone leaves: the drained node exits.
    const draining = nodes.find((n) => n.logs.some((l) => l.includes('draining: refusing')))!;
    for (const page of pages.splice(0)) await page.close();
    const [code] = (await once(draining.process, 'exit')) as [number];
    assert.equal(code, 0, 'the drained node exits once its class has left');
  });
});
