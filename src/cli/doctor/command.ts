/**
 * `confab doctor <public-url>`: checks, from wherever it runs (an operator's
 * laptop, a pod in the cluster), everything a participant needs from that
 * URL, and names what is broken and the likely fix. See runner.ts for the
 * order and each group's file for its checks.
 */
import { parseDoctorArgs, USAGE, UsageError } from './args.js';
import { header, jsonReport, linePrinter, summary } from './printer.js';
import { exitCode, runDoctor } from './runner.js';

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/** Runs `confab doctor ...`; resolves with the exit code. */
export async function doctorCommand(args: string[], io: Io): Promise<number> {
  if (args.includes('--help') || args.includes('-h') || args[0] === 'help') {
    io.out(USAGE);
    return 0;
  }
  let options;
  try {
    options = parseDoctorArgs(args, io.env);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`confab doctor: ${error.message}`);
      io.err(USAGE);
      return 2;
    }
    throw error;
  }
  const startedAt = Date.now();
  if (!options.json) io.out(header(options));
  const line = linePrinter(options);
  const results = await runDoctor(options, options.json ? undefined : (r) => io.out(line(r)));
  const code = exitCode(results);
  io.out(options.json ? jsonReport(options, results, startedAt, code) : summary(results));
  return code;
}
