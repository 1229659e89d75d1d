/**
 * WebSocket signaling at `<base>signaling`, next to the long-poll fallback
 * (longpoll-transport.ts): one SignalingConnection per socket, JSON text
 * frames both ways, and a ping every interval so dead peers (a laptop lid
 * closed, a network gone) are dropped within two intervals and proxies with
 * 60 s idle timeouts keep the connection open.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { isGoodbye } from '../protocol/close-codes.js';
import { MAX_MESSAGE_BYTES } from '../protocol/messages.js';
import type { SignalingConnection } from '../service/signaling-connection.js';
import type { Logger } from '../util/log.js';
import { WsSignalingChannel } from './ws-channel.js';

/** ws refuses frames above this itself (close 1009); below it we check with our own code. */
export const WS_MAX_PAYLOAD = MAX_MESSAGE_BYTES * 4;

/** Marks a binary frame, which the protocol does not use: the connection parses it and refuses it as malformed. */
const BINARY_FRAME = '\u0000binary';

export class WebSocketTransport {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  readonly #channels = new Set<WsSignalingChannel>();
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly pingIntervalMs: number,
    private readonly connect: (channel: WsSignalingChannel) => SignalingConnection,
    private readonly log: Logger,
  ) {}

  /** Open connections (metrics). */
  get size(): number {
    return this.#channels.size;
  }

  /** Starts pinging every open connection. */
  start(): void {
    this.#heartbeat = setInterval(() => {
      for (const channel of this.#channels) channel.heartbeat();
    }, this.pingIntervalMs);
  }

  /** An HTTP upgrade request the router gave us. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const channel = new WsSignalingChannel(ws, req);
      this.#channels.add(channel);
      const connection = this.connect(channel);
      channel.onTooSlow = (why) => connection.tooSlow(why);
      ws.on('message', (data, isBinary) => connection.receive(isBinary ? BINARY_FRAME : data.toString()));
      ws.on('close', (code) => {
        this.#channels.delete(channel);
        // A goodbye (1000/1001) or our own close ends the session; anything else (1006: the network; a missed ping) may come back.
        connection.transportClosed(channel.closedByServer || isGoodbye(code) ? 'clean' : 'lost');
      });
      ws.on('error', (error) => this.log.debug({ err: error, from: channel.description }, 'websocket error'));
    });
  }

  /** Server shutdown: every client is told to reconnect (to this server restarted, or another replica). */
  close(): void {
    clearInterval(this.#heartbeat);
    for (const channel of this.#channels) channel.close('server_shutting_down');
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }
}
