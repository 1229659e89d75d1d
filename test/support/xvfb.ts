/**
 * A virtual X display (Debian's xvfb) for browsers that need a screen: a
 * headful Firefox shares that screen with getDisplayMedia, which a headless
 * one cannot (NotFoundError). Started and stopped by the test that uses it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export const XVFB_PATH = '/usr/bin/Xvfb';

export interface RunningXvfb {
  /** For DISPLAY, e.g. `:93`. */
  readonly display: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export async function startXvfb(): Promise<RunningXvfb> {
  if (!existsSync(XVFB_PATH)) throw new Error(`no Xvfb at ${XVFB_PATH}: run 'apt-get install -y xvfb' (npm test tries this itself)`);
  const n = [...Array(40).keys()].map((i) => 90 + i).find((i) => !existsSync(`/tmp/.X11-unix/X${i}`) && !existsSync(`/tmp/.X${i}-lock`));
  if (n === undefined) throw new Error('no free X display number in :90-:129');
  const child = spawn(XVFB_PATH, [`:${n}`, '-screen', '0', '1280x720x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!existsSync(`/tmp/.X11-unix/X${n}`)) {
    if (child.exitCode !== null) throw new Error(`Xvfb :${n} exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`Xvfb :${n} did not start within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    display: `:${n}`,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
