/// <reference lib="dom" />
/**
 * Browser test support: a real Confab server as a child process (the built
 * dist/, as `npm start` runs it) with media on loopback only, and Debian's
 * Chromium with fake camera and microphone, driven by playwright-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { LOOPBACK_SERVER_ENV } from '../../src/config/loopback-env.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // These two also serve getDisplayMedia (screen sharing): the first accepts the picker, the second
  // supplies a fake 1280x720 screen. Measured with Debian's Chromium 156 headless: without the first
  // the call hangs, without the second it fails (NotReadableError); --auto-select-desktop-capture-source
  // and --enable-usermedia-screen-capturing change nothing there, so they are not added.
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  // Keep WebRTC from hiding host addresses behind mDNS names: the SFU learns
  // the browser's address from its checks either way, but logs are clearer.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  readonly logs: string[];
  stop(): Promise<void>;
}

/** Inside the Firefox tests' network namespace (scripts/test-netns.mjs), media binds and advertises its address. */
const NAMESPACE_MEDIA_IP = process.env.CONFAB_TEST_MEDIA_IP;

export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const child = spawn(process.execPath, ['dist/src/cli/main.js', 'serve'], {
    env: {
      ...process.env,
      ...LOOPBACK_SERVER_ENV,
      ...(NAMESPACE_MEDIA_IP ? { MEDIA_ADVERTISE_IPS: NAMESPACE_MEDIA_IP, MEDIA_BIND_ADDRESS: NAMESPACE_MEDIA_IP } : {}),
      LOG_LEVEL: 'info',
      // stop() (SIGTERM) means a restart here: no waiting for participants to leave.
      DRAIN_TIMEOUT_S: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join('\n')}`)), 15_000);
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        logs.push(line);
        const m = /"port":(\d+).*Confab listening/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logs.join('\n')}`));
    });
  });
  const basePath = env.PUBLIC_URL ? new URL(env.PUBLIC_URL).pathname.replace(/\/?$/, '/') : '/';
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    port,
    process: child,
    logs,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH}: run 'apt-get install -y chromium' (npm test tries this itself)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** A page in its own context (its own camera, storage), as a separate person. */
/**
 * A page in its own browser context, joined at `url`. `initScript` runs in the page before its
 * own code (a string, not a function: tsx would wrap a function's inner names in helpers the page lacks).
 */
export async function openParticipant(browser: Browser, url: string, initScript?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') process.stderr.write(`[page ${url}] ${msg.text()}\n`);
  });
  await page.goto(url);
  return { context, page };
}

/** Skip prejoin and ask for a small camera, so several pages fit on 2 cores. */
export function joinUrl(base: string, room: string, name: string, extra = ''): string {
  return `${base}${room}#config.prejoinConfig.enabled=false&config.resolution=240&userInfo.displayName=${encodeURIComponent(JSON.stringify(name))}${extra}`;
}

export interface InboundSummary {
  /** framesDecoded per inbound video m-line (mid). */
  video: Record<string, number>;
  /** packetsReceived per inbound audio m-line. */
  audio: Record<string, number>;
}

/**
 * Reads inbound-rtp stats of the page's subscribe peer connection, for the
 * m-lines that currently carry someone's track (m-lines of participants who
 * left stay in the connection, inactive, until reused).
 */
/** What the stats helpers need of a page: Playwright's (Chromium) and Puppeteer's (Firefox) both fit. */
export interface PageLike {
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
}

export async function inbound(page: PageLike): Promise<InboundSummary> {
  return page.evaluate(async () => {
    // The page's test hook (web/src/main.ts), typed here by what we read.
    type Hook = { conference?: { media?: { subscribePc?: RTCPeerConnection; remoteTracks(): { info: { mid: string } }[] } } };
    const media = (window as unknown as { confab?: Hook }).confab?.conference?.media;
    const pc = media?.subscribePc;
    const out = { video: {} as Record<string, number>, audio: {} as Record<string, number> };
    if (!media || !pc) return out;
    const active = new Set(media.remoteTracks().map((t) => t.info.mid));
    const stats = await pc.getStats();
    stats.forEach((s: { type: string; kind?: string; mid?: string; framesDecoded?: number; packetsReceived?: number }) => {
      if (s.type !== 'inbound-rtp' || s.mid === undefined || !active.has(s.mid)) return;
      if (s.kind === 'video') out.video[s.mid] = s.framesDecoded ?? 0;
      if (s.kind === 'audio') out.audio[s.mid] = s.packetsReceived ?? 0;
    });
    return out;
  });
}

