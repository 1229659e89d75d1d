/**
 * ICE over TCP on one port (RFC 6544, passive candidates), for networks that
 * block UDP. Each connection carries RFC 4571 frames (2-byte length, then a
 * STUN/DTLS/RTP packet); the first must be a STUN check naming one of our
 * peer connections. werift only speaks UDP, so frames become datagrams to it.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { encodeTcpFrame, splitTcpFrames } from 'werift';
import type { MuxRegistry } from './mux-registry.js';
import type { MuxSession } from './mux-session.js';
import { stunRoute } from './stun-route.js';

/** A connection that names no peer connection in its first frames is dropped. */
const MAX_UNROUTED_BYTES = 4096;

export class TcpMux {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server, private readonly registry: MuxRegistry) {
    this.#server = server;
    server.on('connection', (socket) => this.onConnection(socket));
  }

  static async listen(port: number, bindAddress: string, registry: MuxRegistry): Promise<TcpMux> {
    const server = createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TcpMux(server, registry);
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  close(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#server.close();
  }

  private onConnection(socket: Socket): void {
    this.#sockets.add(socket);
    let buffer: Buffer = Buffer.alloc(0);
    let session: MuxSession | undefined;
    const remote = { address: socket.remoteAddress ?? '0.0.0.0', port: socket.remotePort ?? 0 };
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      const { frames, rest } = splitTcpFrames(buffer);
      buffer = rest;
      for (const frame of frames) {
        if (!session) {
          const route = stunRoute(frame);
          session = route && this.registry.open(route.serverUfrag, remote, 'tcp', route.candidateType, (out) => socket.write(encodeTcpFrame(out)));
          if (!session) continue;
        }
        session.deliver(frame);
      }
      if (!session && buffer.length + frames.length * 100 > MAX_UNROUTED_BYTES) socket.destroy();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#sockets.delete(socket);
      session?.close();
    });
  }
}
