/**
 * Everything the cluster keeps in Redis, and nothing else does. Keys (all
 * below `confab:`):
 *
 *   node:<id>        a node's NodeInfo (JSON), PX CLUSTER_LEASE_S, refreshed every third of it
 *   nodes            sorted set of node ids by last refresh (ms), to list the registry without SCAN
 *   lease:<room key> `<node id> <epoch>`: the room's host, PX CLUSTER_LEASE_S, renewed by the host
 *   epoch            the fencing counter (INCR): every claim of a lease gets a larger epoch
 *   state:<room key> the class's state (chat history, hands, lock, lobby, lecture mode, who was who),
 *                    written only under the current lease (room-state.ts)
 *   ended:<room key> when a moderator last ended the class in the room (ms), PX the rejoin tickets' grace:
 *                    the next host refuses tickets from before then, whichever replica issued them
 *   link-secret      a random secret the nodes authenticate their links with (SET NX by the first node)
 *
 * Lease changes are Lua scripts, so a claim, a renewal or a fenced write is
 * one atomic step in Redis. Commands fail fast while Redis is unreachable
 * (no offline queue, 2 s timeout): callers turn that into a retryable
 * `server_not_ready` for new joins, and running classes never wait on it.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { createClient as CreateClient } from 'redis';
import type { Secret } from '../../config/secret.js';
import type { Logger } from '../../util/log.js';
import { encodeLease, parseLease, parseNodeInfo, type Lease, type NodeInfo } from './node-info.js';

const PREFIX = 'confab:';
const NODE = `${PREFIX}node:`;
const NODES = `${PREFIX}nodes`;
const LEASE = `${PREFIX}lease:`;
const EPOCH = `${PREFIX}epoch`;
const STATE = `${PREFIX}state:`;
const ENDED = `${PREFIX}ended:`;
const LINK_SECRET = `${PREFIX}link-secret`;

/** A command that takes longer than this (a hung Redis) counts as Redis being unreachable. */
const COMMAND_TIMEOUT_MS = 2000;
/** Reconnects: 100 ms, doubling, at most every 2 s, forever: Redis coming back needs no restart of ours. */
const reconnectDelay = (retries: number): number => Math.min(100 * 2 ** retries, 2000);

/**
 * Claims a room's lease for ARGV[1], unless a live node holds it. A holder
 * whose registry entry is gone (it died, or shut down) loses the lease at
 * once rather than when the lease itself expires. Returns the lease as it
 * now is: ours, or the live holder's.
 */
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local holder = string.sub(cur, 1, string.find(cur, ' ', 1, true) - 1)
  if holder == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return cur
  end
  if redis.call('EXISTS', ARGV[3] .. holder) == 1 then return cur end
end
local value = ARGV[1] .. ' ' .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
return value`;

/** Renews each lease still ours at its epoch: 1 renewed, 0 lost (another node or epoch holds it), 2 missing. */
const RENEW = `
local out = {}
for i, key in ipairs(KEYS) do
  local cur = redis.call('GET', key)
  if cur == ARGV[i + 1] then
    redis.call('PEXPIRE', key, ARGV[1])
    out[i] = 1
  elseif cur then
    out[i] = 0
  else
    out[i] = 2
  end
end
return out`;

/** Deletes KEYS[1..] if the lease KEYS[1] is still ARGV[1] (ours, at our epoch). */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', unpack(KEYS))
  return 1
end
return 0`;

