/**
 * The server's DTLS certificate: one self-signed ECDSA P-256 certificate per
 * process, shared by every peer connection, as browsers keep one per
 * RTCPeerConnection and mediasoup one per worker. WebRTC authenticates it by
 * the fingerprint in the SDP (RFC 8827 §6.5, RFC 8122), never by a CA, so
 * its names and dates are never checked: it only has to be a well-formed
 * X.509 v3 certificate (RFC 5280 §4.1) signed by its own key.
 *
 * Why not werift's own generator: it loads @peculiar/x509 and its ASN.1 and
 * dependency-injection libraries, ~10 MB resident for the life of the server
 * to make one certificate (our werift patch loads it only when werift has to
 * make one). node:crypto makes the key and the signature; this file only
 * lays out the DER (ITU-T X.690) of the few fields a certificate needs.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { HashAlgorithm, RTCCertificate, SignatureAlgorithm } from 'werift';

/** The certificate shape werift takes (`PeerConfig.dtls.keys`): PEM texts and the TLS signature scheme. */
export interface DtlsKeys {
  /** `-----BEGIN CERTIFICATE-----`, DER inside. */
  readonly certPem: string;
  /** PKCS #8 `-----BEGIN PRIVATE KEY-----`. */
  readonly keyPem: string;
  /** TLS 1.2 SignatureAndHashAlgorithm (RFC 5246 §7.4.1.4.1): ecdsa with sha256. */
  readonly signatureHash: { readonly signature: typeof SignatureAlgorithm.ecdsa_3; readonly hash: typeof HashAlgorithm.sha256_4 };
}

/** Browsers never look at the dates of a WebRTC peer's certificate; ten years, as werift's own. */
const VALIDITY_MS = 10 * 365 * 24 * 3600 * 1000;

let processCertificate: RTCCertificate | undefined;

/** The process's certificate for werift (`PeerConfig.certificates`), made on first use (about 1 ms). */
export function serverCertificate(): RTCCertificate {
  if (!processCertificate) {
    const keys = createDtlsKeys();
    processCertificate = new RTCCertificate(keys.keyPem, keys.certPem, { ...keys.signatureHash });
  }
  return processCertificate;
}

/** A fresh self-signed P-256 certificate, `CN=confab`, valid from a day ago for ten years. */
export function createDtlsKeys(now = new Date()): DtlsKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificate = selfSigned(privateKey, publicKey, now);
  return {
    certPem: pem('CERTIFICATE', certificate),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    signatureHash: { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 },
  };
}

/** RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }. */
function selfSigned(privateKey: KeyObject, publicKey: KeyObject, now: Date): Buffer {
  const name = sequence(set(sequence(OID_COMMON_NAME, der(0x0c, Buffer.from('confab')))));
  // A positive INTEGER in its minimal encoding (X.690 8.3.2): first byte 0x40-0x7f, neither a sign
  // bit nor a leading zero byte (OpenSSL refuses a serial like 00 5b ... as illegal padding).
  const serial = randomBytes(8);
  serial[0] = 0x40 | (serial[0]! & 0x3f);
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))), // [0] EXPLICIT version v3
    der(0x02, serial),
    ECDSA_WITH_SHA256,
    name,
    sequence(utcTime(new Date(now.getTime() - 24 * 3600 * 1000)), utcTime(new Date(now.getTime() + VALIDITY_MS))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  // node:crypto's ECDSA signature is DER (Ecdsa-Sig-Value), as X.509 wants it.
  const signature = sign('sha256', tbs, privateKey);
  return sequence(tbs, ECDSA_WITH_SHA256, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
}

/** One DER TLV: tag, definite length (X.690 §8.1.3), contents. */
function der(tag: number, contents: Buffer): Buffer {
  const n = contents.length;
  if (n > 0xffff) throw new RangeError(`DER contents of ${n} bytes: longer than this encoder writes (65,535)`);
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), contents]);
}

const sequence = (...items: Buffer[]): Buffer => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => der(0x31, Buffer.concat(items));

/** RFC 5280 §4.1.2.5: UTCTime YYMMDDHHMMSSZ through 2049, GeneralizedTime YYYYMMDDHHMMSSZ from 2050. */
function utcTime(date: Date): Buffer {
  const digits = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii')) : der(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

/** 1.2.840.10045.4.3.2 ecdsa-with-SHA256, parameters absent (RFC 5758 §3.2). */
const ECDSA_WITH_SHA256 = sequence(Buffer.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]));
/** 2.5.4.3 id-at-commonName. */
const OID_COMMON_NAME = Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]);

function pem(label: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
