/**
 * Runs `confab doctor` as a child process, the way an operator does, and
 * returns its exit code and output lines.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface DoctorRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout lines. */
  readonly lines: string[];
  /** The line of a check, e.g. line('websocket') -> '  FAIL  websocket  ...'. */
  line(name: string): string;
}

/** `confab doctor <args>` from the sources (tsx), so the test needs no fresh build. */
export function runDoctor(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<DoctorRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'doctor', ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (error && code === -1) return reject(new Error(`doctor did not finish: ${error.message}\n${stdout}\n${stderr}`));
        const lines = stdout.split('\n').filter((l) => l !== '');
        const line = (name: string): string => lines.find((l) => new RegExp(`^  (PASS|FAIL|WARN|SKIP)  ${name} `).test(l)) ?? `(no '${name}' line in:\n${stdout}${stderr})`;
        resolve({ code, stdout, stderr, lines, line });
      },
    );
  });
}
