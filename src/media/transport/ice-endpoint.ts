/**
 * What one werift peer connection uses as its UDP socket in single-port
 * mode. werift's ICE stack reads and writes through it (the
 * `iceUdpTransport` option our werift patch adds); behind it are the public
 * media sockets of the demultiplexer. A packet from a browser is handed to
 * werift as it arrived, with the browser's real address, and werift's
 * answers go straight out of the public socket: one hop, no loopback
 * sockets, and werift's STUN responses carry the true mapped address.
 *
 * It only sends to addresses a valid ICE check opened (a route): werift
 * never needs more, and nothing can make the server send elsewhere.
 */
import type { AddressInfo } from 'node:net';
import type { Address, Transport } from 'werift';

/** Where an endpoint's packets go out: the route table decides by destination. */
export interface EndpointOutput {
  send(endpoint: IceEndpoint, data: Buffer, to: Address): void;
  closed(endpoint: IceEndpoint): void;
}

export class IceEndpoint implements Transport {
  readonly type = 'udp';
  /** werift's StunProtocol reads the family from here. */
  readonly socketType = 'udp4';
  closed = false;
  /** Set by werift: a packet for this peer connection, with its sender's address. */
  onData: (data: Buffer, from: Address) => void = () => undefined;

  constructor(
    /** Stands in for a port number in werift's candidate; the route table finds the endpoint by it. */
    readonly id: number,
    /** The local address of the public socket this endpoint answers on (one endpoint per address a peer connection listens on). */
    readonly localAddress: string,
    private readonly output: EndpointOutput,
  ) {}

  get address(): AddressInfo {
    return { address: this.localAddress, family: 'IPv4', port: this.id };
  }

  send = (data: Buffer, to?: Address): Promise<void> => {
    if (to && !this.closed) this.output.send(this, data, to);
    return DONE;
  };

  /** werift's media path (StunProtocol.sendDataNow, our patch) sends through this: no promise per packet. */
  trySend = (data: Buffer, to: Address): void => {
    if (!this.closed) this.output.send(this, data, to);
  };

  close = (): Promise<void> => {
    if (!this.closed) {
      this.closed = true;
      this.output.closed(this);
    }
    return DONE;
  };
}

/** werift awaits every send: one settled promise serves them all (no allocation per packet). */
const DONE = Promise.resolve();
