/// <reference lib="dom" />
/**
 * Helpers for the class-feature browser tests: open a participant, read who
 * they are, and read inbound stats per remote participant and track source
 * (so "audio from the student" or "the teacher's screen" can be measured).
 */
import { after, before } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { joinUrl, launchBrowser, openParticipant, startServer, waitFor, type PageLike, type RunningServer } from './support.js';

export interface Inbound {
  participantId: string;
  source: string;
  kind: string;
  /** packetsReceived (audio) or framesDecoded (video). */
  count: number;
}

export class People {
  readonly contexts: BrowserContext[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly url: () => string,
  ) {}

  async join(room: string, name: string, extra = ''): Promise<Page> {
    const { context, page } = await openParticipant(this.browser, joinUrl(this.url(), room, name, extra));
    this.contexts.push(context);
    return page;
  }

  async closeAll(): Promise<void> {
    for (const c of this.contexts.splice(0)) await c.close().catch(() => undefined);
  }
}

export interface Classroom {
  server: RunningServer;
  people: People;
}

/**
 * A server, a browser and the people who join, for the calling describe
 * block: registers its before/after hooks, and the fields are set once
 * `before` has run.
 */
export function useClassroom(): Classroom {
  const room = {} as Classroom;
  let browser: Browser | undefined;
  before(async () => {
    room.server = await startServer();
    browser = await launchBrowser();
    room.people = new People(browser, () => room.server.url);
  });
  after(async () => {
    await room.people?.closeAll();
    await browser?.close();
    await room.server?.stop();
  });
  return room;
}

type Hook = {
  conference?: {
    participantId?: string;
    state?: string;
    media?: { subscribePc?: RTCPeerConnection; remoteTracks(): { info: { mid: string; participantId: string; source: string; kind: string } }[] };
    sendRaw(message: unknown): void;
  };
};

/** The participant id of the page's conference, once joined. */
export async function idOf(page: PageLike): Promise<string> {
  const id = await waitFor(
    () => page.evaluate(() => (window as unknown as { confab?: Hook }).confab?.conference?.participantId ?? ''),
    (v) => v !== '',
    15_000,
  );
  if (!id) throw new Error('the page never joined');
  return id;
}

/** Inbound counters per live remote track, attributed by the server's tracks list. */
export function inboundTracks(page: PageLike): Promise<Inbound[]> {
  return page.evaluate(async () => {
    const media = (window as unknown as { confab?: Hook }).confab?.conference?.media;
    const pc = media?.subscribePc;
    if (!media || !pc) return [];
    const byMid = new Map(media.remoteTracks().map((t) => [t.info.mid, t.info]));
    const out: Inbound[] = [];
    (await pc.getStats()).forEach((s: { type: string; mid?: string; kind?: string; packetsReceived?: number; framesDecoded?: number }) => {
      const info = s.type === 'inbound-rtp' && s.mid !== undefined ? byMid.get(s.mid) : undefined;
      if (!info) return;
      out.push({ participantId: info.participantId, source: info.source, kind: info.kind, count: (info.kind === 'audio' ? s.packetsReceived : s.framesDecoded) ?? 0 });
    });
    return out;
  });
}

/** The counter of one remote participant's track of a source on this page (-1: no such track). */
export async function countFrom(page: PageLike, participantId: string, source: 'microphone' | 'camera' | 'screen'): Promise<number> {
  const t = (await inboundTracks(page)).find((i) => i.participantId === participantId && i.source === source);
  return t ? t.count : -1;
}

/** How much the counter grows over `ms`. */
export async function growth(page: PageLike, participantId: string, source: 'microphone' | 'camera' | 'screen', ms: number): Promise<number> {
  const before = await countFrom(page, participantId, source);
  await new Promise((r) => setTimeout(r, ms));
  return (await countFrom(page, participantId, source)) - before;
}

/** Sends a protocol message from the page as is: a misbehaving client. */
export function sendRaw(page: Page, message: unknown): Promise<void> {
  return page.evaluate((m) => (window as unknown as { confab?: Hook }).confab?.conference?.sendRaw(m), message);
}

/** Opens the People panel if it is not open. */
export async function openPeople(page: Page): Promise<void> {
  if (!(await page.locator('#people-panel').isVisible())) await page.click('#toggle-people');
  await page.waitForSelector('#people-panel', { state: 'visible' });
}

export const person = (id: string): string => `#people-list .person[data-participant-id="${id}"]`;
