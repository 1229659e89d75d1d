/**
 * Messages between external_api.js (in the platform's page) and the Confab
 * page in its iframe, over postMessage. Both ends are ours; only the host
 * page's API surface has to match Jitsi's.
 */
export const EMBED_PARAM = 'confab_embed_id';

export type HostToFrame =
  | { confab: 'init'; embedId: string }
  | { confab: 'command'; embedId: string; name: string; args: unknown[] }
  /** A host function that asks the page (isAudioMuted, getRoomsInfo...: QUERIES in web/src/embed/events.ts). */
  | { confab: 'request'; embedId: string; requestId: number; name: string; args?: unknown[] };

export type FrameToHost =
  | { confab: 'ready'; embedId: string }
  | { confab: 'event'; embedId: string; name: string; data: Record<string, unknown> }
  | { confab: 'response'; embedId: string; requestId: number; result: unknown; error?: string };

export function isMessage<T extends { confab: string; embedId: string }>(data: unknown, embedId?: string): data is T {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as { confab?: unknown; embedId?: unknown };
  return typeof m.confab === 'string' && typeof m.embedId === 'string' && (embedId === undefined || m.embedId === embedId);
}
