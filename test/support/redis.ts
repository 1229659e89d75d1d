/**
 * Debian's redis-server for cluster tests: a private instance on a free
 * loopback port, with no persistence (no RDB, no AOF, its own temporary
 * directory), stopped and started again on the same port to play a Redis
 * restart (which, without persistence, comes back empty).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './nginx.js';

export const REDIS_SERVER_PATH = '/usr/bin/redis-server';

export interface RunningRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, for REDIS_URL. */
  readonly url: string;
  /** Stops it (SIGTERM; SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory: for `after()`. */
  dispose(): Promise<void>;
  readonly running: boolean;
}

/** Resolves once something accepts TCP connections on the port (redis-server answers at once when it does). */
async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port}: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedis(): Promise<RunningRedis> {
  if (!existsSync(REDIS_SERVER_PATH)) throw new Error(`no redis-server at ${REDIS_SERVER_PATH}: apt-get install -y redis-server`);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'confab-redis-'));
  let child: ChildProcess | undefined;
  let output = '';
  const start = async (): Promise<void> => {
    output = '';
    const proc = spawn(
      REDIS_SERVER_PATH,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes', '--loglevel', 'warning'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child = proc;
    await waitForPort(port, proc, () => output);
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await once(proc, 'exit');
    clearTimeout(timer);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    get running() {
      return child !== undefined && child.exitCode === null;
    },
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
