/**
 * Starts a real Confab server in this process for node tests: ephemeral
 * HTTP port, media bound to and advertised on 127.0.0.1 only, logs silent
 * unless TEST_LOG_LEVEL is set.
 */
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/config.js';
import { LOOPBACK_SERVER_ENV } from '../../src/config/loopback-env.js';
import { ConfabServer } from '../../src/server/confab-server.js';
import { createLogger } from '../../src/util/log.js';

export interface TestServer {
  readonly server: ConfabServer;
  readonly port: number;
  /** Base URL for bots, e.g. `http://127.0.0.1:40123/`. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * `logs`: collect the server's log lines (JSON, parsed) there, at LOG_LEVEL
 * info unless `env` says otherwise, for tests that count what a client makes
 * the server log.
 */
export async function startServer(env: Record<string, string> = {}, options: { logs?: Record<string, unknown>[] } = {}): Promise<TestServer> {
  const logs = options.logs;
  const config = loadConfig({
    ...LOOPBACK_SERVER_ENV,
    LOG_LEVEL: (logs ? 'info' : (process.env.TEST_LOG_LEVEL ?? 'silent')) as 'silent',
    // `MEDIA_WORKERS=1 npm run test:node`: the whole tier on one media worker (default: one per core).
    ...(process.env.MEDIA_WORKERS ? { MEDIA_WORKERS: process.env.MEDIA_WORKERS } : {}),
    ...env,
  });
  const sink = logs
    ? new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      })
    : process.stderr;
  const server = new ConfabServer(config, createLogger(config.logLevel, sink));
  const port = await server.start();
  return { server, port, url: `http://127.0.0.1:${port}/`, stop: () => server.close() };
}

/**
 * Polls until `check` returns true, or throws after `timeoutMs` naming `what`
 * (a function is evaluated at the timeout, to show the final state).
 */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
