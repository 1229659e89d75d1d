/**
 * Jitsi-compatible URL hash options, as platforms already put them in links
 * and as external_api.js passes an embed's configOverwrite,
 * interfaceConfigOverwrite and userInfo:
 * `#config.prejoinConfig.enabled=false&userInfo.displayName="Ada"`.
 * Each value is JSON (strings quoted), falling back to the raw text, as
 * Jitsi's own parser does. Which options Confab supports is in
 * embed/catalogue.ts (LINK_OPTIONS); every other option in the link is
 * reported in `refused`, for a console warning naming it.
 */
import { EMBED_PARAM } from '../external-api/protocol.js';
import { LINK_OPTIONS, OFF_ONLY, refusal } from './embed/catalogue.js';

/** The toolbar buttons a link can keep (config.toolbarButtons), by Jitsi's names. */
export const TOOLBAR_BUTTONS = ['microphone', 'camera', 'desktop', 'raisehand', 'chat', 'participants-pane', 'hangup'] as const;
export type ToolbarButton = (typeof TOOLBAR_BUTTONS)[number];

/** Joining muted: always, never, or when at least `after` people are already in (Jitsi's startAudioMuted: N). */
export type StartMuted = { readonly always: boolean; readonly after: number | undefined };

export interface JoinOptions {
  skipPrejoin: boolean;
  requireDisplayName: boolean;
  readOnlyName: boolean;
  displayName: string | undefined;
  startWithAudioMuted: boolean;
  startWithVideoMuted: boolean;
  /** config.startAudioMuted / startVideoMuted as a number: muted when this many are already in. */
  startAudioMutedAfter: number | undefined;
  startVideoMutedAfter: number | undefined;
  /** Listen-only: microphone muted and nothing played (config.startSilent). */
  startSilent: boolean;
  /** Camera height to ask for (config.resolution), e.g. 240, 360, 720. */
  resolution: number;
  /** Video of at most this many others (config.channelLastN; -1: everyone's); undefined: the server's default. */
  channelLastN: number | undefined;
  /** Video codec to send first (config.videoQuality.preferredCodec): 'VP8' or 'H264'. */
  preferredCodec: 'VP8' | 'H264' | undefined;
  /** Set for everyone once we moderate (config.subject). */
  subject: string | undefined;
  /** Shown on this page only (config.localSubject). */
  localSubject: string | undefined;
  hideSubject: boolean;
  /** Stage view only (config.disableTileView). */
  disableTileView: boolean;
  disableSelfView: boolean;
  /** Only these toolbar buttons; undefined: all. */
  toolbarButtons: readonly ToolbarButton[] | undefined;
  /** The page title's name (interfaceConfig.APP_NAME). */
  appName: string;
  /** A console warning for each option in the link that Confab does not support. */
  refused: string[];
}

export function parseHashParams(hash: string): Map<string, unknown> {
  const params = new Map<string, unknown>();
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const raw = eq < 0 ? 'true' : safeDecode(part.slice(eq + 1));
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Jitsi accepts unquoted strings too.
    }
    params.set(key, value);
  }
  return params;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const isFalse = (v: unknown): boolean => v === false || v === 'false';
const isTrue = (v: unknown): boolean => v === true || v === 'true';
const text = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : undefined);

/** startAudioMuted: a number N (muted once N are in), or true/false. */
/** config.channelLastN: an integer from -1 (everyone's video) up; anything else is the server's default. */
function lastN(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isInteger(n) && n >= -1 && n <= 1000 ? n : undefined;
}

function startMuted(v: unknown): { always: boolean; after: number | undefined } {
  if (isTrue(v)) return { always: true, after: undefined };
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return { always: false, after: Number.isInteger(n) && n >= 0 ? n : undefined };
}

function toolbarButtons(v: unknown, refused: string[]): readonly ToolbarButton[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const known = new Set<string>(TOOLBAR_BUTTONS);
  for (const b of v) if (typeof b !== 'string' || !known.has(b)) refused.push(`confab: toolbar button '${String(b)}' is not one Confab has (it has ${TOOLBAR_BUTTONS.join(', ')}): ignored`);
  return v.filter((b): b is ToolbarButton => typeof b === 'string' && known.has(b));
}

/** Options of the link Confab does not support, each as a console warning. */
function refusals(p: Map<string, unknown>): string[] {
  const out: string[] = [];
  for (const [key, value] of p) {
    if (key === EMBED_PARAM) continue;
    if (!key.startsWith('config.') && !key.startsWith('interfaceConfig.') && !key.startsWith('userInfo.')) continue;
    const entry = Object.hasOwn(LINK_OPTIONS, key) ? LINK_OPTIONS[key as keyof typeof LINK_OPTIONS] : undefined;
    if (!entry || entry.status === 'refused') {
      out.push(refusal('link option', key));
      continue;
    }
    const only = OFF_ONLY[key as keyof typeof LINK_OPTIONS];
    if (only !== undefined && !(only ? isTrue(value) : isFalse(value))) {
      out.push(`confab: link option '${key}' is supported only as ${String(only)} (got ${JSON.stringify(value)}): ${entry.note}`);
    }
  }
  return out;
}

export function joinOptionsFromHash(hash: string): JoinOptions {
  const p = parseHashParams(hash);
  const refused = refusals(p);
  const resolution = Number(p.get('config.resolution') ?? 360);
  const codec = String(p.get('config.videoQuality.preferredCodec') ?? '').toUpperCase();
  const audio = startMuted(p.get('config.startAudioMuted'));
  const video = startMuted(p.get('config.startVideoMuted'));
  const silent = isTrue(p.get('config.startSilent'));
  return {
    skipPrejoin: isFalse(p.get('config.prejoinConfig.enabled')) || isFalse(p.get('config.prejoinPageEnabled')),
    requireDisplayName: isTrue(p.get('config.requireDisplayName')),
    readOnlyName: isTrue(p.get('config.readOnlyName')),
    displayName: text(p.get('userInfo.displayName'), 80),
    startWithAudioMuted: isTrue(p.get('config.startWithAudioMuted')) || audio.always || silent,
    startWithVideoMuted: isTrue(p.get('config.startWithVideoMuted')) || video.always,
    startAudioMutedAfter: audio.after,
    startVideoMutedAfter: video.after,
    startSilent: silent,
    resolution: Number.isFinite(resolution) && resolution >= 90 && resolution <= 1080 ? resolution : 360,
    channelLastN: lastN(p.get('config.channelLastN')),
    preferredCodec: codec === 'H264' || codec === 'VP8' ? codec : undefined,
    subject: text(p.get('config.subject'), 200),
    localSubject: text(p.get('config.localSubject'), 200),
    hideSubject: isTrue(p.get('config.hideConferenceSubject')),
    disableTileView: isTrue(p.get('config.disableTileView')),
    disableSelfView: isTrue(p.get('config.disableSelfView')),
    toolbarButtons: toolbarButtons(p.get('config.toolbarButtons') ?? p.get('interfaceConfig.TOOLBAR_BUTTONS'), refused),
    appName: text(p.get('interfaceConfig.APP_NAME'), 60) ?? 'Confab',
    refused,
  };
}
