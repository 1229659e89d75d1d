import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebhookConfig } from '../../config/config.js';
import { Secret } from '../../config/secret.js';
import { LocalRoomRegistry } from '../../conference/room-registry.js';
import { roomAddress } from '../../protocol/room-name.js';
import { createLogger } from '../../util/log.js';
import type { Poster } from './dispatcher.js';
import { WebhookOutbox } from './webhook-outbox.js';

const dir = mkdtempSync(join(tmpdir(), 'confab-webhook-outbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const log = createLogger('silent');

const settings = (name: string, over: Partial<WebhookConfig> = {}): WebhookConfig => ({
  urls: ['http://receiver.test/a', 'http://receiver.test/b'],
  secret: new Secret('s'),
  outboxPath: join(dir, name, 'outbox.sqlite'),
  timeoutMs: 1_000,
  concurrency: 2,
  retryMinMs: 10,
  retryMaxMs: 50,
  retryForMs: 60_000,
  ...over,
});

describe('WebhookOutbox', () => {
  test('records a class for every URL, sends it, and closes with an empty outbox', async () => {
    const sent: string[] = [];
    const post: Poster = async (url, _body, headers) => {
      sent.push(`${url.slice(-1)} ${headers['x-confab-event']}`);
      return 200;
    };
    const outbox = new WebhookOutbox(settings('ok'), log, { userAgent: 'test', post });
    const registry = new LocalRoomRegistry({ maxParticipants: 5 });
    outbox.attach(registry);
    outbox.start();
    registry.getOrCreate(roomAddress('r')).join({ displayName: 'A' }).close();
    await outbox.close();
    assert.deepEqual(sent.filter((s) => s.startsWith('a')), ['a room_started', 'a participant_joined', 'a participant_left', 'a room_finished']);
    assert.equal(sent.length, 8);
    assert.equal(outbox.store.open, false);
  });

  test('a failing outbox write does not fail the join or leave that caused it', () => {
    const outbox = new WebhookOutbox(settings('full'), log, { userAgent: 'test', post: async () => 200 });
    const registry = new LocalRoomRegistry({ maxParticipants: 5 });
    outbox.attach(registry);
    outbox.store.enqueue = () => {
      throw new Error('SQLITE_FULL: database or disk is full');
    };
    const p = registry.getOrCreate(roomAddress('r')).join({ displayName: 'A' });
    p.close();
    assert.equal(registry.size, 0);
    outbox.store.close();
  });

  test('an unwritable outbox path fails at construction, naming the key', () => {
    assert.throws(() => new WebhookOutbox(settings('x', { outboxPath: '/dev/null/outbox.sqlite' }), log, { userAgent: 'test' }), /WEBHOOK_OUTBOX_PATH='\/dev\/null\/outbox.sqlite'/);
  });
});
