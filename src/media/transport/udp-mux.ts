/**
 * All browsers' UDP media on one port, as Jitsi's bridge does. The port is
 * bound on each local address separately (or on MEDIA_BIND_ADDRESS), so a
 * reply always leaves from the address the browser sent to: with one
 * socket on 0.0.0.0 the kernel picks the source address, and a browser
 * whose check went to another of the host's addresses drops the answer.
 *
 * The first packet from a new address must be a valid ICE check for one of
 * our peer connections (route-table.ts); after that, packets from that
 * address go straight to its peer connection's werift stack. No sockets are
 * made per browser.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIPv4 } from 'node:net';
import type { Address } from 'werift';
import type { RouteTable } from './route-table.js';

/** Media bursts: keyframes from a whole class arrive at once. */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

export class UdpMux {
  private constructor(
    private readonly sockets: readonly { socket: Socket; address: string }[],
    private readonly table: RouteTable,
  ) {
    for (const { socket, address } of sockets) {
      socket.on('message', (data, rinfo) => this.onPacket(socket, address, data, rinfo.address, rinfo.port));
      // A send to a vanished browser can raise ICMP errors; they are no reason to stop.
      socket.on('error', () => undefined);
    }
  }

  /**
   * Binds `port` on every address in `addresses` (port 0: a free port, the
   * same on all of them). Fails naming the address when one cannot be bound.
   */
  static async listen(port: number, addresses: readonly string[], table: RouteTable): Promise<UdpMux> {
    for (let attempt = 0; ; attempt++) {
      const bound: { socket: Socket; address: string }[] = [];
      let chosen = port;
      try {
        for (const address of addresses) {
          const socket = createSocket({ type: 'udp4', reuseAddr: false, lookup: literalLookup });
          bound.push({ socket, address });
          await bind(socket, chosen, address);
          chosen = socket.address().port;
          socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
          socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
        }
        return new UdpMux(bound, table);
      } catch (error) {
        for (const { socket } of bound) socket.close();
        // Port 0 on several addresses: the free port of the first may be taken on another; try another.
        if (port === 0 && attempt < 5 && (error as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
        const where = bound.at(-1)?.address ?? addresses[0];
        throw new Error(`${where}:${chosen}: ${(error as Error).message}`, { cause: error });
      }
    }
  }

  get port(): number {
    return this.sockets[0]!.socket.address().port;
  }

  /** The local addresses the port is bound on. */
  get addresses(): string[] {
    return this.sockets.map((s) => s.address);
  }

  close(): void {
    for (const { socket } of this.sockets) socket.close();
  }

  private onPacket(socket: Socket, local: string, data: Buffer, address: string, port: number): void {
    const remote: Address = [address, port];
    const now = Date.now();
    const route = this.table.route('udp', local, remote);
    if (route) {
      route.deliver(data, now);
      return;
    }
    this.table.admit('udp', local, remote, data, (out) => socket.send(out, port, address), () => undefined, now);
  }
}

/**
 * dgram resolves every destination of every send through `dns.lookup`, which for an IP literal
 * still costs a `process.nextTick` and two closures per packet (~3 % of the server's CPU at N=8).
 * Our destinations are always the IPv4 literals packets came from: answer those at once.
 */
function literalLookup(address: string, options: LookupOneOptions | number, callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  if (isIPv4(address)) {
    callback(null, address, 4);
    return;
  }
  dnsLookup(address, typeof options === 'number' ? { family: options } : options, callback);
}

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}
