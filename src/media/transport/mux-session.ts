/**
 * One browser path (a remote UDP address, or one TCP connection) through the
 * single media port to one werift peer connection. werift only speaks UDP on
 * its own socket, so the session owns a loopback UDP socket "connected" to
 * werift's internal port: packets from the browser go in through it, and
 * werift's replies come back on it and go out the public port.
 */
import { createSocket, type Socket } from 'node:dgram';

export type MuxTransportKind = 'udp' | 'tcp';

export class MuxSession {
  lastSeen = Date.now();
  packetsIn = 0;
  packetsOut = 0;
  #socket: Socket | undefined;
  #ready: Promise<void>;
  #closed = false;
  readonly #pending: Buffer[] = [];
  /** Set once the loopback socket is connected; until then packets wait in #pending. */
  #connected = false;

  constructor(
    readonly serverUfrag: string,
    readonly transport: MuxTransportKind,
    readonly candidateType: string,
    internalAddress: string,
    internalPort: number,
    private readonly sendOut: (data: Buffer) => void,
  ) {
    const socket = createSocket('udp4');
    this.#socket = socket;
    socket.on('message', (data) => {
      this.packetsOut++;
      this.sendOut(data);
    });
    socket.on('error', () => this.close());
    this.#ready = new Promise<void>((resolve) => {
      socket.bind(0, internalAddress, () => socket.connect(internalPort, internalAddress, () => resolve()));
    }).then(() => {
      this.#connected = true;
      for (const data of this.#pending.splice(0)) this.#socket?.send(data);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A packet from the browser, for werift. */
  deliver(data: Buffer): void {
    if (this.#closed) return;
    this.lastSeen = Date.now();
    this.packetsIn++;
    if (!this.#connected) {
      // Until the loopback socket is connected (one tick), keep order by queueing.
      if (this.#pending.length < 64) this.#pending.push(data);
      return;
    }
    this.#socket?.send(data);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending.length = 0;
    const socket = this.#socket;
    this.#socket = undefined;
    void this.#ready.finally(() => {
      try {
        socket?.close();
      } catch {
        // already closed by an error
      }
    });
  }
}
