/**
 * ICE_SERVERS_JSON as an operator meets it: a value the page would refuse
 * stops `confab serve` at start naming the key (issue 12: `[1, {"url":...}]`
 * used to load, and every page then hung on "connecting"); a good value
 * reaches clients in the welcome, where it parses with the page's schema.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { LOOPBACK_SERVER_ENV } from '../../src/config/loopback-env.js';
import { joinSilently } from '../support/class.js';
import { startServer } from '../support/server.js';

const exec = promisify(execFile);

test('a bad ICE_SERVERS_JSON stops the server at start, naming the key and each bad entry', { timeout: 60_000 }, async () => {
  const env = { ...process.env, ...LOOPBACK_SERVER_ENV, ICE_SERVERS_JSON: '[1, {"url":"stun:x"}]' };
  await assert.rejects(exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], { env, timeout: 30_000 }), (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 2);
    assert.match(e.stderr, /^confab: invalid configuration: config ICE_SERVERS_JSON: not a list of RTCIceServer as browsers take it: entry 0 must be an object/m);
    assert.match(e.stderr, /entry 1 has no 'urls': the key is 'urls'/);
    return true;
  });
});

test('good ICE servers reach the client in a welcome that parses', { timeout: 30_000 }, async () => {
  const servers = [{ urls: 'stun:stun.example.org:3478' }, { urls: ['turn:turn.example.org:3478'], username: 'u', credential: 'c' }];
  const server = await startServer({ ICE_SERVERS_JSON: JSON.stringify(servers) });
  try {
    // The bot's signaling client drops messages that do not parse: a welcome means it did.
    const { inbox } = await joinSilently(server.url, 'ice-check', 'Ada');
    assert.deepEqual(inbox.of('welcome')[0]?.iceServers, servers);
    await inbox.client.close();
  } finally {
    await server.stop();
  }
});
