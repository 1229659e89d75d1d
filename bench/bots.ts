/**
 * The benchmark's participants: werift bots in one process separate from
 * the SFU, so the SFU's CPU figure is its own. Driven over IPC by run.ts.
 */
import { Bot } from '../src/bot/index.js';
import type { MediaKind } from '../src/protocol/messages.js';
import { loopDelayMeter, type BotCommand, type BotReply, type Totals } from './ipc.js';

const bots: Bot[] = [];
/** Which room each bot is in, for leaving one class of several. */
const roomOf = new Map<Bot, string>();
/** Bots that joined with their microphone muted: the server forwards none of their audio. */
const mutedAudio = new Set<Bot>();
const loopDelay = loopDelayMeter();
const reply = (message: BotReply): void => void process.send?.(message);

async function join(command: Extract<BotCommand, { type: 'join' }>): Promise<BotReply> {
  const joinMs: number[] = [];
  // One after another, as people enter a class: each join then meets a room that is already sending.
  for (let i = 0; i < command.count; i++) {
    const started = Date.now();
    const bot = await Bot.join({
      url: command.url,
      room: command.room,
      displayName: `bench-${i + 1}`,
      publish: { audio: true, video: true, videoKbps: command.videoKbps, fps: command.fps },
      network: { loopbackOnly: true },
      timeoutMs: 15_000,
    });
    bots.push(bot);
    if (command.lastN !== undefined) bot.receiveVideo(command.lastN);
    roomOf.set(bot, command.room);
    joinMs.push(Date.now() - started);
  }
  return { type: 'joined', joinMs };
}

/** A class: the teacher first, then the students in batches (see BotCommand 'join-class'). */
async function joinClass(command: Extract<BotCommand, { type: 'join-class' }>): Promise<BotReply> {
  const joinMs: number[] = [];
  const joinOne = async (i: number): Promise<Bot> => {
    const started = Date.now();
    const student = i > 0;
    const bot = await Bot.join({
      url: command.url,
      room: command.room,
      displayName: student ? `student-${i}` : 'teacher',
      publish: { audio: true, video: true, videoKbps: command.videoKbps, fps: command.fps, simulcast: command.simulcast },
      audioMuted: student && command.studentsMuted,
      network: { loopbackOnly: true },
      timeoutMs: 15_000,
    });
    bots.push(bot);
    roomOf.set(bot, command.room);
    if (bot.options.audioMuted) mutedAudio.add(bot);
    joinMs.push(Date.now() - started);
    return bot;
  };
  const teacher = await joinOne(0);
  const students: Bot[] = [];
  for (let i = 1; i < command.count; i += command.batch) {
    const batch = Array.from({ length: Math.min(command.batch, command.count - i) }, (_, k) => i + k);
    students.push(...(await Promise.all(batch.map(joinOne))));
  }
  const receive = command.receive;
  if (receive) {
    teacher.receiveVideo(receive.teacherLastN, [], { maxHeight: receive.thumbnailHeight });
    // On stage without a constraint of its own: the teacher's camera comes at full size (protocol: receive-video).
    for (const s of students) s.receiveVideo(receive.studentLastN, [teacher.participantId], { maxHeight: receive.thumbnailHeight });
  }
  return { type: 'joined', joinMs };
}

