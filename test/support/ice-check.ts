/**
 * A hand-made ICE peer for tests: sends STUN Binding requests (RFC 8445 7.2)
 * to the server's media port from its own UDP socket, as a browser's check
 * would, and counts what comes back. Tests use it to act as a browser that
 * moves its media path, or as an attacker who knows a ufrag but not the
 * password.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { classes, Message, methods, parseMessage } from 'werift';

export interface CheckOptions {
  /** `<server ufrag>:<client ufrag>` (RFC 8445 7.2.2). */
  readonly username: string;
  /** Signs the request (MESSAGE-INTEGRITY); undefined sends none. */
  readonly password?: string;
  /** Adds USE-CANDIDATE: the controlling agent nominates this path. */
  readonly nominate?: boolean;
  /** Leaves FINGERPRINT out. */
  readonly noFingerprint?: boolean;
}

export interface StunAnswer {
  readonly success: boolean;
  /** The address the server saw, from XOR-MAPPED-ADDRESS. */
  readonly mapped?: [string, number];
  /** The answer's MESSAGE-INTEGRITY verified with `password`. */
  readonly signed: boolean;
}

/** host priority of a browser's first UDP candidate: type preference 126 (RFC 8445 5.1.2.1). */
const HOST_PRIORITY = 126 * 2 ** 24 + 65535 * 256 + 255;

export class IceCheckPeer {
  /** Non-STUN datagrams received (SRTP, SRTCP, DTLS), by first byte class. */
  rtpPackets = 0;
  otherPackets = 0;
  readonly #answers = new Map<string, (data: Buffer) => void>();

  private constructor(readonly socket: Socket) {
    socket.on('message', (data) => {
      if (data.length >= 20 && data[0]! < 2) {
        this.#answers.get(data.subarray(8, 20).toString('hex'))?.(data);
        return;
      }
      // RFC 7983: 128-191 is RTP or RTCP.
      if (data[0]! >= 128 && data[0]! <= 191) this.rtpPackets++;
      else this.otherPackets++;
    });
  }

  static async open(address = '127.0.0.1'): Promise<IceCheckPeer> {
    const socket = createSocket('udp4');
    socket.bind(0, address);
    await once(socket, 'listening');
    return new IceCheckPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Builds a Binding request as a controlling browser sends it. */
  static request(options: CheckOptions): Message {
    const request = new Message(methods.BINDING, classes.REQUEST);
    request.setAttribute('USERNAME', options.username);
    request.setAttribute('PRIORITY', HOST_PRIORITY);
    request.setAttribute('ICE-CONTROLLING', 0x1234_5678_9abc_def0n);
    if (options.nominate) request.setAttribute('USE-CANDIDATE', null);
    if (options.password !== undefined) request.addMessageIntegrity(Buffer.from(options.password, 'utf8'));
    if (!options.noFingerprint) request.addFingerprint();
    return request;
  }

  /**
   * Sends one check to `port` on `host` and waits up to `timeoutMs` for the
   * answer; undefined when none came (the server dropped it).
   */
  async check(host: string, port: number, options: CheckOptions, timeoutMs = 1000): Promise<StunAnswer | undefined> {
    const request = IceCheckPeer.request(options);
    const id = request.transactionId.toString('hex');
    const answer = new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.#answers.set(id, (data) => {
        clearTimeout(timer);
        resolve(data);
      });
    });
    this.socket.send(request.bytes, port, host);
    const data = await answer;
    this.#answers.delete(id);
    if (!data) return undefined;
    const message = parseMessage(data);
    if (!message) return undefined;
    const signed = options.password !== undefined && parseMessage(data, Buffer.from(options.password, 'utf8')) !== undefined;
    const mapped = message.getAttributeValue('XOR-MAPPED-ADDRESS') as [string, number] | undefined;
    return { success: message.messageClass === classes.RESPONSE, mapped, signed };
  }

  close(): void {
    this.socket.close();
  }
}

/** The ICE credentials an SDP carries (the first m-section's; BUNDLE shares them). */
export function iceCredentials(sdp: string): { ufrag: string; password: string } {
  const ufrag = /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
  const password = /^a=ice-pwd:(\S+)/m.exec(sdp)?.[1];
  if (!ufrag || !password) throw new Error(`no ICE credentials in SDP:\n${sdp}`);
  return { ufrag, password };
}
