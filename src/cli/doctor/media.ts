/**
 * Check 5: media, for real. Two headless bots join a throw-away room through
 * the public URL, publish synthetic audio and video and must receive each
 * other's, first over UDP, then over ICE-TCP only, then through TURN when
 * the server's welcome hands out a TURN server. Each line says which
 * candidate pair carried the media. The bots signal as the token probe did
 * (long-poll when the WebSocket is blocked), and each line says so.
 */
import { Bot, describePath, sdpCandidates, type CandidateInfo, type IcePath, type SelectedPath, type SignalingMode, type SignalingTransport } from '../../bot/index.js';
import { botSignaling, NO_SIGNALING, signalingNote } from './bot-signaling.js';
import { mediaFix } from './media-fixes.js';
import type { CheckResult, DoctorContext, DoctorOptions, Report } from './types.js';

/** Enough to prove a stream: a second of audio and a few whole video frames. */
const MIN_AUDIO_PACKETS = 25;
const MIN_VIDEO_FRAMES = 5;

type IceServer = { urls: string | string[]; username?: string; credential?: string };
const isTurn = (s: IceServer): boolean => [s.urls].flat().some((u) => /^turns?:/i.test(u));

export async function mediaChecks(o: DoctorOptions, ctx: DoctorContext, report: Report): Promise<void> {
  const paths: IcePath[] = ['udp', 'tcp', 'relay'];
  const skip = (evidence: string): void => paths.forEach((p) => report({ group: 'media', name: `media-${p}`, status: 'skip', evidence }));
  const signaling = botSignaling(o, ctx);
  if (!signaling) return skip(NO_SIGNALING);
  if (!ctx.welcome || !ctx.mediaRoom) return skip('needs a participant to be admitted (see the token check)');
  const servers = ctx.welcome.iceServers as IceServer[];
  const turn = servers.filter(isTurn);
  for (const path of paths) {
    if (path === 'relay' && turn.length === 0) {
      report({ group: 'media', name: 'media-relay', status: 'skip', evidence: "the server's welcome lists no TURN server (TURN_HOST is not set); networks that block UDP and the ICE-TCP port cannot connect" });
      continue;
    }
    report(await mediaPath(o, ctx, signaling, path, path === 'relay' ? servers : servers.filter((s) => !isTurn(s))));
  }
}

interface Received {
  audio: number;
  frames: number;
}

function received(bot: Bot, from: Bot): Received {
  const r = bot.stats().remotes[from.participantId];
  return { audio: r?.audio.packets ?? 0, frames: r?.video.frames ?? 0 };
}

const enough = (r: Received): boolean => r.audio >= MIN_AUDIO_PACKETS && r.frames >= MIN_VIDEO_FRAMES;

/** Whether a pair is the path we forced: relay means our side is a TURN relay; udp/tcp, the transport. */
function onPath(pair: SelectedPath | undefined, path: IcePath): boolean {
  if (!pair) return false;
  return path === 'relay' ? pair.local.type === 'relay' : pair.local.protocol === path && pair.local.type !== 'relay';
}

async function mediaPath(o: DoctorOptions, ctx: DoctorContext, signaling: SignalingMode, path: IcePath, iceServers: IceServer[]): Promise<CheckResult> {
  const used: { transport?: SignalingTransport } = {};
  const result = await mediaOver(o, ctx, signaling, path, iceServers, used);
  return { ...result, evidence: `${result.evidence}${signalingNote(signaling, used.transport)}`, data: { ...result.data, signaling: used.transport } };
}

/** One path's check; `used` learns the transport the bots signaled over. */
async function mediaOver(o: DoctorOptions, ctx: DoctorContext, signaling: SignalingMode, path: IcePath, iceServers: IceServer[], used: { transport?: SignalingTransport }): Promise<CheckResult> {
  const name = `media-${path}`;
  const started = performance.now();
  let offered: CandidateInfo[] | undefined;
  const join = (label: string): Promise<Bot> =>
    Bot.join({
      url: o.url.href,
      room: ctx.mediaRoom!,
      tenant: o.tenant,
      displayName: `confab doctor ${label} (${path})`,
      token: ctx.botToken,
      publish: { audio: true, video: true, videoKbps: 300, fps: 15 },
      network: { loopbackOnly: o.loopback, iceServers, icePath: path },
      signaling,
      timeoutMs: o.timeoutMs,
      onRemoteSdp: (sdp, pc) => {
        if (pc === 'publish' && offered === undefined) offered = sdpCandidates(sdp);
      },
    });
  const joined = await Promise.allSettled([join('A'), join('B')]);
  const bots = joined.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  used.transport = bots[0]?.signaling.transport;
  try {
    const failed = joined.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (offered) {
      const udp = offered.find((c) => c.protocol === 'udp');
      if (udp) ctx.mediaUdpPort ??= udp.port;
    }
    if (failed) {
      const reason = (failed.reason as Error).message;
      return { group: 'media', name, ...mediaFix(o, path, offered, `a bot could not connect over ${path}: ${reason}`, iceServers), data: { offered } };
    }
    const [a, b] = bots as [Bot, Bot];
    const deadline = Date.now() + Math.max(o.timeoutMs, 10_000);
    while (!(enough(received(a, b)) && enough(received(b, a))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const ms = Math.round(performance.now() - started);
    const ab = received(b, a);
    const ba = received(a, b);
    const counts = `A got ${ba.audio} audio packets and ${ba.frames} video frames from B, B got ${ab.audio} and ${ab.frames} from A`;
    const pairs = { a: a.mediaPaths(), b: b.mediaPaths() };
    const all = [pairs.a.publish, pairs.a.subscribe, pairs.b.publish, pairs.b.subscribe];
    const shown = pairs.a.publish ? describePath(pairs.a.publish) : 'no selected candidate pair';
    const data = { ms, counts: { aFromB: ba, bFromA: ab }, pairs, offered };
    if (!enough(ab) || !enough(ba)) {
      return { group: 'media', name, ...mediaFix(o, path, offered, `connected over ${shown}, but within ${ms} ms ${counts} (need ${MIN_AUDIO_PACKETS} packets and ${MIN_VIDEO_FRAMES} frames)`, iceServers, true), latencyMs: ms, data };
    }
    if (!all.every((p) => onPath(p, path))) {
      const used = all.map((p) => (p ? describePath(p) : 'none')).join('; ');
      return { group: 'media', name, status: 'fail', evidence: `media flowed, but not only over ${path}: ${used}`, fix: 'the bot could not be held to one path; report this as a Confab bug with the --json output', latencyMs: ms, data };
    }
    return { group: 'media', name, status: 'pass', evidence: `2 bots in room '${ctx.mediaRoom}' saw and heard each other over ${path} in ${ms} ms (${counts}); media path ${shown}`, latencyMs: ms, data };
  } finally {
    await Promise.allSettled(bots.map((bot) => bot.leave()));
  }
}
