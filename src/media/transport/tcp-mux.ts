/**
 * ICE over TCP on one port (RFC 6544, passive candidates), for networks that
 * block UDP. Each connection carries RFC 4571 frames (2-byte length, then a
 * STUN/DTLS/RTP packet); its first frame must be a valid ICE check for one of
 * our peer connections, which opens a route (route-table.ts) for the
 * connection: its frames then go straight to that peer connection's werift
 * stack as datagrams, and werift's answers come back as frames.
 *
 * Bounded per client: a connection must present its check within
 * UNROUTED_TIMEOUT_MS and MAX_UNROUTED_BYTES, an address may hold
 * MAX_UNROUTED_PER_ADDRESS such connections at once, a routed connection
 * idle for ROUTE_IDLE_MS is closed with its route, and a reader too slow to
 * take MAX_BUFFERED_BYTES loses packets rather than growing our memory.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { encodeTcpFrame, splitTcpFrames } from 'werift';
import type { Route, RouteTable } from './route-table.js';

/** A connection that has not named a peer connection by then is closed (browsers check at once). */
export const UNROUTED_TIMEOUT_MS = 5000;
/** Bytes a connection may send before its first valid check. */
export const MAX_UNROUTED_BYTES = 4096;
/** Connections not yet routed, per remote address (a school behind one NAT opens many routed ones). */
export const MAX_UNROUTED_PER_ADDRESS = 16;
/** Outbound bytes queued on one connection before packets are dropped (media is better late than never, not later than that). */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

export class TcpMux {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #unrouted = new Map<string, number>();
  /** Connections closed for a bound, by reason. */
  readonly closedFor: Record<'unrouted_timeout' | 'unrouted_bytes' | 'unrouted_per_address' | 'refused', number> = {
    unrouted_timeout: 0,
    unrouted_bytes: 0,
    unrouted_per_address: 0,
    refused: 0,
  };
  droppedSlowReader = 0;

  private constructor(
    server: Server,
    private readonly table: RouteTable,
  ) {
    this.#server = server;
    server.on('connection', (socket) => this.onConnection(socket));
  }

  static async listen(port: number, bindAddress: string, table: RouteTable): Promise<TcpMux> {
    const server = createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TcpMux(server, table);
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  /** Open connections, routed or not. */
  get connections(): number {
    return this.#sockets.size;
  }

  close(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#server.close();
  }

  private onConnection(socket: Socket): void {
    const address = plain(socket.remoteAddress ?? '0.0.0.0');
    const local = plain(socket.localAddress ?? '0.0.0.0');
    const waiting = (this.#unrouted.get(address) ?? 0) + 1;
    if (waiting > MAX_UNROUTED_PER_ADDRESS) {
      this.closedFor.unrouted_per_address++;
      socket.destroy();
      return;
    }
    this.#unrouted.set(address, waiting);
    this.#sockets.add(socket);
    const remote = [address, socket.remotePort ?? 0] as const;
    let route: Route | undefined;
    let unroutedBytes = 0;
    let buffer: Buffer = Buffer.alloc(0);
    const routed = (): void => {
      clearTimeout(timer);
      this.release(address);
    };
    const timer = setTimeout(() => {
      if (route) return;
      this.closedFor.unrouted_timeout++;
      socket.destroy();
    }, UNROUTED_TIMEOUT_MS);
    const write = (data: Buffer): void => {
      if (socket.writableLength > MAX_BUFFERED_BYTES) {
        this.droppedSlowReader++;
        return;
      }
      socket.write(encodeTcpFrame(data));
    };
    socket.on('data', (chunk: Buffer) => {
      if (!route) {
        unroutedBytes += chunk.length;
        if (unroutedBytes > MAX_UNROUTED_BYTES) {
          this.closedFor.unrouted_bytes++;
          socket.destroy();
          return;
        }
      }
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      const { frames, rest } = splitTcpFrames(buffer);
      buffer = rest;
      const now = Date.now();
      for (const frame of frames) {
        if (route) {
          route.deliver(frame, now);
          continue;
        }
        route = this.table.admit('tcp', local, remote, frame, write, () => socket.destroy(), now);
        if (route) routed();
        else {
          // The first frame of an ICE-TCP connection is the browser's check: anything else ends it.
          this.closedFor.refused++;
          socket.destroy();
          return;
        }
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      if (!route) this.release(address);
      this.#sockets.delete(socket);
      if (route) this.table.removeRoute(route);
    });
  }

  private release(address: string): void {
    const n = (this.#unrouted.get(address) ?? 1) - 1;
    if (n <= 0) this.#unrouted.delete(address);
    else this.#unrouted.set(address, n);
  }
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) -> `10.0.0.1`. */
function plain(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
