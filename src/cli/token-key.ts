/**
 * `confab token --private-key <file.pem>`: reads the RSA private key an RS256/
 * RS384/RS512 token is signed with, and says in words what is wrong with a
 * file that is not one (a public key, a certificate, an encrypted or OpenSSH
 * key, an EC key, a key too short for the server to accept).
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** jose (and so Confab's server) refuses RS keys shorter than this. */
export const MIN_RSA_BITS = 2048;

/** A key file that cannot be used; the message names the flag and the file. */
export class KeyFileError extends Error {}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** The RSA private key in `file` (PEM: PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`). */
export function readRsaPrivateKey(file: string, flag = '--private-key'): KeyObject {
  const named = `${flag} '${file}'`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new KeyFileError(`cannot read ${named}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1]!, pem: m[0] }));
  const wanted = "a PEM private key ('-----BEGIN PRIVATE KEY-----', PKCS#8, or '-----BEGIN RSA PRIVATE KEY-----', PKCS#1)";
  const block = blocks.find((b) => b.label.endsWith('PRIVATE KEY'));
  if (!block) {
    const publicKey = blocks.find((b) => b.label.endsWith('PUBLIC KEY'));
    if (publicKey) {
      throw new KeyFileError(`${named} holds a public key ('${publicKey.label}'), not a private key: give the private key; the public key is what the key server serves`);
    }
    if (blocks.some((b) => b.label.includes('CERTIFICATE'))) {
      throw new KeyFileError(`${named} holds a certificate, not a private key: give the private key (the key server serves a public key, not a certificate)`);
    }
    throw new KeyFileError(`${named} is not ${wanted}`);
  }
  if (block.label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type:\s*4,ENCRYPTED/m.test(block.pem)) {
    throw new KeyFileError(`${named} is encrypted with a passphrase: decrypt a copy first (openssl pkey -in ${file} -out plain.pem)`);
  }
  if (block.label === 'OPENSSH PRIVATE KEY') {
    throw new KeyFileError(`${named} is in OpenSSH's format: convert a copy to PEM (ssh-keygen -p -m PKCS8 -f <copy>) or make one with openssl genpkey -algorithm RSA`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(block.pem);
  } catch (error) {
    throw new KeyFileError(`${named} is not ${wanted}: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    // Named by its letters, read aloud: an EC key, an ED25519 key, a DSA key.
    const type = key.asymmetricKeyType === 'rsa-pss' ? 'RSA-PSS' : (key.asymmetricKeyType ?? 'unknown').toUpperCase();
    throw new KeyFileError(`${named} is ${/^[AEFHILMNORSX]/.test(type) ? 'an' : 'a'} ${type} key: RS256, RS384 and RS512 need an RSA key`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw new KeyFileError(`${named} is a ${bits}-bit RSA key: use at least ${MIN_RSA_BITS} bits (the server refuses RS tokens signed with shorter keys)`);
  }
  return key;
}

/** The public half of `privateKey`, as the key server serves it (PEM `PUBLIC KEY`, SPKI). */
export function publicKeyPem(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
}
