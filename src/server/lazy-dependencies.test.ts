/**
 * What the default server (one process, no Redis) keeps resident matters (issue 13: RSS at
 * 8 participants): libraries only some setups need are loaded when those setups start.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

test('importing the server loads neither node-redis (~12 MB, cluster mode only) nor werift\'s certificate library (~10 MB)', async () => {
  await import('./confab-server.js');
  const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => /node_modules\/(redis|@redis|@peculiar\/x509)\//.test(path));
  assert.deepEqual(loaded, []);
});
