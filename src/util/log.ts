/** Structured logs (pino, JSON lines). Children carry room and participant ids. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'confab' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Never let a token or secret reach a log line, whatever a caller passes.
      redact: { paths: ['token', '*.token', 'secret', '*.secret', 'jwt', '*.jwt'], censor: '[redacted]' },
    },
    destination ?? process.stdout,
  );
}
