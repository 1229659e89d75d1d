/**
 * Makes Jitsi-style tokens with the configured app id and secret, as a class
 * platform's backend does: `confab token` uses it to hand out test links.
 * The claims are the ones TokenVerifier checks: iss = JWT_APP_ID,
 * aud = the first accepted audience (jitsi), sub = the tenant or
 * XMPP_DOMAIN, room, iat/exp, and context.user.
 */
import { SignJWT } from 'jose';
import type { AuthConfig } from '../../config/config.js';
import { HS_ALGORITHMS } from './token-verifier.js';

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
  readonly algorithm?: (typeof HS_ALGORITHMS)[number];
}

export interface SignedToken {
  readonly token: string;
  readonly claims: Record<string, unknown>;
}

export async function signToken(auth: Pick<AuthConfig, 'appId' | 'appSecret' | 'acceptedAudiences' | 'xmppDomain'>, request: TokenRequest, now = Date.now()): Promise<SignedToken> {
  if (!auth.appId) throw new Error('JWT_APP_ID is not set: it is the iss of every token');
  if (!auth.appSecret) throw new Error('no secret: set JWT_APP_SECRET or JWT_APP_SECRET_FILE, or pass --secret-file');
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
  const alg = request.algorithm ?? 'HS256';
  const token = await new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(auth.appSecret.reveal()));
  return { token, claims };
}
