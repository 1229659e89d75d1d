/**
 * SRTP through libsrtp2 (native/srtp, an N-API addon) instead of werift's
 * JavaScript SRTP, handed to werift through the `srtpSessionFactory` our
 * werift patch adds. Measured on this project's machine for a 1,100-byte
 * packet: werift's AES-128-GCM through node:crypto ~4.5 us (a cipher object,
 * an IV, an output buffer and a tag per packet), libsrtp's ~0.9 us in place.
 *
 * Optional: when the addon was not built (no libsrtp2-dev at install time) or
 * MEDIA_SRTP=js, werift's own SRTP is used; both interoperate with every
 * browser, only the cost differs.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { SrtpAuthenticationError, type RtpHeader } from 'werift';

/** The addon's surface (native/srtp/srtp_addon.c). */
interface Addon {
  createSession(profile: number, key: Buffer, salt: Buffer, outbound: boolean): object;
  protectRtp(session: object, buffer: Buffer, length: number): number;
  unprotectRtp(session: object, buffer: Buffer, length: number): number;
  protectRtcp(session: object, buffer: Buffer, length: number): number;
  unprotectRtcp(session: object, buffer: Buffer, length: number): number;
}

/** What werift hands the factory: the DTLS-SRTP profile and the master keys. */
export interface SrtpConfig {
  readonly profile: number;
  readonly keys: { localMasterKey: Buffer; localMasterSalt: Buffer; remoteMasterKey: Buffer; remoteMasterSalt: Buffer };
}

/** DTLS-SRTP profile ids (RFC 5764 4.1.2, RFC 7714 14.2) libsrtp is asked for. */
const SUPPORTED_PROFILES = new Set([1, 7]);
/** Room libsrtp may write after a packet (SRTP_MAX_TRAILER_LEN: tag and MKI), plus the SRTCP index. */
const TRAILER_BYTES = 144 + 4;

let addon: Addon | null | undefined;

/** The addon, or null when it is not built here (the reason in `nativeSrtpUnavailable`). */
function load(): Addon | null {
  if (addon !== undefined) return addon;
  try {
    const require = createRequire(import.meta.url);
    const path = fileURLToPath(new URL('../../native/srtp/build/Release/confab_srtp.node', import.meta.url.replace('/dist/src/', '/src/')));
    addon = require(path) as Addon;
  } catch (error) {
    nativeSrtpUnavailable = (error as Error).message.split('\n')[0];
    addon = null;
  }
  return addon;
}

/** Why the native SRTP could not be loaded, if it could not. */
export let nativeSrtpUnavailable: string | undefined;

/** Whether libsrtp can be used here. */
export function nativeSrtpAvailable(): boolean {
  return load() !== null;
}

/**
 * werift's srtpSessionFactory: native sessions for the profiles libsrtp
 * takes; undefined (werift's own) for any other, or when the addon is absent.
 */
export function nativeSrtpSessions(config: SrtpConfig): { srtp: NativeSrtp; srtcp: NativeSrtcp } | undefined {
  const native = load();
  if (!native || !SUPPORTED_PROFILES.has(config.profile)) return undefined;
  const { localMasterKey, localMasterSalt, remoteMasterKey, remoteMasterSalt } = config.keys;
  const outbound = native.createSession(config.profile, localMasterKey, localMasterSalt, true);
  const inbound = native.createSession(config.profile, remoteMasterKey, remoteMasterSalt, false);
  return { srtp: new NativeSrtp(native, outbound, inbound), srtcp: new NativeSrtcp(native, outbound, inbound) };
}

/** werift's SrtpSession shape: RTP out (header + payload) and in. */
export class NativeSrtp {
  constructor(
    private readonly native: Addon,
    private readonly outbound: object,
    private readonly inbound: object,
  ) {}

  encrypt(payload: Buffer, header: RtpHeader): Buffer {
    const size = header.serializeSize;
    const packet = Buffer.allocUnsafe(size + payload.length + TRAILER_BYTES);
    header.serialize(size).copy(packet, 0);
    payload.copy(packet, size);
    const length = this.native.protectRtp(this.outbound, packet, size + payload.length);
    if (length < 0) throw new Error('libsrtp could not protect an RTP packet');
    return packet.subarray(0, length);
  }

  /** In place: the buffer is the datagram as received, ours alone. */
  decrypt(data: Buffer): Buffer {
    const length = this.native.unprotectRtp(this.inbound, data, data.length);
    if (length < 0) throw new SrtpAuthenticationError('SRTP packet failed authentication or replay check (libsrtp)');
    return data.subarray(0, length);
  }
}

/** werift's SrtcpSession shape: compound RTCP out and in. */
export class NativeSrtcp {
  constructor(
    private readonly native: Addon,
    private readonly outbound: object,
    private readonly inbound: object,
  ) {}

  encrypt(rtcp: Buffer): Buffer {
    const packet = Buffer.allocUnsafe(rtcp.length + TRAILER_BYTES);
    rtcp.copy(packet, 0);
    const length = this.native.protectRtcp(this.outbound, packet, rtcp.length);
    if (length < 0) throw new Error('libsrtp could not protect an RTCP packet');
    return packet.subarray(0, length);
  }

  decrypt(data: Buffer): Buffer {
    const length = this.native.unprotectRtcp(this.inbound, data, data.length);
    if (length < 0) throw new SrtpAuthenticationError('SRTCP packet failed authentication or replay check (libsrtp)');
    return data.subarray(0, length);
  }
}
