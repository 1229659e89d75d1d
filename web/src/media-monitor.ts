/**
 * Watches, once a second, whether media from the others still arrives
 * (InboundWatch over getStats), so a stall is never silent on this side:
 * a stalled participant's tile says "Reconnecting media…", each stall is
 * reported to the server (client-report media_stalled, logged with our room
 * and id), and when nothing arrives from anybody the server is asked to
 * restart ICE on our subscribe connection (at most every RESTART_EVERY_MS).
 */
import type { Conference } from './conference.js';
import type { ClientReportCode } from '../../src/protocol/client-reports.js';
import { InboundWatch, type InboundSample } from './inbound-watch.js';

const POLL_MS = 1000;
/** How often to ask again while the path stays dead (the server rate-limits too). */
const RESTART_EVERY_MS = 6000;

export interface MediaMonitorActions {
  /** Tiles of these participants show "Reconnecting media…"; the others do not. */
  showStalled(participantIds: ReadonlySet<string>): void;
  report(code: ClientReportCode, detail: string): void;
  askIceRestart(reason: string): void;
}

export function startMediaMonitor(conference: Conference, actions: MediaMonitorActions): () => void {
  const watch = new InboundWatch();
  let reported = new Set<string>();
  let lastRestartAsk = -Infinity;
  let media = conference.media;
  const poll = async (): Promise<void> => {
    if (conference.media !== media) {
      // New connections (joined again): what the old ones saw no longer counts.
      media = conference.media;
      watch.reset();
      reported = new Set();
    }
    if (!media?.subscribePc || conference.state !== 'joined') return;
    const now = Date.now();
    const verdict = watch.update(await inboundSamples(conference), now);
    actions.showStalled(verdict.stalled);
    for (const id of verdict.stalled) {
      if (reported.has(id)) continue;
      const name = conference.participants.get(id)?.displayName ?? id;
      actions.report('media_stalled', `media from ${name} (${id}) stopped arriving while they are unmuted${verdict.pathDead ? '; nothing arrives from anybody' : ''}`);
    }
    reported = new Set(verdict.stalled);
    if (verdict.pathDead && now - lastRestartAsk >= RESTART_EVERY_MS) {
      lastRestartAsk = now;
      actions.askIceRestart(`no media from anybody for ${Math.round(verdict.pathDeadForMs / 1000)} s`);
    }
  };
  const timer = window.setInterval(() => void poll().catch(() => undefined), POLL_MS);
  return () => window.clearInterval(timer);
}

/** packetsReceived of every remote track now shown, with whether its sender muted that kind. */
async function inboundSamples(conference: Conference): Promise<InboundSample[]> {
  const media = conference.media!;
  const tracks = new Map(media.remoteTracks().map((t) => [t.info.mid, t.info]));
  const samples: InboundSample[] = [];
  const stats = await media.subscribePc!.getStats();
  stats.forEach((s: { type: string; mid?: string; packetsReceived?: number }) => {
    if (s.type !== 'inbound-rtp' || s.mid === undefined) return;
    const info = tracks.get(s.mid);
    if (!info) return;
    const sender = conference.participants.get(info.participantId);
    if (!sender) return;
    // A screen share is on while it is published; camera and microphone follow the sender's mute state,
    // and a camera we asked none of (a tile on another grid page) is as good as muted.
    const senderMuted = info.source === 'screen' ? false : info.kind === 'audio' ? sender.audioMuted : sender.videoMuted || conference.videoNotAsked(info.participantId);
    samples.push({ mid: s.mid, participantId: info.participantId, kind: info.kind, packets: s.packetsReceived ?? 0, senderMuted: senderMuted || sender.connectionInterrupted });
  });
  return samples;
}
