/**
 * Plain RTP between the media workers of one process (issue 14): when a
 * class spans workers, each producer is piped once to each other worker the
 * room has participants on (a router left empty is closed, its pipes with
 * it), as mediasoup's `pipeToRouter` does. The
 * packets were decrypted once where they arrived; across the pipe they go
 * as plain RTP over loopback UDP, so the other worker only re-encrypts for
 * its own subscribers.
 *
 * One socket per worker, bound to 127.0.0.1. Each datagram is a 4-byte pipe
 * id (chosen at random by the main thread), a byte for the packet's
 * simulcast layer (its index; 0 without simulcast) and the RTP packet. A
 * datagram is accepted only for a known pipe id and from the sending
 * worker's pipe port it was set up with: another local process cannot
 * inject media without guessing both.
 */
import { createSocket, type Socket } from 'node:dgram';
import { RtpPacket } from 'werift';

const LOOPBACK = '127.0.0.1';
const ID_BYTES = 4;
/** Pipe id, then the layer index. */
const HEADER_BYTES = ID_BYTES + 1;

interface Inbound {
  /** The pipe port of the worker that sends on it. */
  readonly fromPort: number;
  readonly deliver: (rtp: RtpPacket, layer: number) => void;
}

export class PipeSocket {
  readonly #inbound = new Map<number, Inbound>();
  /** Datagrams dropped: unknown pipe id, wrong sender, or not RTP. */
  dropped = 0;

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on('message', (data, remote) => this.onDatagram(data, remote.address, remote.port));
    // A send to a worker that just died gets ICMP port unreachable: nothing to do, its pipes are being closed.
    socket.on('error', () => undefined);
  }

  static async open(): Promise<PipeSocket> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, LOOPBACK, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new PipeSocket(socket, socket.address().port);
  }

  /** Accepts packets on pipe `id` (chosen by the main thread, random) from the worker at `fromPort`. */
  addInbound(id: number, fromPort: number, deliver: (rtp: RtpPacket, layer: number) => void): void {
    if (this.#inbound.has(id)) throw new Error(`pipe ${id} already exists`);
    this.#inbound.set(id, { fromPort, deliver });
  }

  removeInbound(id: number): void {
    this.#inbound.delete(id);
  }

  get inboundCount(): number {
    return this.#inbound.size;
  }

  /** Sends one packet of simulcast layer `layer` (0 without simulcast) down pipe `id` of the worker at `toPort`. */
  send(toPort: number, id: number, rtp: RtpPacket, layer = 0): void {
    const body = rtp.serialize();
    const datagram = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    datagram.writeUInt32BE(id, 0);
    // One byte: a publish m-line has at most MAX_SIMULCAST_LAYERS (4) layers (sdp-check.ts).
    datagram[ID_BYTES] = layer & 0xff;
    body.copy(datagram, HEADER_BYTES);
    this.socket.send(datagram, toPort, LOOPBACK);
  }

  close(): void {
    this.#inbound.clear();
    this.socket.close();
  }

  private onDatagram(data: Buffer, address: string, port: number): void {
    const inbound = data.length > HEADER_BYTES + 12 ? this.#inbound.get(data.readUInt32BE(0)) : undefined;
    if (!inbound || address !== LOOPBACK || port !== inbound.fromPort) {
      this.dropped++;
      return;
    }
    let rtp: RtpPacket;
    try {
      rtp = RtpPacket.deSerialize(data.subarray(HEADER_BYTES));
    } catch {
      this.dropped++;
      return;
    }
    inbound.deliver(rtp, data[ID_BYTES]!);
  }
}
