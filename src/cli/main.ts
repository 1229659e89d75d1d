#!/usr/bin/env node
/**
 * The `confab` command. `confab serve` (the default) runs the server;
 * `confab token` signs or verifies Jitsi-style tokens (see token.ts);
 * `confab doctor <public-url>` checks a deployment end to end (see doctor/).
 */
import { ConfigError, loadConfig } from '../config/config.js';
import { ConfabServer } from '../server/confab-server.js';
import { createLogger } from '../util/log.js';
import { doctorCommand } from './doctor/command.js';
import { tokenCommand } from './token.js';

async function serve(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`confab: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const server = new ConfabServer(config, log);
  // Installed before start(): a signal while starting (a pod deleted at once) still ends in exit 0.
  // SIGTERM (Kubernetes, docker stop) drains: classes in progress finish first. SIGINT (Ctrl-C)
  // stops at once, and either signal during a drain cuts it short.
  let drain: AbortController | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    if (drain) {
      drain.abort();
      return;
    }
    drain = new AbortController();
    const timeoutMs = signal === 'SIGTERM' ? config.drainTimeoutMs : 0;
    log.info({ signal, drainTimeoutS: timeoutMs / 1000 }, 'shutting down');
    server.drain({ timeoutMs, signal: drain.signal }).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    await server.start();
  } catch (error) {
    if (drain) return; // stopped while starting: stop() exits
    log.fatal({ err: error }, `cannot listen on ${config.httpHost}:${config.httpPort}`);
    process.exit(1);
  }
}

async function token(args: string[]): Promise<void> {
  try {
    process.exitCode = await tokenCommand(args, {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
      env: process.env,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`confab: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

const [command = 'serve', ...rest] = process.argv.slice(2);
switch (command) {
  case 'serve':
    await serve();
    break;
  case 'token':
    await token(rest);
    break;
  case 'doctor':
    process.exitCode = await doctorCommand(rest, {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
      env: process.env,
    });
    // Bots' sockets and timers must not keep the process alive after the report.
    setTimeout(() => process.exit(), 200).unref();
    break;
  default:
    process.stderr.write(`confab: unknown command '${command}'. Commands: serve, token, doctor\n`);
    process.exit(2);
}
