/**
 * The reference peer the benchmark compares against: Debian's Janus 1.1.2
 * VideoRoom under the same load (N werift bots in one room, each publishing
 * ~500 kbit/s VP8-like video + Opus and subscribing to all others, loopback
 * only), measured by its own script. Only figures taken in one sitting are
 * compared (these machines are shared and noisy).
 *
 * The script lives outside this repository (the workplace's shared peers,
 * `../shared/peers/janus/run.sh` next to the checkout, or JANUS_PEER); it
 * prints `MEASURE {json}` with `janusCpuPctPer1kPktS` and `janusRssMB`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface PeerFigures {
  readonly cpuPercentPer1000ForwardedPacketsPerSecond: number;
  readonly rssMb: number;
  /** Everything the peer's script printed, as is. */
  readonly raw: Record<string, unknown>;
}

/** Where the peer's script is: JANUS_PEER, or the shared peers folder beside the checkout. */
export function peerScript(name: string): string {
  if (name !== 'janus') throw new Error(`unknown peer '${name}': the benchmark knows janus`);
  const beside = fileURLToPath(new URL('../../shared/peers/janus/run.sh', import.meta.url.replace('/dist/bench/', '/bench/')));
  return process.env.JANUS_PEER ?? beside;
}

export function runPeer(name: string, participants: number, measureS: number, warmupS: number): Promise<PeerFigures> {
  const script = peerScript(name);
  if (!existsSync(script)) return Promise.reject(new Error(`no ${name} peer script at ${script} (set JANUS_PEER)`));
  return new Promise((resolve, reject) => {
    execFile('bash', [script, String(participants), '500', String(measureS), String(warmupS)], { timeout: 180_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => {
      const line = stdout.split('\n').find((l) => l.startsWith('MEASURE '));
      if (!line) return reject(new Error(`${name} printed no MEASURE line${error ? `: ${error.message}` : ''}`));
      const raw = JSON.parse(line.slice('MEASURE '.length)) as Record<string, unknown>;
      const cpu = Number(raw.janusCpuPctPer1kPktS);
      const rss = Number(raw.janusRssMB);
      if (!Number.isFinite(cpu) || !Number.isFinite(rss)) return reject(new Error(`${name}'s MEASURE line lacks janusCpuPctPer1kPktS/janusRssMB: ${line}`));
      resolve({ cpuPercentPer1000ForwardedPacketsPerSecond: cpu, rssMb: rss, raw });
    });
  });
}