/**
 * Why a remote video may be slow, for assertion messages: per inbound video mid, the receiver's
 * counters (frames received/decoded/dropped, packets lost, NACKs and PLIs sent, freezes).
 */
export async function inboundVideoDetails(page: PageLike): Promise<Record<string, Record<string, number>>> {
  return page.evaluate(async () => {
    type Hook = { conference?: { media?: { subscribePc?: RTCPeerConnection } } };
    const pc = (window as unknown as { confab?: Hook }).confab?.conference?.media?.subscribePc;
    const out: Record<string, Record<string, number>> = {};
    if (!pc) return out;
    const keys = ['framesReceived', 'framesDecoded', 'keyFramesDecoded', 'framesDropped', 'packetsReceived', 'packetsLost', 'nackCount', 'pliCount', 'firCount', 'freezeCount', 'framesPerSecond'];
    (await pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video' || typeof s.mid !== 'string') return;
      out[s.mid] = Object.fromEntries(keys.filter((k) => typeof s[k] === 'number').map((k) => [k, s[k] as number]));
    });
    return out;
  });
}

/** Polls until `check` passes or the time is up; returns the last value for the assertion message. */
export async function waitFor<T>(read: () => Promise<T>, check: (v: T) => boolean, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    value = await read();
  }
  return value;
}

export interface SelectedPair {
  /** 'publish' or 'subscribe': which of the page's two peer connections. */
  pc: string;
  /** The browser's side: host, srflx, prflx or relay. */
  localType: string;
  remoteAddress: string;
  remotePort: number;
  protocol: string;
}

/** The connected ICE candidate pair of each of the page's peer connections. */
export function selectedPairs(page: PageLike): Promise<SelectedPair[]> {
  return page.evaluate(async () => {
    type Hook = { conference?: { media?: { publishPc: RTCPeerConnection; subscribePc?: RTCPeerConnection } } };
    const media = (window as unknown as { confab?: Hook }).confab?.conference?.media;
    const out: SelectedPair[] = [];
    for (const [pcName, pc] of [['publish', media?.publishPc], ['subscribe', media?.subscribePc]] as const) {
      if (!pc) continue;
      const stats = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
      stats.forEach((s: Record<string, unknown>) => {
        if (s.type !== 'transport' || !s.selectedCandidatePairId) return;
        const pair = byId.get(s.selectedCandidatePairId as string);
        const local = byId.get(pair?.localCandidateId as string);
        const remote = byId.get(pair?.remoteCandidateId as string);
        out.push({
          pc: pcName,
          localType: String(local?.candidateType),
          remoteAddress: String(remote?.address),
          remotePort: Number(remote?.port),
          protocol: String(remote?.protocol),
        });
      });
    }
    return out;
  });
}

/**
 * An init script that makes a Chromium page a browser whose only video codec
 * is H.264 (as some Safari/iOS versions behave): every video transceiver it
 * adds offers H.264 (packetization mode 1) and nothing else.
 */
export const H264_ONLY_INIT_SCRIPT = `(() => {
  const add = RTCPeerConnection.prototype.addTransceiver;
  RTCPeerConnection.prototype.addTransceiver = function (trackOrKind, init) {
    const t = add.call(this, trackOrKind, init);
    const kind = typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind;
    if (kind === 'video') {
      t.setCodecPreferences(RTCRtpSender.getCapabilities('video').codecs.filter((c) => /h264/i.test(c.mimeType) && /packetization-mode=1/.test(c.sdpFmtpLine || '')));
    }
    return t;
  };
})();`;

/** The codec (mime type) of each decoding inbound camera from `participantId` on the page. */
export function decodedCodecsFrom(page: PageLike, participantId: string): Promise<string[]> {
  return page.evaluate(
    new Function(`return (async () => {
      const media = window.confab.conference.media;
      const mids = new Set(media.remoteTracks().filter((t) => t.info.participantId === ${JSON.stringify(participantId)} && t.info.source === 'camera').map((t) => t.info.mid));
      const stats = await media.subscribePc.getStats();
      const mime = new Map();
      stats.forEach((s) => s.mimeType && mime.set(s.id, s.mimeType));
      const out = [];
      stats.forEach((s) => { if (s.type === 'inbound-rtp' && mids.has(s.mid) && (s.framesDecoded ?? 0) > 0) out.push(mime.get(s.codecId) ?? '?'); });
      return out;
    })()`) as () => Promise<string[]>,
  );
}
