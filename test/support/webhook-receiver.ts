/**
 * A webhook receiver on loopback for tests, as a class platform would run
 * one: checks each request's signature with node:crypto (not Confab's
 * signer), and can be told to fail (503) or to stop listening for a while.
 */
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface ReceivedEvent {
  readonly id: string;
  readonly type: string;
  readonly room: string;
  readonly tenant: string | null;
  readonly roomKey: string;
  readonly roomSessionId: string;
  readonly sequence: number;
  readonly occurredAt: string;
  readonly participant?: { id: string; displayName: string; role: string; joinedAt: string; user: { id: string | null; name: string | null; email: string | null } | null };
  readonly reason?: string;
  readonly previousRole?: string;
  readonly durationS?: number;
  readonly participantsJoined?: number;
}

export interface Received {
  readonly event: ReceivedEvent;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly signatureValid: boolean;
}

/** HMAC-SHA256 of the raw body, compared in constant time: what a receiver should do. */
export function verifySignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export class WebhookReceiver {
  /** Accepted requests, in the order they were accepted (retries of one event may repeat). */
  readonly accepted: Received[] = [];
  /** Every request that arrived, including refused ones. */
  requests = 0;
  /** 'accept': 204; 'unavailable': 503 without looking. */
  mode: 'accept' | 'unavailable' = 'accept';
  #server: Server | undefined;
  #port = 0;

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.#port}/hooks/confab?source=test`;
  }

  /** Listens (again, on the same port after `stop`). */
  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests += 1;
        if (this.mode === 'unavailable') {
          res.writeHead(503).end('try later');
          return;
        }
        const raw = Buffer.concat(chunks);
        const signatureValid = verifySignature(this.secret, raw, req.headers['x-confab-signature'] as string | undefined);
        const body = raw.toString('utf8');
        this.accepted.push({ event: JSON.parse(body) as ReceivedEvent, headers: req.headers, body, signatureValid });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.#port = typeof address === 'object' && address ? address.port : 0;
    this.#server = server;
  }

  /** Stops listening: connections are refused until `listen()`. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepted events, each id once (receivers dedupe by id), in first-acceptance order. */
  events(filter: (e: ReceivedEvent) => boolean = () => true): ReceivedEvent[] {
    const seen = new Set<string>();
    return this.accepted.map((r) => r.event).filter((e) => filter(e) && !seen.has(e.id) && seen.add(e.id));
  }
}

/** `participant_left Ada left`: type, name and reason, for readable assertions. */
export const label = (e: ReceivedEvent): string => `${e.type}${e.participant ? ` ${e.participant.displayName}` : ''}${e.reason ? ` ${e.reason}` : ''}`;

/** Each room session's events arrived as sequence 1, 2, 3... with none missing or out of order. */
export function assertInOrder(events: readonly ReceivedEvent[]): void {
  const bySession = new Map<string, number[]>();
  for (const e of events) bySession.set(e.roomSessionId, [...(bySession.get(e.roomSessionId) ?? []), e.sequence]);
  for (const [session, seqs] of bySession) {
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), `session ${session} arrived as ${seqs.join(',')}`);
  }
}
