/**
 * Speaking indicator from audio levels the browser already measures: the
 * inbound-rtp `audioLevel` of each remote audio m-line, and the media-source
 * level of our own microphone. No extra audio processing in the page.
 */
import type { Conference } from './conference.js';

const SPEAKING_LEVEL = 0.03;
const POLL_MS = 400;

export function startSpeakingMonitor(conference: Conference): () => void {
  const timer = window.setInterval(() => void poll(conference), POLL_MS);
  return () => window.clearInterval(timer);
}

async function poll(conference: Conference): Promise<void> {
  const media = conference.media;
  if (!media || conference.state !== 'joined') return;
  const levels = new Map<string, number>();
  if (media.subscribePc) {
    const byMid = new Map(media.remoteTracks().map((t) => [t.info.mid, t.info.participantId]));
    const stats = await media.subscribePc.getStats();
    stats.forEach((s: { type: string; kind?: string; mid?: string; audioLevel?: number }) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'audio' || s.mid === undefined) return;
      const id = byMid.get(s.mid);
      if (id) levels.set(id, s.audioLevel ?? 0);
    });
  }
  if (conference.participantId) {
    const stats = await media.publishPc.getStats();
    stats.forEach((s: { type: string; kind?: string; audioLevel?: number }) => {
      if (s.type === 'media-source' && s.kind === 'audio') levels.set(conference.participantId!, s.audioLevel ?? 0);
    });
  }
  for (const [id, tile] of conference.view.stage.tiles) {
    const info = conference.participants.get(id);
    tile.setSpeaking(!info?.audioMuted && (levels.get(id) ?? 0) > SPEAKING_LEVEL);
  }
}
