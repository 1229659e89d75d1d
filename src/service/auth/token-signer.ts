/**
 * Makes Jitsi-style tokens with the configured app id and secret (HS*), or
 * with an RSA private key and its `kid` (RS*, Jitsi's ASAP: the server fetches
 * the public key from JWT_ASAP_KEYSERVER), as a class platform's backend
 * does: `confab token` uses it to hand out test links.
 * The claims are the ones TokenVerifier checks: iss = JWT_APP_ID,
 * aud = the first accepted audience (jitsi), sub = the tenant or
 * XMPP_DOMAIN, room, iat/exp, and context.user.
 */
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AuthConfig } from '../../config/config.js';
import { HS_ALGORITHMS, RS_ALGORITHMS } from './token-verifier.js';

export interface TokenRequest {
  /** Lowercase room name, or `*` for any room. */
  readonly room: string;
  readonly tenant?: string;
  readonly name?: string;
  readonly email?: string;
  readonly userId?: string;
  readonly avatar?: string;
  readonly moderator?: boolean;
  readonly ttlSeconds: number;
  /** HS256 by default, RS256 with `rsaKey`. */
  readonly algorithm?: (typeof HS_ALGORITHMS)[number] | (typeof RS_ALGORITHMS)[number];
  /** Sign RS* with this RSA private key instead of the app secret; `kid` goes into the header. */
  readonly rsaKey?: { readonly privateKey: KeyObject; readonly kid: string };
}

export interface SignedToken {
  readonly token: string;
  readonly claims: Record<string, unknown>;
}

export async function signToken(auth: Pick<AuthConfig, 'appId' | 'appSecret' | 'acceptedAudiences' | 'xmppDomain'>, request: TokenRequest, now = Date.now()): Promise<SignedToken> {
  if (!auth.appId) throw new Error('JWT_APP_ID is not set: it is the iss of every token');
  const alg = request.algorithm ?? (request.rsaKey ? 'RS256' : 'HS256');
  let key: Uint8Array | KeyObject;
  let header: { alg: string; kid?: string; typ: 'JWT' };
  if (request.rsaKey) {
    if (!(RS_ALGORITHMS as readonly string[]).includes(alg)) throw new Error(`${alg} cannot be signed with an RSA private key: use ${RS_ALGORITHMS.join(', ')}`);
    if (!request.rsaKey.kid) throw new Error(`an ${alg} token needs a kid: it names the public key on JWT_ASAP_KEYSERVER`);
    key = request.rsaKey.privateKey;
    header = { alg, kid: request.rsaKey.kid, typ: 'JWT' };
  } else {
    if (!(HS_ALGORITHMS as readonly string[]).includes(alg)) throw new Error(`${alg} needs an RSA private key and a kid (--private-key, --kid)`);
    if (!auth.appSecret) throw new Error('no secret: set JWT_APP_SECRET or JWT_APP_SECRET_FILE, or pass --secret-file');
    key = new TextEncoder().encode(auth.appSecret.reveal());
    header = { alg, typ: 'JWT' };
  }
  const iat = Math.floor(now / 1000);
  const user: Record<string, unknown> = {};
  if (request.userId) user.id = request.userId;
  if (request.name) user.name = request.name;
  if (request.email) user.email = request.email;
  if (request.avatar) user.avatar = request.avatar;
  user.moderator = request.moderator === true;
  const claims: Record<string, unknown> = {
    iss: auth.appId,
    aud: auth.acceptedAudiences.find((a) => a !== '*') ?? 'jitsi',
    sub: request.tenant ?? auth.xmppDomain,
    room: request.room,
    iat,
    exp: iat + request.ttlSeconds,
    context: { user },
  };
  const token = await new SignJWT(claims).setProtectedHeader(header).sign(key);
  return { token, claims };
}
