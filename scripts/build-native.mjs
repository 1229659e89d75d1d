#!/usr/bin/env node
// Builds the optional native addons (native/srtp: SRTP through libsrtp2) at install time.
// Optional on purpose: without libsrtp2-dev (or a compiler) the build fails, this says so in one
// line, and the server uses werift's JavaScript SRTP instead (MEDIA_SRTP=auto), so
// `npm install && npm start` works on any machine. With it, SRTP costs ~5x less per packet.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../native/srtp/', import.meta.url));
if (process.env.CONFAB_SKIP_NATIVE === '1') process.exit(0);
if (!existsSync('/usr/include/srtp2/srtp.h')) {
  console.log('confab: libsrtp2-dev is not installed: media uses werift\'s JavaScript SRTP. For ~5x cheaper SRTP: apt-get install -y libsrtp2-dev && npm rebuild confab (or npm install again).');
  process.exit(0);
}
// npm puts its node-gyp on PATH for install scripts; outside npm, use npm's own copy.
// Build against the headers of the Node.js that runs us (no download: these machines are offline).
const prefix = dirname(dirname(process.execPath));
const nodedir = process.env.npm_config_nodedir ?? (existsSync(join(prefix, 'include/node/node_api.h')) ? prefix : undefined);
const args = ['rebuild', '--loglevel=warn', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const result = spawnSync('node-gyp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (result.status !== 0) {
  const why = result.error ? result.error.message : (result.stderr ?? '').split('\n').filter((l) => /error/i.test(l)).slice(0, 3).join(' | ');
  console.log(`confab: the libsrtp addon was not built (${why || `node-gyp exited with ${result.status}`}): media uses werift's JavaScript SRTP.`);
} else {
  console.log('confab: built the libsrtp addon (native/srtp): media is encrypted by libsrtp.');
}
process.exit(0);
