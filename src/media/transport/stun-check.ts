/**
 * The demultiplexer's gate: the first packet from a new address must be a
 * STUN Binding request (RFC 8445 7.2) that names one of our peer
 * connections in its USERNAME (`<server ufrag>:<client ufrag>`, RFC 8445
 * 7.2.2) and proves it knows that connection's password: a valid
 * MESSAGE-INTEGRITY (RFC 8489 14.5, short-term credentials) and, when
 * present, FINGERPRINT (14.7). Anything else is dropped before it costs any
 * state.
 */
import { classes, methods, parseMessage } from 'werift';

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** Why a first packet was dropped (metric label values: a fixed set). */
export type Refusal = 'not_stun' | 'not_binding_request' | 'no_username' | 'unknown_ufrag' | 'bad_integrity';

export type CheckResult<T> =
  | { readonly ok: true; readonly target: T; readonly candidateType: CandidateType }
  | { readonly ok: false; readonly refusal: Refusal };

/** RFC 5389: the first two bits are zero and the magic cookie is at byte 4. */
export function looksLikeStun(data: Buffer): boolean {
  return data.length >= 20 && (data[0]! & 0xc0) === 0 && data.readUInt32BE(4) === 0x2112a442;
}

/**
 * Authenticates a first packet. `lookup` finds our peer connection by its
 * ufrag and gives the ICE password to verify with.
 */
export function checkFirstPacket<T>(data: Buffer, lookup: (serverUfrag: string) => { target: T; password: string } | undefined): CheckResult<T> {
  if (!looksLikeStun(data)) return { ok: false, refusal: 'not_stun' };
  const message = safeParse(data);
  if (!message) return { ok: false, refusal: 'not_stun' };
  if (message.messageMethod !== methods.BINDING || message.messageClass !== classes.REQUEST) return { ok: false, refusal: 'not_binding_request' };
  const username = message.getAttributeValue('USERNAME') as unknown;
  const serverUfrag = typeof username === 'string' ? username.split(':')[0] : undefined;
  if (!serverUfrag) return { ok: false, refusal: 'no_username' };
  const found = lookup(serverUfrag);
  if (!found) return { ok: false, refusal: 'unknown_ufrag' };
  // With a key, werift's parser requires MESSAGE-INTEGRITY and checks it (and FINGERPRINT when present).
  if (!message.attributesKeys.includes('MESSAGE-INTEGRITY') || !safeParse(data, Buffer.from(found.password, 'utf8'))) {
    return { ok: false, refusal: 'bad_integrity' };
  }
  const priority = message.getAttributeValue('PRIORITY') as number | undefined;
  return { ok: true, target: found.target, candidateType: candidateTypeOf(priority) };
}

function safeParse(data: Buffer, key?: Buffer): ReturnType<typeof parseMessage> {
  try {
    return parseMessage(data, key);
  } catch {
    return undefined;
  }
}

/** Type preference is the top byte of the priority (RFC 8445 5.1.2.1): 126 host, 110 prflx, 100 srflx, 0 relay. */
export function candidateTypeOf(priority: number | undefined): CandidateType {
  const pref = priority === undefined ? 126 : priority >>> 24;
  if (pref === 0) return 'relay';
  if (pref >= 120) return 'host';
  if (pref >= 105) return 'prflx';
  return 'srflx';
}
