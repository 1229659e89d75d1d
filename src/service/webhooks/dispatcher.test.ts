import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Secret } from '../../config/secret.js';
import { createLogger } from '../../util/log.js';
import { WebhookDispatcher, type DispatcherSettings, type Poster } from './dispatcher.js';
import { OutboxStore } from './outbox-store.js';

const log = createLogger('silent');
const URL_A = 'http://receiver.test/hook';
const settings = (over: Partial<DispatcherSettings> = {}): DispatcherSettings => ({
  secret: new Secret('s'),
  concurrency: 4,
  timeoutMs: 1_000,
  backoff: { minMs: 10, maxMs: 40 },
  retryForMs: 60_000,
  userAgent: 'test',
  ...over,
});

let n = 0;
function enqueue(store: OutboxStore, room: string, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${room}-${++n}`;
    store.enqueue({ id, type: 't', orderKey: room, body: JSON.stringify({ id }), occurredAt: Date.now() }, [URL_A], Date.now());
    ids.push(id);
  }
  return ids;
}

const idOf = (headers: Record<string, string>): string => headers['x-confab-event-id']!;

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('WebhookDispatcher', () => {
  test("a room's events go in order through failures; other rooms are not held up", async () => {
    const store = new OutboxStore(':memory:');
    const accepted: string[] = [];
    const failuresLeft = new Map<string, number>();
    const post: Poster = async (_url, _body, headers) => {
      const id = idOf(headers);
      const left = failuresLeft.get(id) ?? 0;
      if (left > 0) {
        failuresLeft.set(id, left - 1);
        if (left % 2 === 0) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
        return 503;
      }
      accepted.push(id);
      return 204;
    };
    const maths = enqueue(store, 'maths', 3);
    const physics = enqueue(store, 'physics', 2);
    failuresLeft.set(maths[0]!, 3);
    const d = new WebhookDispatcher(store, settings(), log, post);
    d.start();
    await until(() => accepted.length === 5, 'all five accepted');
    assert.deepEqual(accepted.filter((id) => id.startsWith('maths')), maths);
    assert.deepEqual(accepted.filter((id) => id.startsWith('physics')), physics);
    assert.ok(accepted.indexOf(physics[1]!) < accepted.indexOf(maths[0]!), 'physics finished while maths retried');
    assert.equal(store.pending, 0);
    await d.stop();
    store.close();
  });

  test('at most `concurrency` requests at once', async () => {
    const store = new OutboxStore(':memory:');
    for (let r = 0; r < 10; r++) enqueue(store, `room-${r}`, 2);
    let now = 0;
    let peak = 0;
    const post: Poster = async () => {
      peak = Math.max(peak, ++now);
      await new Promise((r) => setTimeout(r, 10));
      now -= 1;
      return 200;
    };
    const d = new WebhookDispatcher(store, settings({ concurrency: 3 }), log, post);
    d.start();
    await until(() => store.pending === 0, 'all delivered');
    assert.equal(peak, 3);
    await d.stop();
    store.close();
  });

  test('no answer within the timeout is a failure, retried', async () => {
    const store = new OutboxStore(':memory:');
    const [id] = enqueue(store, 'r', 1);
    const attempts: number[] = [];
    const post: Poster = (_u, _b, headers, signal) => {
      attempts.push(Number(headers['x-confab-delivery-attempt']));
      if (attempts.length > 1) return Promise.resolve(200);
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    };
    const d = new WebhookDispatcher(store, settings({ timeoutMs: 50 }), log, post);
    d.start();
    await until(() => store.pending === 0, `${id} delivered`);
    assert.deepEqual(attempts, [1, 2]);
    await d.stop();
    store.close();
  });

  test('a redirect is not an acceptance', async () => {
    const store = new OutboxStore(':memory:');
    enqueue(store, 'r', 1);
    const statuses = [302, 500, 200];
    const d = new WebhookDispatcher(store, settings(), log, async () => statuses.shift()!);
    d.start();
    await until(() => store.pending === 0, 'delivered');
    assert.deepEqual(statuses, []);
    await d.stop();
    store.close();
  });

  test('after retrying too long an event is given up on and the room goes on', async () => {
    const store = new OutboxStore(':memory:');
    const [stuck, next] = enqueue(store, 'r', 2);
    const accepted: string[] = [];
    const post: Poster = async (_u, _b, headers) => {
      if (idOf(headers) === stuck) return 500;
      accepted.push(idOf(headers));
      return 200;
    };
    const d = new WebhookDispatcher(store, settings({ retryForMs: 60 }), log, post);
    d.start();
    await until(() => accepted.length === 1, 'the next event');
    assert.deepEqual(accepted, [next]);
    assert.equal(store.pending, 0);
    await d.stop();
    store.close();
  });

  test('stop() aborts requests in flight; flush() returns once nothing is due', async () => {
    const store = new OutboxStore(':memory:');
    enqueue(store, 'hangs', 1);
    enqueue(store, 'fails', 1);
    const post: Poster = (_u, body, _h, signal) =>
      body.includes('fails') ? Promise.resolve(503) : new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const d = new WebhookDispatcher(store, settings({ backoff: { minMs: 60_000, maxMs: 60_000 } }), log, post);
    d.start();
    const t0 = Date.now();
    await d.flush(200);
    assert.ok(Date.now() - t0 >= 150, 'flush waited for the hanging request until its deadline');
    assert.equal(d.inFlight, 1);
    await d.stop();
    assert.equal(d.inFlight, 0);
    assert.equal(store.pending, 2, 'both stay in the outbox');
    store.close();
  });
});
