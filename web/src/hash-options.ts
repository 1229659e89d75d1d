/**
 * Jitsi-compatible URL hash options, as platforms already put them in links:
 * `#config.prejoinConfig.enabled=false&userInfo.displayName="Ada"`.
 * Each value is JSON (strings quoted), falling back to the raw text, as
 * Jitsi's own parser does.
 */
export interface JoinOptions {
  skipPrejoin: boolean;
  displayName: string | undefined;
  startWithAudioMuted: boolean;
  startWithVideoMuted: boolean;
  /** Camera height to ask for (config.resolution), e.g. 240, 360, 720. */
  resolution: number;
  /** Video codec to send first (config.videoQuality.preferredCodec): 'VP8' or 'H264'. */
  preferredCodec: 'VP8' | 'H264' | undefined;
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

export function joinOptionsFromHash(hash: string): JoinOptions {
  const p = parseHashParams(hash);
  const name = p.get('userInfo.displayName');
  const resolution = Number(p.get('config.resolution') ?? 360);
  const codec = String(p.get('config.videoQuality.preferredCodec') ?? '').toUpperCase();
  return {
    skipPrejoin: isFalse(p.get('config.prejoinConfig.enabled')) || isFalse(p.get('config.prejoinPageEnabled')),
    displayName: typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, 80) : undefined,
    startWithAudioMuted: isTrue(p.get('config.startWithAudioMuted')) || isTrue(p.get('config.startAudioMuted')),
    startWithVideoMuted: isTrue(p.get('config.startWithVideoMuted')) || isTrue(p.get('config.startVideoMuted')),
    resolution: Number.isFinite(resolution) && resolution >= 90 && resolution <= 1080 ? resolution : 360,
    preferredCodec: codec === 'H264' || codec === 'VP8' ? codec : undefined,
  };
}
