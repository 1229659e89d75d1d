/**
 * Media through one port (MEDIA_WORKERS=1, the setup for a firewall that
 * opens one port): a 4-party call where every browser's media, both
 * directions, goes to the server's single UDP port, and the server process
 * has exactly one UDP socket on its public address. Then browsers that can
 * only use TCP (their UDP candidates are stripped) still see each other over
 * the one ICE-TCP port.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { inbound, joinUrl, launchBrowser, openParticipant, selectedPairs, startServer, waitFor, type RunningServer } from './support.js';

// A loopback address of its own, so "sockets on the public address" is exact.
const PUBLIC_IP = '127.0.0.2';
let browser: Browser;
let server: RunningServer;
let udpPort = 0;
let tcpPort = 0;

before(async () => {
  server = await startServer({ MEDIA_ADVERTISE_IPS: PUBLIC_IP, MEDIA_BIND_ADDRESS: PUBLIC_IP, MEDIA_WORKERS: '1' });
  const line = server.logs.find((l) => l.includes('"mediaUdpPorts"')) ?? '';
  udpPort = Number(/"mediaUdpPorts":\[(\d+)\]/.exec(line)?.[1]);
  tcpPort = Number(/"mediaTcpPorts":\[(\d+)\]/.exec(line)?.[1]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const STRIP_UDP_CANDIDATES = `
  const original = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = function (desc) {
    const sdp = desc.sdp.split('\\r\\n').filter((l) => !/^a=candidate:\\S+ \\d+ udp /i.test(l)).join('\\r\\n');
    return original.call(this, { type: desc.type, sdp });
  };
`;

/** UDP sockets of the server process bound to an address (from /proc). */
function boundUdpSockets(pid: number, address: string): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // fd closed meanwhile
    }
  }
  const hex = address.split('.').reverse().map((n) => Number(n).toString(16).padStart(2, '0')).join('').toUpperCase();
  const ports: number[] = [];
  for (const line of readFileSync(`/proc/${pid}/net/udp`, 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || !inodes.has(cols[9]!)) continue;
    const [ip, port] = cols[1]!.split(':');
    if (ip === hex) ports.push(parseInt(port!, 16));
  }
  return ports;
}

test('a 4-party call uses one UDP port for all media', { timeout: 120_000 }, async () => {
  assert.ok(udpPort > 0 && tcpPort > 0, 'server logged its media ports');
  const pages: Page[] = [];
  for (const name of ['P1', 'P2', 'P3', 'P4']) pages.push((await openParticipant(browser, joinUrl(server.url, 'one-port', name))).page);
  for (const page of pages) {
    const s = await waitFor(() => inbound(page), (v) => Object.values(v.video).filter((f) => f > 5).length === 3, 25_000);
    assert.equal(Object.values(s.video).filter((f) => f > 5).length, 3, `decoding 3 videos: ${JSON.stringify(s)}`);
  }
  for (const page of pages) {
    // Both ports are offered; the browser must settle on UDP (TCP is the lower-priority fallback).
    const onUdp = (ps: Awaited<ReturnType<typeof selectedPairs>>): boolean => ps.length === 2 && ps.every((p) => p.protocol === 'udp');
    const pairs = await waitFor(() => selectedPairs(page), onUdp, 10_000);
    assert.equal(pairs.length, 2, `two connected peer connections: ${JSON.stringify(pairs)}`);
    for (const p of pairs) {
      assert.deepEqual([p.remoteAddress, p.remotePort, p.protocol], [PUBLIC_IP, udpPort, 'udp'], `${p.pc} goes to the one port`);
      // The demultiplexer reports the browser's real address, so it sees no made-up (prflx) address of its own.
      assert.equal(p.localType, 'host', `${p.pc} local candidate`);
    }
  }
  assert.deepEqual(boundUdpSockets(server.process.pid!, PUBLIC_IP), [udpPort], 'one UDP socket on the public address');
  for (const page of pages) await page.close();
});

test('browsers that cannot use UDP see each other over the one ICE-TCP port', { timeout: 120_000 }, async () => {
  // Strip the server's UDP candidates before the browser sees them: only TCP is left.
  const pages: Page[] = [];
  for (const name of ['T1', 'T2']) pages.push((await openParticipant(browser, joinUrl(server.url, 'tcp-only', name), STRIP_UDP_CANDIDATES)).page);
  for (const page of pages) {
    const s = await waitFor(() => inbound(page), (v) => Object.values(v.video).some((f) => f > 10), 25_000);
    assert.ok(Object.values(s.video).some((f) => f > 10), `video over TCP: ${JSON.stringify(s)}`);
    for (const p of await selectedPairs(page)) assert.deepEqual([p.remoteAddress, p.remotePort, p.protocol], [PUBLIC_IP, tcpPort, 'tcp'], `${p.pc} over TCP`);
  }
  for (const page of pages) await page.close();
});
