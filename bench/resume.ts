/**
 * Session resume cost, from a client's point of view: a participant joins
 * next to a watcher, its connection is cut (terminate: no close frame),
 * the watcher posts a chat message meanwhile, and a new connection resumes.
 * Measures drop -> `resumed` (what a page waits after noticing the drop,
 * including the new WebSocket's handshake) and whether the missed message
 * arrived. Raw signaling clients, no media: this is the signaling path only.
 */
import { SignalingClient, signalingUrl } from '../src/bot/index.js';
import { PROTOCOL_VERSION, type ServerMessage } from '../src/protocol/messages.js';
import { median, percentile } from './proc.js';

const CYCLES = 30;

async function once(url: string, room: string): Promise<{ ms: number; replayed: boolean }> {
  const ws = signalingUrl(url);
  const hello = (name: string) => ({ type: 'hello' as const, protocolVersion: PROTOCOL_VERSION, room, displayName: name });
  const watcher = await SignalingClient.connect(ws);
  const joinedW = watcher.waitFor('welcome');
  watcher.send(hello('watcher'));
  await joinedW;
  const ada = await SignalingClient.connect(ws);
  let received = 0;
  ada.on('message', (m) => m.type !== 'pong' && received++);
  const welcomed = ada.waitFor('welcome');
  ada.send(hello('ada'));
  const welcome = await welcomed;
  ada.socket.terminate();
  const droppedAt = performance.now();
  watcher.send({ type: 'chat-send', text: `missed ${room}` });
  const back = await SignalingClient.connect(ws);
  const seen: ServerMessage[] = [];
  back.on('message', (m) => seen.push(m));
  const resumed = back.waitFor('resumed');
  back.send({ ...hello('ada'), resume: { participantId: welcome.participantId, secret: welcome.resumeSecret ?? '', received } });
  await resumed;
  const ms = performance.now() - droppedAt;
  // The missed chat is replayed right after `resumed` (or arrives live if the drop was not noticed yet).
  const deadline = Date.now() + 2000;
  while (!seen.some((m) => m.type === 'chat' && !m.history) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const replayed = seen.some((m) => m.type === 'chat' && m.messages.some((c) => c.text === `missed ${room}`));
  await back.close();
  await watcher.close();
  return { ms, replayed };
}

export async function measureResume(url: string): Promise<Record<string, unknown>> {
  const times: number[] = [];
  let replayed = 0;
  for (let i = 0; i < CYCLES; i++) {
    const r = await once(url, `bench-resume-${i}`);
    times.push(r.ms);
    if (r.replayed) replayed++;
  }
  const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);
  return {
    cycles: CYCLES,
    dropToResumedMs: { median: round(median(times)), p95: round(percentile(times, 95)), max: round(Math.max(...times)) },
    missedMessageReplayed: `${replayed}/${CYCLES}`,
  };
}
