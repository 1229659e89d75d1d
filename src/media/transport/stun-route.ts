/**
 * Reads what the one-port demultiplexer needs from a browser's first packet:
 * a STUN Binding request whose USERNAME is `<server ufrag>:<client ufrag>`
 * (RFC 8445 7.2.2). The server ufrag names the peer connection it is for.
 */
import { Message, methods, classes, parseMessage } from 'werift';

export interface StunRoute {
  /** Our (the server's) ICE username fragment. */
  readonly serverUfrag: string;
  /** ICE candidate type the browser sent the check from, by its type preference. */
  readonly candidateType: 'host' | 'srflx' | 'prflx' | 'relay';
}

/** RFC 5389: the first two bits are zero and the magic cookie is at byte 4. */
export function looksLikeStun(data: Buffer): boolean {
  return data.length >= 20 && (data[0]! & 0xc0) === 0 && data.readUInt32BE(4) === 0x2112a442;
}

export function stunRoute(data: Buffer): StunRoute | undefined {
  if (!looksLikeStun(data)) return undefined;
  let message;
  try {
    message = parseMessage(data);
  } catch {
    return undefined;
  }
  if (!message || message.messageMethod !== methods.BINDING || message.messageClass !== classes.REQUEST) return undefined;
  const username = message.getAttributeValue('USERNAME') as string | undefined;
  const serverUfrag = typeof username === 'string' ? username.split(':')[0] : undefined;
  if (!serverUfrag) return undefined;
  const priority = message.getAttributeValue('PRIORITY') as number | undefined;
  return { serverUfrag, candidateType: candidateTypeOf(priority) };
}

/** Type preference is the top byte of the priority (RFC 8445 5.1.2.1): 126 host, 110 prflx, 100 srflx, 0 relay. */
function candidateTypeOf(priority: number | undefined): StunRoute['candidateType'] {
  const pref = priority === undefined ? 126 : priority >>> 24;
  if (pref === 0) return 'relay';
  if (pref >= 120) return 'host';
  if (pref >= 105) return 'prflx';
  return 'srflx';
}

/**
 * werift answers checks with the address it saw, which behind the
 * demultiplexer is our loopback session socket. Browsers would take that for
 * a new (peer-reflexive) address of theirs; give them their real one,
 * re-signed with the server's ICE password as werift would have.
 */
export function rewriteMappedAddress(data: Buffer, address: string, port: number, icePassword: string): Buffer {
  if (!looksLikeStun(data)) return data;
  let message;
  try {
    message = parseMessage(data);
  } catch {
    return data;
  }
  if (!message || message.messageMethod !== methods.BINDING || message.messageClass !== classes.RESPONSE) return data;
  if (!message.getAttributeValue('XOR-MAPPED-ADDRESS')) return data;
  const response = new Message(methods.BINDING, classes.RESPONSE, message.transactionId);
  return response
    .setAttribute('XOR-MAPPED-ADDRESS', [address, port])
    .addMessageIntegrity(Buffer.from(icePassword, 'utf8'))
    .addFingerprint().bytes;
}
