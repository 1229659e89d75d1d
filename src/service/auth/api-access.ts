/**
 * Who may read the REST API (`GET /api/rooms...`): the class platform's
 * backend, proving it with `Authorization: Bearer <token>`:
 *
 * - a JWT signed with the app secret (or a JWT_ASAP_KEYSERVER key), checked by
 *   the same TokenVerifier as joins, for the room asked about (`room: "*"` to
 *   list rooms) and with a moderator claim: a student's join token must not
 *   reveal the other students' emails. Works whenever a secret or key server
 *   is configured, with ENABLE_AUTH on or off (only the secret's holder can
 *   sign, either way).
 * - or API_TOKEN, a static secret for deployments without JWTs: full access.
 *
 * With neither configured the API is refused (`api_not_configured`): rooms
 * may be open, but who attends them is not public.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthConfig } from '../../config/config.js';
import type { Secret } from '../../config/secret.js';
import { ConfabError } from '../../protocol/errors.js';
import { TokenVerifier, identityFromClaims } from './token-verifier.js';

/** Which rooms a request may see. */
export interface ApiGrant {
  /** 'api_token', or the JWT's `iss`. */
  readonly by: string;
  /** Rooms of this tenant only (undefined: rooms without a tenant); 'any' sees every tenant. */
  readonly tenant: string | undefined | 'any';
}

/** What is asked: one room (participants), or every room (`room` undefined), optionally of one tenant. */
export interface ApiTarget {
  readonly room?: string;
  readonly tenant?: string;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class ApiAccess {
  readonly #verifier: TokenVerifier | undefined;

  constructor(
    private readonly auth: AuthConfig,
    private readonly apiToken: Secret | undefined,
    verifier?: TokenVerifier,
  ) {
    this.#verifier = verifier ?? (auth.appSecret || auth.asapKeyServer ? new TokenVerifier(auth) : undefined);
  }

  get configured(): boolean {
    return this.#verifier !== undefined || this.apiToken !== undefined;
  }

  /** Resolves with the grant, or throws a ConfabError (401/403 in the catalogue). */
  async authorize(authorization: string | undefined, target: ApiTarget): Promise<ApiGrant> {
    if (!this.configured) {
      throw new ConfabError('api_not_configured', 'the API is off: set JWT_APP_SECRET (or JWT_ASAP_KEYSERVER) to accept tokens signed with it, or API_TOKEN');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) {
      throw new ConfabError(
        'token_missing',
        authorization ? "the Authorization header must be 'Bearer <token>'" : "the API needs an 'Authorization: Bearer <token>' header (a token signed with the app secret, or API_TOKEN)",
      );
    }
    const bearer = match[1]!;
    if (this.apiToken && timingSafeEqual(digest(bearer), digest(this.apiToken.reveal()))) {
      return { by: 'api_token', tenant: target.tenant ?? 'any' };
    }
    // Not a JWT and API_TOKEN is set: a wrong API_TOKEN. Otherwise the verifier says what is wrong with the JWT.
    const looksLikeJwt = bearer.split('.').length >= 3;
    if (!this.#verifier || (this.apiToken && !looksLikeJwt)) {
      throw new ConfabError(
        'api_token_invalid',
        this.#verifier ? 'the bearer token is neither API_TOKEN nor a JWT' : 'the bearer token is not API_TOKEN (this server has no JWT_APP_SECRET to check JWTs with)',
      );
    }
    return this.grantForJwt(bearer, target);
  }

  private async grantForJwt(token: string, target: ApiTarget): Promise<ApiGrant> {
    // Listing rooms needs a token for every room, as `room: "*"` gives for joins.
    const inspection = await this.#verifier!.inspect(token, { room: target.room ?? '*', tenant: target.tenant });
    if (inspection.failure) throw inspection.failure;
    const claims = inspection.claims!;
    if (!identityFromClaims(claims).moderator) {
      throw new ConfabError('api_forbidden', 'the token has no moderator claim (context.user.moderator or a top-level moderator true, or affiliation owner/moderator/teacher): participants cannot list who attends');
    }
    const by = typeof claims.iss === 'string' ? claims.iss : 'token';
    // With domain verification a token is for one tenant (its sub), unless sub is '*'.
    const anyTenant = !this.auth.domainVerification || claims.sub === '*';
    return { by, tenant: target.tenant ?? (anyTenant ? 'any' : undefined) };
  }
}
