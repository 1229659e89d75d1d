/**
 * All browsers' UDP media on one port, as Jitsi's bridge does: the first
 * packet from a new address must be a STUN check naming one of our peer
 * connections; after that, everything from that address goes to it.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { MuxRegistry } from './mux-registry.js';
import type { MuxSession } from './mux-session.js';
import { stunRoute } from './stun-route.js';

export class UdpMux {
  readonly #socket: Socket;
  readonly #byRemote = new Map<string, MuxSession>();
  droppedUnknown = 0;

  private constructor(
    socket: Socket,
    private readonly registry: MuxRegistry,
  ) {
    this.#socket = socket;
    socket.on('message', (data, rinfo) => this.onPacket(data, rinfo.address, rinfo.port));
    // A send to a vanished browser can raise ICMP errors; they are no reason to stop.
    socket.on('error', () => undefined);
  }

  static async listen(port: number, bindAddress: string, registry: MuxRegistry): Promise<UdpMux> {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, bindAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // Media bursts: keyframes from a whole class arrive at once.
    socket.setRecvBufferSize(4 * 1024 * 1024);
    socket.setSendBufferSize(4 * 1024 * 1024);
    return new UdpMux(socket, registry);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  close(): void {
    for (const session of this.#byRemote.values()) session.close();
    this.#byRemote.clear();
    this.#socket.close();
  }

  private onPacket(data: Buffer, address: string, port: number): void {
    const key = `${address}:${port}`;
    let session = this.#byRemote.get(key);
    if (session?.closed) {
      this.#byRemote.delete(key);
      session = undefined;
    }
    if (!session) {
      const route = stunRoute(data);
      session = route && this.registry.open(route.serverUfrag, { address, port }, 'udp', route.candidateType, (out) => this.#socket.send(out, port, address));
      if (!session) {
        this.droppedUnknown++;
        return;
      }
      this.#byRemote.set(key, session);
    }
    session.deliver(data);
  }
}