/** Writes KEYS[2] only under the lease KEYS[1] == ARGV[1]: a node that lost the room cannot overwrite its state. */
const FENCED_SET = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1`;

/**
 * node-redis is loaded when the first client is made, not when this module is: it costs ~12 MB
 * resident, and a server without REDIS_URL (the default) never needs it. (CommonJS, so a plain
 * synchronous require keeps ClusterStore's constructor synchronous.)
 */
function newClient(url: string) {
  const { createClient } = createRequire(import.meta.url)('redis') as { createClient: typeof CreateClient };
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: COMMAND_TIMEOUT_MS, reconnectStrategy: reconnectDelay },
  });
}

type Client = ReturnType<typeof newClient>;

export type RenewResult = 'renewed' | 'lost' | 'missing';

export class RedisUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedisUnavailableError';
  }
}

export class ClusterStore {
  readonly #client: Client;
  #closed = false;
  #wasReady = false;
  readonly #onReady: (() => void)[] = [];

  constructor(
    url: Secret,
    private readonly log: Logger,
  ) {
    this.#client = newClient(url.reveal());
    // Without a listener node-redis throws on errors; each one is a reconnect to come.
    this.#client.on('error', (error: unknown) => {
      if (this.#wasReady) log.warn({ err: error }, 'redis unreachable: running classes go on, new joins wait for it');
      this.#wasReady = false;
    });
    this.#client.on('ready', () => {
      log.info('redis connected');
      this.#wasReady = true;
      for (const listener of this.#onReady) listener();
    });
  }

  /**
   * Connects, and keeps reconnecting in the background: resolves once
   * connected or after `waitMs`, so the server starts (and later keeps its
   * running classes) whether Redis is there or not.
   */
  async start(waitMs = 3000): Promise<void> {
    const connected = this.#client.connect().then(
      () => undefined,
      (error: unknown) => {
        if (!this.#closed) this.log.warn({ err: error }, 'redis: first connection failed; retrying');
      },
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([connected, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    if (!this.available) this.log.warn({ waitedMs: waitMs }, 'redis not reachable yet: starting anyway; new joins are refused as server_not_ready until it is');
  }

  /** Connected and ready for commands. */
  get available(): boolean {
    return this.#client.isReady;
  }

  /** Runs whenever the connection (re)opens, e.g. to re-register after Redis restarted empty. */
  onReady(listener: () => void): void {
    this.#onReady.push(listener);
  }

  // ---- the node registry ----

  async publishNode(info: NodeInfo, ttlMs: number): Promise<void> {
    await this.run('publish node', (c) => c.multi().set(`${NODE}${info.id}`, JSON.stringify(info), { PX: ttlMs }).zAdd(NODES, { score: Date.now(), value: info.id }).exec());
  }

  async removeNode(id: string): Promise<void> {
    await this.run('remove node', (c) => c.multi().del(`${NODE}${id}`).zRem(NODES, id).exec());
  }

  /** Live nodes: those whose entry has not expired. Entries gone for a minute leave the index too. */
  async listNodes(): Promise<NodeInfo[]> {
    const ids = await this.run('list nodes', (c) => c.zRange(NODES, 0, -1));
    if (ids.length === 0) return [];
    const values = await this.run('read nodes', (c) => c.mGet(ids.map((id) => `${NODE}${id}`)));
    const gone = ids.filter((_, i) => values[i] === null);
    if (gone.length > 0) await this.run('trim nodes', (c) => c.zRemRangeByScore(NODES, 0, Date.now() - 60_000));
    return values.flatMap((v) => parseNodeInfo(v) ?? []);
  }

  async nodeInfo(id: string): Promise<NodeInfo | undefined> {
    return parseNodeInfo(await this.run('read node', (c) => c.get(`${NODE}${id}`)));
  }

  // ---- room leases ----

  async leaseOf(roomKey: string): Promise<Lease | undefined> {
    return parseLease(await this.run('read lease', (c) => c.get(`${LEASE}${roomKey}`)));
  }

  /** Claims the room for `nodeId` unless a live node holds it; returns the lease as it is now. */
  async claim(roomKey: string, nodeId: string, ttlMs: number): Promise<Lease> {
    const value = await this.run('claim lease', (c) => c.eval(CLAIM, { keys: [`${LEASE}${roomKey}`, EPOCH], arguments: [nodeId, String(ttlMs), NODE] }));
    const lease = parseLease(value as string);
    if (!lease) throw new Error(`claim of ${roomKey} returned ${String(value)}`);
    return lease;
  }

  /** Renews this node's leases in one round trip; a result per lease, in order. */
  async renew(leases: readonly { roomKey: string; lease: Lease }[], ttlMs: number): Promise<RenewResult[]> {
    if (leases.length === 0) return [];
    const reply = (await this.run('renew leases', (c) =>
      c.eval(RENEW, { keys: leases.map((l) => `${LEASE}${l.roomKey}`), arguments: [String(ttlMs), ...leases.map((l) => encodeLease(l.lease))] }),
    )) as number[];
    return reply.map((n) => (n === 1 ? 'renewed' : n === 0 ? 'lost' : 'missing'));
  }

  /** Gives the room up (it ended here, or the node stops) with its stored state, if the lease is still ours. */
  async release(roomKey: string, lease: Lease, { keepState = false }: { keepState?: boolean } = {}): Promise<void> {
    const keys = keepState ? [`${LEASE}${roomKey}`] : [`${LEASE}${roomKey}`, `${STATE}${roomKey}`];
    await this.run('release lease', (c) => c.eval(RELEASE, { keys, arguments: [encodeLease(lease)] }));
  }

  // ---- the class's state ----

  /** Stores the room's state if `lease` still holds it; false when it does not (the room moved on). */
  async saveState(roomKey: string, lease: Lease, json: string, ttlMs: number): Promise<boolean> {
    const n = await this.run('save room state', (c) =>
      c.eval(FENCED_SET, { keys: [`${LEASE}${roomKey}`, `${STATE}${roomKey}`], arguments: [encodeLease(lease), json, String(ttlMs)] }),
    );
    return n === 1;
  }

  async loadState(roomKey: string): Promise<string | undefined> {
    return (await this.run('load room state', (c) => c.get(`${STATE}${roomKey}`))) ?? undefined;
  }

  /** A moderator ended the class in the room at `at` (ms): kept `ttlMs`, for as long as its rejoin tickets could be. */
  async markEnded(roomKey: string, at: number, ttlMs: number): Promise<void> {
    await this.run('mark class ended', (c) => c.set(`${ENDED}${roomKey}`, String(at), { PX: ttlMs }));
  }

  /** When a moderator last ended a class in the room, if within the rejoin tickets' grace. */
  async endedAt(roomKey: string): Promise<number | undefined> {
    const value = await this.run('read class ended', (c) => c.get(`${ENDED}${roomKey}`));
    const at = value === null ? NaN : Number(value);
    return Number.isFinite(at) ? at : undefined;
  }

  // ---- links between nodes ----

  /** The secret node links are authenticated with: made by the first node to ask, shared by all. */
  async linkSecret(): Promise<string> {
    const mine = randomBytes(32).toString('base64url');
    await this.run('link secret', (c) => c.set(LINK_SECRET, mine, { NX: true }));
    const secret = await this.run('link secret', (c) => c.get(LINK_SECRET));
    if (!secret) throw new RedisUnavailableError('the link secret vanished from redis');
    return secret;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#client.isOpen) await this.#client.close().catch(() => undefined);
    else this.#client.destroy();
  }

  /** One command, failing with RedisUnavailableError when Redis is not there or does not answer in time. */
  private async run<T>(what: string, command: (client: Client) => Promise<T>): Promise<T> {
    if (!this.#client.isReady) throw new RedisUnavailableError(`redis is unreachable (${what})`);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        command(this.#client),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new RedisUnavailableError(`redis did not answer within ${COMMAND_TIMEOUT_MS} ms (${what})`)), COMMAND_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      if (error instanceof RedisUnavailableError) throw error;
      throw new RedisUnavailableError(`redis failed (${what}): ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
