/**
 * HTTP long-polling signaling under `<base>/signaling/lp`, for clients whose
 * WebSocket cannot get through:
 *
 *   POST <base>/signaling/lp[?sid=S]   body: client messages, one JSON per line
 *        -> {"sid": S}                 (the first POST, carrying hello, opens S)
 *   GET  <base>/signaling/lp?sid=S&ack=N
 *        -> {"seq", "messages", "closed"?}, held up to 25 s while there is nothing to say
 *
 * The session id is a random 128-bit bearer secret. A client that stops
 * polling for two ping intervals is gone, as with a WebSocket's missed pongs.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfabError } from '../protocol/errors.js';
import { MAX_MESSAGE_BYTES } from '../protocol/messages.js';
import { ParticipantSession } from '../service/participant-session.js';
import { LongPollChannel } from './longpoll-channel.js';
import { sendError, sendJson } from './routes.js';

const MAX_BODY_BYTES = MAX_MESSAGE_BYTES * 4;

export class LongPollTransport {
  readonly #sessions = new Map<string, { channel: LongPollChannel; session: ParticipantSession }>();
  readonly #sweep: NodeJS.Timeout;

  constructor(
    private readonly deadAfterMs: number,
    private readonly createSession: (channel: LongPollChannel) => ParticipantSession,
  ) {
    this.#sweep = setInterval(() => this.sweep(), 1000);
    this.#sweep.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const sid = url.searchParams.get('sid');
    if (req.method === 'GET') {
      const entry = sid ? this.#sessions.get(sid) : undefined;
      if (!entry) return this.unknown(res, sid);
      entry.channel.poll(Number(url.searchParams.get('ack') ?? 0) || 0, res);
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST');
      return sendJson(res, 405, { error: 'method_not_allowed', message: `${req.method} is not allowed on ${url.pathname}` });
    }
    let entry = sid ? this.#sessions.get(sid) : undefined;
    if (sid && !entry) return this.unknown(res, sid);
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) {
      entry?.channel.close('message_too_large', `long-poll request body exceeds ${MAX_BODY_BYTES} bytes`);
      return sendError(res, new ConfabError('message_too_large', `long-poll request body exceeds ${MAX_BODY_BYTES} bytes`));
    }
    if (!entry) {
      const id = randomBytes(16).toString('base64url');
      const remote = `lp ${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
      const channel = new LongPollChannel(id, remote);
      entry = { channel, session: this.createSession(channel) };
      this.#sessions.set(id, entry);
    }
    entry.channel.lastSeen = Date.now();
    for (const line of body.split('\n')) if (line.trim() !== '') entry.session.receive(line);
    sendJson(res, 200, { sid: entry.channel.id });
  }

  close(): void {
    clearInterval(this.#sweep);
    for (const { channel, session } of this.#sessions.values()) {
      channel.close('server_shutting_down');
      channel.abandon();
      session.transportClosed('clean');
    }
    this.#sessions.clear();
  }

  private unknown(res: ServerResponse, sid: string | null): void {
    sendJson(res, 404, {
      error: 'not_found',
      message: sid ? 'this long-poll session is unknown: it expired or the server restarted; join again' : 'missing ?sid=',
    });
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, { channel, session }] of this.#sessions) {
      if (channel.polling) continue;
      const idle = now - channel.lastSeen;
      if (channel.closed ? idle > 5000 : idle > this.deadAfterMs) {
        this.#sessions.delete(id);
        // Polls stopped without a goodbye: the network, most likely; the participant may resume.
        session.transportClosed(channel.closed ? 'clean' : 'lost');
      }
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
