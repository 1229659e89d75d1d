/**
 * The SFU under benchmark: the real ConfabServer in its own process, with
 * an IPC channel to the runner instead of a public stats endpoint. The
 * runner reads CPU and RSS of this process from /proc.
 */
import { loadConfig } from '../src/config/config.js';
import { mediaStats } from '../src/media/media-stats.js';
import { ConfabServer } from '../src/server/confab-server.js';
import { createLogger } from '../src/util/log.js';
import { loopDelayMeter, type ServerChildMessage } from './ipc.js';

const loopDelay = loopDelayMeter();
const send = (message: ServerChildMessage): void => void process.send?.(message);

const config = loadConfig(process.env);
const server = new ConfabServer(config, createLogger(config.logLevel, process.stderr));
const port = await server.start();
send({ type: 'ready', port });

process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') {
    const mediaSessions = Object.values(server.media.sessionCounts()).reduce((a, b) => a + b, 0);
    send({ type: 'stats', media: { ...mediaStats }, participants: server.gateway.participantCount(), mediaSessions, loopDelayMs: loopDelay() });
  } else if (message.type === 'stop') {
    void server.close().then(() => process.exit(0));
  }
});
// The runner going away must not leave an SFU behind.
process.on('disconnect', () => process.exit(0));