function stats(): BotReply {
  const zero = (): Record<MediaKind, Totals> => ({
    audio: { packets: 0, bytes: 0, expected: 0, duplicates: 0 },
    video: { packets: 0, bytes: 0, expected: 0, duplicates: 0 },
  });
  const received = zero();
  const sent = zero();
  const firstFrameMs: number[] = [];
  let pairsWithoutKeyframe = 0;
  let unattributed = 0;
  const all = bots.map((b) => b.stats());
  const now = Date.now();
  const mediaFrom = new Map(all.map((s) => [s.participantId, s.publishConnectedAt]));
  const perBot: { received: { packets: number; bytes: number } }[] = [];
  let forwardablePackets = 0;
  const videoLayers: Extract<BotReply, { type: 'stats' }>['videoLayers'] = {};
  const receivedPictureSizes: Record<string, number> = {};
  for (const [i, s] of all.entries()) {
    forwardablePackets += s.sent.video.packets + (mutedAudio.has(bots[i]!) ? 0 : s.sent.audio.packets);
    for (const [rid, layer] of Object.entries(s.sent.videoLayers)) {
      const sum = (videoLayers[rid] ??= { packets: 0, bytes: 0, keyframes: 0, pauses: 0, active: 0 });
      sum.packets += layer.packets;
      sum.bytes += layer.bytes;
      sum.keyframes += layer.keyframes;
      sum.pauses += layer.pauses;
      sum.active += layer.active ? 1 : 0;
    }
    const mine = { packets: 0, bytes: 0 };
    for (const remote of Object.values(s.remotes)) {
      mine.packets += remote.audio.packets + remote.video.packets;
      mine.bytes += remote.audio.bytes + remote.video.bytes;
      // Only pairs with video now: under last-N a pair that stopped keeps the size of its last keyframe.
      const size = (remote.video.lastPacketAt ?? 0) > now - 2000 ? remote.video.lastKeyframeSize : undefined;
      if (size) receivedPictureSizes[`${size.width}x${size.height}`] = (receivedPictureSizes[`${size.width}x${size.height}`] ?? 0) + 1;
    }
    perBot.push({ received: mine });
  }
  for (const s of all) {
    unattributed += s.unattributedPackets;
    for (const kind of ['audio', 'video'] as const) {
      sent[kind].packets += s.sent[kind].packets;
      sent[kind].bytes += s.sent[kind].bytes;
    }
    for (const other of all) {
      if (other === s) continue;
      const remote = s.remotes[other.participantId];
      for (const kind of ['audio', 'video'] as const) {
        received[kind].packets += remote?.[kind].packets ?? 0;
        received[kind].bytes += remote?.[kind].bytes ?? 0;
        received[kind].expected += remote?.[kind].expected ?? 0;
        received[kind].duplicates += remote?.[kind].duplicates ?? 0;
      }
      // From when both ends were there (receiver joining, sender's media reaching the SFU) to a decodable frame.
      const keyframeAt = remote?.video.firstKeyframeAt;
      const senderReady = mediaFrom.get(other.participantId);
      if (keyframeAt === undefined || senderReady === undefined) pairsWithoutKeyframe++;
      else firstFrameMs.push(keyframeAt - Math.max(s.joinStartedAt, senderReady));
    }
  }
  return {
    type: 'stats',
    received,
    sent,
    firstFrameMs,
    pairsWithoutKeyframe,
    unattributed,
    loopDelayMs: loopDelay(),
    perBot,
    forwardablePackets,
    videoLayers,
    receivedPictureSizes,
  };
}

async function leave(command: Extract<BotCommand, { type: 'leave' }>): Promise<BotReply> {
  const leaving = bots.filter((b) => command.room === undefined || roomOf.get(b) === command.room);
  for (const bot of leaving) {
    bots.splice(bots.indexOf(bot), 1);
    roomOf.delete(bot);
    mutedAudio.delete(bot);
  }
  await Promise.allSettled(leaving.map((b) => (command.abrupt ? b.close() : b.leave())));
  return { type: 'left' };
}

process.on('message', (command: BotCommand) => {
  const run =
    command.type === 'join' ? join(command) : command.type === 'join-class' ? joinClass(command) : command.type === 'leave' ? leave(command) : Promise.resolve(stats());
  run.then(reply, (error: unknown) => reply({ type: 'failed', error: String(error) }));
});
process.on('disconnect', () => {
  void Promise.allSettled(bots.map((b) => b.close())).then(() => process.exit(0));
});
