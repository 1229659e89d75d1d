/**
 * A TCP proxy on loopback that can break the network the way real ones
 * break: `cut()` kills every open connection (both ends see a reset, as
 * when a NAT or a proxy restarts), `blackhole()` silently drops all further
 * data on the open ones (a Wi-Fi that went away: nobody is told). New
 * connections always go through, so a client that reconnects gets back.
 * `refuseUpgrades` plays a proxy without WebSocket support (426), and
 * `badGatewayFor()` one whose upstream is briefly unreachable (502).
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
  /** Answer WebSocket upgrade requests with 426, like a proxy that cannot pass them. */
  refuseUpgrades = false;
  #badGatewayUntil = 0;

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

  /** For `ms`, new connections are answered 502 Bad Gateway, as a proxy does while its upstream is away. */
  badGatewayFor(ms: number): void {
    this.#badGatewayUntil = Date.now() + ms;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    if (!this.refuseUpgrades && Date.now() >= this.#badGatewayUntil) return this.pipe(client);
    client.once('data', (first: Buffer) => {
      const head = first.toString('latin1');
      if (Date.now() < this.#badGatewayUntil) {
        client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
        return;
      }
      if (/^GET [^\r\n]*\r\n/.test(head) && /\r\nupgrade:\s*websocket/i.test(head)) {
        client.end('HTTP/1.1 426 Upgrade Required\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
        return;
      }
      this.pipe(client, first);
    });
    client.on('error', () => undefined);
  }

  private pipe(client: Socket, first?: Buffer): void {
    const upstream = connect(this.targetPort, this.targetHost);
    const pair: Pair = { client, upstream, dropping: false };
    this.#pairs.add(pair);
    const forward = (from: Socket, to: Socket): void => {
      from.on('data', (chunk: Buffer) => {
        if (!pair.dropping && !to.destroyed) to.write(chunk);
      });
      from.on('end', () => !pair.dropping && to.end());
    };
    if (first) upstream.write(first);
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
