/**
 * An independent JWT signer and RS256 key server for tests. The signer uses
 * node:crypto directly (not jose, not Confab's own signer), so a test token
 * proves that tokens made by someone else's library verify.
 */
import { createHash, createHmac, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export interface SignOptions {
  /** HS256/384/512 secret. */
  readonly secret?: string | Buffer;
  /** RS256/384/512 private key. */
  readonly privateKey?: KeyObject;
  readonly alg?: string;
  readonly kid?: string;
  /** Extra or replacement header fields. */
  readonly header?: Record<string, unknown>;
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(claims: Record<string, unknown>, options: SignOptions): string {
  const alg = options.alg ?? (options.privateKey ? 'RS256' : 'HS256');
  const header = { alg, typ: 'JWT', ...(options.kid !== undefined ? { kid: options.kid } : {}), ...options.header };
  const input = `${b64url(header)}.${b64url(claims)}`;
  const bits = alg.slice(2);
  let signature = '';
  if (alg.startsWith('HS')) {
    signature = createHmac(`sha${bits}`, options.secret ?? '').update(input).digest('base64url');
  } else if (alg.startsWith('RS')) {
    if (!options.privateKey) throw new Error('RS signing needs a private key');
    signature = createSign(`RSA-SHA${bits}`).update(input).sign(options.privateKey, 'base64url');
  }
  return `${input}.${signature}`;
}

export const nowS = (): number => Math.floor(Date.now() / 1000);

export function rsaKeyPair(): { publicKey: KeyObject; privateKey: KeyObject; publicPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKey, privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export interface KeyServer {
  /** Base URL for JWT_ASAP_KEYSERVER, e.g. http://127.0.0.1:40000/keys */
  readonly url: string;
  /** kid -> PEM served at <url>/<hex(sha256(kid))>.pem */
  readonly keys: Map<string, string>;
  /** Paths requested, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** A Jitsi-style ASAP key server on loopback. */
export async function startKeyServer(): Promise<KeyServer> {
  const keys = new Map<string, string>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    for (const [kid, pem] of keys) {
      if (req.url === `/keys/${createHash('sha256').update(kid).digest('hex')}.pem`) {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pem);
        return;
      }
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/keys`,
    keys,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
