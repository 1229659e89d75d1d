/**
 * The durable outbox: one SQLite row per (event, webhook URL) until the URL
 * has accepted it. better-sqlite3 is synchronous, so an event is on disk
 * before the domain event that caused it returns, and a restart (or a
 * crash) loses nothing that was recorded.
 *
 * Ordering: rows get an increasing `seq`; for one (target, order key = room)
 * only the lowest pending row is ever handed out (the "head"), so event N+1
 * of a room is not sent before N was accepted or given up on. Other rooms
 * have their own heads and are not held up.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface OutboxEntry {
  readonly id: string;
  readonly type: string;
  /** Events with the same key are delivered in order (the room key). */
  readonly orderKey: string;
  /** The exact bytes sent (and signed) on every attempt. */
  readonly body: string;
  /** Event time, ms since 1970 (the timestamp header). */
  readonly occurredAt: number;
}

export interface Delivery extends OutboxEntry {
  readonly seq: number;
  readonly target: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly createdAt: number;
}

interface Row {
  seq: number;
  event_id: string;
  target: string;
  order_key: string;
  type: string;
  body: string;
  occurred_at: number;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  target TEXT NOT NULL,
  order_key TEXT NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed')),
  last_error TEXT,
  UNIQUE (event_id, target)
);
CREATE INDEX IF NOT EXISTS deliveries_heads ON deliveries (status, target, order_key, seq);
`;

const toDelivery = (r: Row): Delivery => ({
  seq: r.seq,
  id: r.event_id,
  target: r.target,
  orderKey: r.order_key,
  type: r.type,
  body: r.body,
  occurredAt: r.occurred_at,
  createdAt: r.created_at,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
});

export class OutboxStore {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #heads: Database.Statement<[], Row>;
  readonly #delete: Database.Statement;
  readonly #retry: Database.Statement;
  readonly #giveUp: Database.Statement;
  readonly #backlog: Database.Statement<[], { pending: number; failed: number; oldest: number | null }>;

  /** Opens (creating the file and its folder if missing) the outbox at `path`; ':memory:' for tests. */
  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    // WAL with synchronous=NORMAL: a committed row survives a process crash or restart, and a commit
    // does not wait for fsync on the event loop that also forwards media.
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    this.#insert = this.#db.prepare(
      `INSERT OR IGNORE INTO deliveries (event_id, target, order_key, type, body, occurred_at, created_at, next_attempt_at)
       VALUES (@id, @target, @orderKey, @type, @body, @occurredAt, @now, @now)`,
    );
    this.#heads = this.#db.prepare(
      `SELECT d.* FROM deliveries d
       JOIN (SELECT MIN(seq) AS seq FROM deliveries WHERE status = 'pending' GROUP BY target, order_key) h ON h.seq = d.seq
       ORDER BY d.next_attempt_at, d.seq`,
    );
    this.#delete = this.#db.prepare('DELETE FROM deliveries WHERE seq = ?');
    this.#retry = this.#db.prepare('UPDATE deliveries SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ?');
    this.#giveUp = this.#db.prepare("UPDATE deliveries SET status = 'failed', attempts = ?, last_error = ? WHERE seq = ?");
    this.#backlog = this.#db.prepare(
      "SELECT SUM(status = 'pending') AS pending, SUM(status = 'failed') AS failed, MIN(CASE WHEN status = 'pending' THEN created_at END) AS oldest FROM deliveries",
    );
  }

  /** Records an event for each target, in one transaction. */
  enqueue(entry: OutboxEntry, targets: readonly string[], now: number): void {
    this.#db.transaction(() => {
      for (const target of targets) this.#insert.run({ ...entry, target, now });
    })();
  }

  /** The oldest pending delivery of every (target, room), soonest due first. */
  heads(): Delivery[] {
    return this.#heads.all().map(toDelivery);
  }

  delivered(seq: number): void {
    this.#delete.run(seq);
  }

  retryLater(seq: number, attempts: number, nextAttemptAt: number, error: string): void {
    this.#retry.run(attempts, nextAttemptAt, error.slice(0, 500), seq);
  }

  /** Kept in the table as 'failed' (for an operator to inspect), no longer blocking its room. */
  giveUp(seq: number, attempts: number, error: string): void {
    this.#giveUp.run(attempts, error.slice(0, 500), seq);
  }

  /** A restart is a good moment to try again: waiting deliveries become due now. */
  makeAllDue(now: number): void {
    this.#db.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE status = 'pending' AND next_attempt_at > ?").run(now, now);
  }

  /**
   * Deliveries queued for URLs no longer configured are given up on (kept as 'failed'): an operator
   * who removed a URL does not want it retried for a day. Returns how many.
   */
  abandonTargetsExcept(targets: readonly string[]): number {
    const keep = new Set(targets);
    const stale = this.#db.prepare("SELECT DISTINCT target FROM deliveries WHERE status = 'pending'").all() as { target: string }[];
    let n = 0;
    for (const { target } of stale) {
      if (keep.has(target)) continue;
      n += this.#db.prepare("UPDATE deliveries SET status = 'failed', last_error = 'URL no longer in WEBHOOK_URL' WHERE status = 'pending' AND target = ?").run(target).changes;
    }
    return n;
  }

  get pending(): number {
    return this.backlog().pending;
  }

  /** For metrics: deliveries waiting, given up on (kept), and when the oldest waiting one was queued (ms), if any. */
  backlog(): { pending: number; failed: number; oldestPendingAt: number | undefined } {
    const row = this.#backlog.get()!;
    return { pending: row.pending ?? 0, failed: row.failed ?? 0, oldestPendingAt: row.oldest ?? undefined };
  }

  get open(): boolean {
    return this.#db.open;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
