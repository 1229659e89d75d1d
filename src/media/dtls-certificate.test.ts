import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { test } from 'node:test';
import { createDtlsKeys, serverCertificate } from './dtls-certificate.js';

test('a well-formed self-signed X.509 v3 certificate: node:crypto parses it and its own key verifies it', () => {
  const now = new Date('2026-11-29T12:00:00Z');
  const keys = createDtlsKeys(now);
  const cert = new X509Certificate(keys.certPem);
  assert.equal(cert.subject, 'CN=confab');
  assert.equal(cert.issuer, 'CN=confab');
  assert.ok(cert.verify(cert.publicKey), 'signed by its own key');
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.equal(new Date(cert.validFrom).toISOString(), '2026-11-28T12:00:00.000Z');
  assert.equal(new Date(cert.validTo).getUTCFullYear(), 2036);
  assert.match(keys.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.deepEqual(keys.signatureHash, { signature: 3, hash: 4 }, 'ecdsa + sha256 in TLS 1.2 numbers');
  assert.notEqual(createDtlsKeys(now).certPem, keys.certPem, 'a fresh key and serial each time');
});

test('werift takes it: the SDP fingerprint is the SHA-256 of the DER, and the process keeps one', () => {
  const certificate = serverCertificate();
  assert.equal(serverCertificate(), certificate, 'one per process');
  const der = new X509Certificate(certificate.certPem).raw;
  const expected = createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
  assert.equal(certificate.getFingerprints()[0]!.value, expected);
});

test('every certificate is DER that OpenSSL accepts: serial numbers minimally encoded (1 in 256 was not)', () => {
  for (let i = 0; i < 600; i++) {
    const cert = new X509Certificate(createDtlsKeys().certPem);
    assert.match(cert.serialNumber, /^[4-7][0-9A-F]{15}$/, 'a positive 63-bit serial without a leading zero byte');
  }
});

test('a certificate made after 2040 ends after 2050 in GeneralizedTime, not as a year 19xx', () => {
  const cert = new X509Certificate(createDtlsKeys(new Date('2045-06-01T00:00:00Z')).certPem);
  assert.equal(new Date(cert.validTo).getUTCFullYear(), 2055);
  assert.equal(new Date(cert.validFrom).getUTCFullYear(), 2045);
});
