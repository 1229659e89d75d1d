/**
 * Debian's coturn on loopback, with TURN REST (shared secret) auth, for
 * tests where browsers are forced to relay their media through TURN.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './nginx.js';

export const TURNSERVER_PATH = '/usr/bin/turnserver';

export interface RunningTurn {
  readonly port: number;
  readonly secret: string;
  readonly logs: string[];
  stop(): Promise<void>;
}

/** `port`: a fixed listening port (to restart a TURN server where clients expect it); default: a free one. */
export async function startCoturn(secret = 'test-turn-secret-0123456789abcdef', fixedPort?: number): Promise<RunningTurn> {
  if (!existsSync(TURNSERVER_PATH)) throw new Error(`no coturn at ${TURNSERVER_PATH}: apt-get install -y coturn`);
  const port = fixedPort ?? (await freePort());
  const relayMin = 40000 + Math.floor(Math.random() * 10000);
  const child: ChildProcess = spawn(
    TURNSERVER_PATH,
    [
      '-n', // no config file
      '--listening-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--relay-ip=127.0.0.1',
      `--min-port=${relayMin}`,
      `--max-port=${relayMin + 200}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=confab.test',
      // Our SFU is on loopback in tests; coturn refuses loopback peers unless told.
      '--allow-loopback-peers',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--no-multicast-peers',
      `--pidfile=${join(tmpdir(), `confab-turn-${port}.pid`)}`,
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: string[] = [];
  const collect = (d: Buffer): void => void logs.push(...d.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const deadline = Date.now() + 5000;
  while (!logs.some((l) => /listener opened on|Total General servers|IO method/.test(l))) {
    if (child.exitCode !== null) throw new Error(`coturn exited:\n${logs.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`coturn did not start:\n${logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 300));
  return {
    port,
    secret,
    logs,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}
