/**
 * HTTP long-polling signaling under `<base>signaling/lp`, for clients whose
 * WebSocket cannot get through. The envelope (POST to send, GET to receive,
 * `sid` and `ack`) is defined in src/protocol/long-poll.ts; here a POST
 * without a session opens one, and a session whose client stopped polling
 * for two ping intervals is gone, as with a WebSocket's missed pongs.
 * The session id is a random 128-bit bearer secret. A closed session is
 * forgotten CLOSED_LINGER_MS later, whether or not its client keeps polling.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfabError } from '../protocol/errors.js';
import { LONG_POLL_QUERY, MAX_POST_BYTES, postMessages, type OpenAnswer } from '../protocol/long-poll.js';
import type { SignalingConnection } from '../service/signaling-connection.js';
import { clientAddress } from './client-address.js';
import { LongPollChannel } from './longpoll-channel.js';
import { sendError, sendJson } from './routes.js';

/** A closed session answers polls (with its `closed`) this long, then is gone (404). */
export const CLOSED_LINGER_MS = 5000;

export class LongPollTransport {
  readonly #sessions = new Map<string, { channel: LongPollChannel; connection: SignalingConnection }>();
  readonly #sweep: NodeJS.Timeout;

  constructor(
    private readonly deadAfterMs: number,
    private readonly connect: (channel: LongPollChannel) => SignalingConnection,
  ) {
    this.#sweep = setInterval(() => this.sweep(), 1000);
    this.#sweep.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const sid = url.searchParams.get(LONG_POLL_QUERY.session);
    if (req.method === 'GET') {
      const entry = sid ? this.#sessions.get(sid) : undefined;
      if (!entry) return this.unknown(res, sid);
      entry.channel.poll(Number(url.searchParams.get(LONG_POLL_QUERY.ack) ?? 0) || 0, res);
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST');
      return sendError(res, new ConfabError('method_not_allowed', `${req.method} is not allowed on ${url.pathname}`));
    }
    let entry = sid ? this.#sessions.get(sid) : undefined;
    if (sid && !entry) return this.unknown(res, sid);
    const body = await readBody(req, MAX_POST_BYTES);
    if (body === undefined) {
      entry?.channel.close('message_too_large', `long-poll request body exceeds ${MAX_POST_BYTES} bytes`);
      return sendError(res, new ConfabError('message_too_large', `long-poll request body exceeds ${MAX_POST_BYTES} bytes`));
    }
    if (!entry) {
      const id = randomBytes(16).toString('base64url');
      const remote = `lp ${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
      const channel = new LongPollChannel(id, remote, clientAddress(req));
      const connection = this.connect(channel);
      channel.onTooSlow = (why) => connection.tooSlow(why);
      entry = { channel, connection };
      this.#sessions.set(id, entry);
    }
    entry.channel.lastSeen = Date.now();
    for (const message of postMessages(body)) entry.connection.receive(message);
    const answer: OpenAnswer = { sid: entry.channel.id };
    sendJson(res, 200, answer);
  }

  close(): void {
    clearInterval(this.#sweep);
    for (const { channel, connection } of this.#sessions.values()) {
      channel.close('server_shutting_down');
      channel.abandon();
      connection.transportClosed('clean');
    }
    this.#sessions.clear();
  }

  private unknown(res: ServerResponse, sid: string | null): void {
    const why = sid ? 'this long-poll session is unknown: it expired or the server restarted; join again' : `missing ?${LONG_POLL_QUERY.session}=`;
    sendError(res, new ConfabError('not_found', why));
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, { channel, connection }] of this.#sessions) {
      const gone = channel.closedAt !== undefined ? now - channel.closedAt > CLOSED_LINGER_MS : !channel.polling && now - channel.lastSeen > this.deadAfterMs;
      if (!gone) continue;
      this.#sessions.delete(id);
      channel.abandon();
      // Polls stopped without a goodbye: the network, most likely; the participant may resume.
      connection.transportClosed(channel.closed ? 'clean' : 'lost');
    }
  }
}

/** The request body as text, or undefined when it is larger than `limit`. */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
