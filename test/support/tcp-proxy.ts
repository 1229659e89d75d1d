/**
 * A TCP proxy on loopback that can break the network the way real ones
 * break: `cut()` kills every open connection (both ends see a reset, as
 * when a NAT or a proxy restarts), `blackhole()` silently drops all further
 * data on the open ones (a Wi-Fi that went away: nobody is told). New
 * connections always go through, so a client that reconnects gets back.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  dropping: boolean;
}

export class TcpProxy {
  readonly #pairs = new Set<Pair>();
  #server: Server | undefined;
  port = 0;

  constructor(private readonly targetPort: number, private readonly targetHost = '127.0.0.1') {}

  get openConnections(): number {
    return this.#pairs.size;
  }

  async start(): Promise<number> {
    this.#server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this.port;
  }

  /** Every open connection dies at once (RST both ways). */
  cut(): number {
    const n = this.#pairs.size;
    for (const pair of this.#pairs) {
      for (const socket of [pair.client, pair.upstream]) {
        try {
          socket.resetAndDestroy();
        } catch {
          socket.destroy(); // not connected yet: nothing to reset
        }
      }
    }
    this.#pairs.clear();
    return n;
  }

  /** Open connections stay open but carry nothing more, either way. */
  blackhole(): number {
    for (const pair of this.#pairs) pair.dropping = true;
    return this.#pairs.size;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    const pair: Pair = { client, upstream, dropping: false };
    this.#pairs.add(pair);
    const forward = (from: Socket, to: Socket): void => {
      from.on('data', (chunk: Buffer) => {
        if (!pair.dropping && !to.destroyed) to.write(chunk);
      });
      from.on('end', () => !pair.dropping && to.end());
    };
    forward(client, upstream);
    forward(upstream, client);
    const done = (): void => {
      this.#pairs.delete(pair);
      if (!pair.dropping) {
        client.destroy();
        upstream.destroy();
      }
    };
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', done);
    }
  }
}
