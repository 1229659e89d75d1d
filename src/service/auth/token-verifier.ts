/**
 * Verifies Jitsi-style JWTs, with the same rules as Jitsi's prosody token
 * plugin, and says exactly which check failed.
 *
 * Checks, in the order a failure is reported:
 *   format     three base64url parts, JSON header and claims
 *   algorithm  explicit allow-list: HS256/384/512 only with JWT_APP_SECRET,
 *              RS256/384/512 only with JWT_ASAP_KEYSERVER (and a `kid`);
 *              `none` never. HS is always checked against the app secret,
 *              never against a fetched public key, so the HS/RS key
 *              confusion attack has nothing to use.
 *   signature  jose's compact JWS verification
 *   time       `exp` and `nbf`: numbers when present, enforced (no leeway,
 *              like Jitsi); a token without `exp` never expires (also like Jitsi)
 *   iss        in JWT_ACCEPTED_ISSUERS (`*`: any)
 *   aud        in JWT_ACCEPTED_AUDIENCES (`*`: any); a string or an array
 *   room       the room name, compared as room names are (NFC, Unicode case
 *              folding: src/protocol/room-name.ts), or `*`
 *   sub        with JWT_ENABLE_DOMAIN_VERIFICATION: the tenant for
 *              /<tenant>/<room>, XMPP_DOMAIN for /<room>, or `*`
 *
 * `inspect()` runs every check it can and reports each one (for
 * `confab token verify`); `verify()` throws the first failure as a
 * ConfabError whose message names the values involved. Neither ever puts
 * the secret or the whole token in a message.
 */
import type { KeyObject } from 'node:crypto';
import { compactVerify, errors as joseErrors } from 'jose';
import { ConfabError } from '../../protocol/errors.js';
import { sameName, type RoomAddress } from '../../protocol/room-name.js';
import { AsapKeyServer, type KeySource } from './key-server.js';
import { checkRoom, checkTime, identityFromClaims } from './token-claims.js';
import { quote, typeName } from './token-text.js';
import {
  fail,
  HS_ALGORITHMS,
  isObject,
  pass,
  RS_ALGORITHMS,
  skip,
  CHECK_ORDER,
  type CheckName,
  type Claims,
  type Outcome,
  type TokenInspection,
  type TokenTarget,
  type VerifiedToken,
  type VerifierSettings,
} from './token-types.js';

export { identityFromClaims } from './token-claims.js';
export * from './token-types.js';

/**
 * Strict base64url (RFC 7515 section 2): only its alphabet, no padding, and the
 * one encoding of its bytes (no stray bits in the last character). Lenient
 * decoders take `sig=` or a changed last character as the same signature,
 * so one token would have many spellings (issue 11: `=` appended was accepted).
 */
function isStrictBase64url(part: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part;
}

function decodePart(part: string, what: 'header' | 'claims'): Record<string, unknown> {
  if (!isStrictBase64url(part)) throw new Error(`the token's ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new Error(`the token's ${what} is not base64url-encoded JSON`);
  }
  if (!isObject(value)) throw new Error(`the token's ${what} is JSON ${typeName(value)}, not an object`);
  return value;
}

export class TokenVerifier {
  readonly keys: KeySource | undefined;

  constructor(
    private readonly settings: VerifierSettings,
    keys?: KeySource,
  ) {
    this.keys = keys ?? (settings.asapKeyServer ? new AsapKeyServer(settings.asapKeyServer) : undefined);
  }

  /** The algorithms this configuration can verify. */
  get allowedAlgorithms(): string[] {
    return [...(this.settings.appSecret ? HS_ALGORITHMS : []), ...(this.keys ? RS_ALGORITHMS : [])];
  }

  /** Verifies for admission to `address`: the claims and identity, or the first failure thrown. */
  async verify(token: string, address: RoomAddress, now = Date.now()): Promise<VerifiedToken> {
    const inspection = await this.inspect(token, address, now);
    if (inspection.failure) throw inspection.failure;
    const claims = inspection.claims!;
    return { claims, identity: identityFromClaims(claims) };
  }

  /** Runs every check that can run and reports each. Never throws for a bad token. */
  async inspect(token: string, target: TokenTarget, now = Date.now()): Promise<TokenInspection> {
    const checks = new Map<CheckName, Outcome>();
    const parts = token.split('.');
    let header: Record<string, unknown> | undefined;
    let claims: Record<string, unknown> | undefined;
    if (parts.length !== 3) {
      checks.set(
        'format',
        fail('token_malformed', `the token is not a JWT: expected 3 parts separated by '.', got ${parts.length}${parts.length === 5 ? ' (an encrypted JWE, which Confab does not accept)' : ''}`),
      );
    } else {
      try {
        header = decodePart(parts[0]!, 'header');
        claims = decodePart(parts[1]!, 'claims');
        // (Empty is left to the algorithm check: an unsigned `alg: none` token is refused there, saying so.)
        if (parts[2] !== '' && !isStrictBase64url(parts[2]!)) throw new Error("the token's signature is not base64url (no '=' padding, no other characters)");
        checks.set('format', pass(`JWT, header ${quote(JSON.stringify(header))}`));
      } catch (error) {
        header = undefined;
        claims = undefined;
        checks.set('format', fail('token_malformed', (error as Error).message));
      }
    }
    if (!header || !claims) {
      for (const name of CHECK_ORDER) if (!checks.has(name)) checks.set(name, skip('not checked: the token could not be decoded'));
      return this.result(header, claims, checks);
    }

    const algorithm = this.checkAlgorithm(header);
    checks.set('algorithm', algorithm.outcome);
    checks.set('signature', algorithm.outcome.result === 'fail' ? skip('not checked: the algorithm is not allowed') : await this.checkSignature(token, header));
    checks.set('time', checkTime(claims, now));
    checks.set('iss', this.checkIssuer(claims));
    checks.set('aud', this.checkAudience(claims));
    checks.set('room', checkRoom(claims, target));
    checks.set('sub', this.checkSubject(claims, target));
    return this.result(header, claims, checks);
  }

  private result(header: Claims | undefined, claims: Claims | undefined, outcomes: Map<CheckName, Outcome>): TokenInspection {
    const checks = CHECK_ORDER.map((name) => ({ name, ...outcomes.get(name)! }));
    const first = checks.find((c) => c.result === 'fail');
    return { header, claims, checks, failure: first ? new ConfabError(first.code!, first.detail) : undefined };
  }

  private checkAlgorithm(header: Claims): { outcome: Outcome } {
    const alg = header.alg;
    const allowed = this.allowedAlgorithms;
    const allowedText = allowed.length > 0 ? allowed.join(', ') : 'none: set JWT_APP_SECRET or JWT_ASAP_KEYSERVER';
    if (typeof alg !== 'string' || alg === '') {
      return { outcome: fail('token_malformed', `the token header has no 'alg' (allowed: ${allowedText})`) };
    }
    if (alg.toLowerCase() === 'none') {
      return { outcome: fail('token_algorithm_not_allowed', `token algorithm 'none' (an unsigned token) is never accepted (allowed: ${allowedText})`) };
    }
    if ((HS_ALGORITHMS as readonly string[]).includes(alg) && !this.settings.appSecret) {
      return {
        outcome: fail(
          'token_algorithm_not_allowed',
          `token algorithm ${quote(alg)} is not allowed: this server has no JWT_APP_SECRET and accepts only ${allowedText}, signed with keys from JWT_ASAP_KEYSERVER`,
        ),
      };
    }
    if ((RS_ALGORITHMS as readonly string[]).includes(alg) && !this.keys) {
      return {
        outcome: fail('token_algorithm_not_allowed', `token algorithm ${quote(alg)} is not allowed: this server has no JWT_ASAP_KEYSERVER and accepts only ${allowedText}`),
      };
    }
    if (!allowed.includes(alg)) {
      return { outcome: fail('token_algorithm_not_allowed', `token algorithm ${quote(alg)} is not allowed (allowed: ${allowedText})`) };
    }
    if (alg.startsWith('RS') && (typeof header.kid !== 'string' || header.kid === '')) {
      return {
        outcome: fail('token_malformed', `the ${alg} token has no 'kid' header: it must name the key to fetch from JWT_ASAP_KEYSERVER`),
      };
    }
    return { outcome: pass(`${alg} is allowed (${alg.startsWith('HS') ? this.settings.appSecretSource ?? 'JWT_APP_SECRET' : 'JWT_ASAP_KEYSERVER'})`) };
  }

  private async checkSignature(token: string, header: Claims): Promise<Outcome> {
    const alg = header.alg as string;
    let key: Uint8Array | KeyObject;
    let keyName: string;
    if (alg.startsWith('HS')) {
      key = new TextEncoder().encode(this.settings.appSecret!.reveal());
      keyName = this.settings.appSecretSource ?? 'JWT_APP_SECRET';
    } else {
      const kid = header.kid as string;
      keyName = `the public key for kid ${quote(kid)} from JWT_ASAP_KEYSERVER`;
      try {
        key = await this.keys!.publicKey(kid);
      } catch (error) {
        if (error instanceof ConfabError) return fail(error.code, error.message);
        return fail('token_key_unavailable', `cannot get ${keyName}: ${(error as Error).message}`);
      }
    }
    try {
      await compactVerify(token, key, { algorithms: [alg] });
      return pass(`${alg} signature matches ${keyName}`);
    } catch (error) {
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
        const hint = alg.startsWith('HS') ? ": the token was signed with a different secret (check the signer's secret for a stray space or newline)" : '';
        return fail('token_signature_invalid', `the token's ${alg} signature does not match ${keyName}${hint}`);
      }
      if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JOSENotSupported) {
        return fail('token_malformed', `the token's signature part is invalid: ${(error as Error).message}`);
      }
      // jose refuses unusable keys (e.g. an RSA key under 2048 bits) with a TypeError.
      return fail(alg.startsWith('RS') ? 'token_key_unavailable' : 'token_signature_invalid', `cannot check the ${alg} signature with ${keyName}: ${(error as Error).message}`);
    }
  }

  private checkIssuer(claims: Claims): Outcome {
    const accepted = this.settings.acceptedIssuers;
    const acceptedText = accepted.length > 0 ? accepted.join(', ') : 'none: set JWT_APP_ID or JWT_ACCEPTED_ISSUERS';
    const iss = claims.iss;
    if (iss === undefined) return fail('token_issuer_not_accepted', `the token has no 'iss' claim (accepted issuers: ${acceptedText})`);
    if (typeof iss !== 'string') return fail('token_issuer_not_accepted', `token iss must be a string, got ${typeName(iss)} (accepted issuers: ${acceptedText})`);
    if (accepted.includes('*')) return pass(`iss ${quote(iss)}: any issuer is accepted (*)`);
    if (accepted.includes(iss)) return pass(`iss ${quote(iss)} is accepted`);
    return fail('token_issuer_not_accepted', `token iss ${quote(iss)} is not an accepted issuer (accepted: ${acceptedText})`);
  }

  private checkAudience(claims: Claims): Outcome {
    const accepted = this.settings.acceptedAudiences;
    const aud = claims.aud;
    if (aud === undefined) return fail('token_audience_not_accepted', `the token has no 'aud' claim (accepted audiences: ${accepted.join(', ')})`);
    const values = Array.isArray(aud) ? aud : [aud];
    if (values.length === 0 || !values.every((v): v is string => typeof v === 'string')) {
      return fail('token_audience_not_accepted', `token aud must be a string or a list of strings, got ${quote(aud)}`);
    }
    const shown = quote(aud);
    if (accepted.includes('*')) return pass(`aud ${shown}: any audience is accepted (*)`);
    const match = values.find((v) => accepted.includes(v));
    if (match !== undefined) return pass(`aud ${quote(match)} is accepted`);
    return fail('token_audience_not_accepted', `token aud ${shown} is not an accepted audience (accepted: ${accepted.join(', ')})`);
  }

  private checkSubject(claims: Claims, target: TokenTarget): Outcome {
    const sub = claims.sub;
    const expected = target.tenant ?? this.settings.xmppDomain;
    const what = target.tenant !== undefined ? `tenant ${quote(expected)}` : `domain ${quote(expected)}`;
    if (!this.settings.domainVerification) {
      return skip(`not checked: JWT_ENABLE_DOMAIN_VERIFICATION is off${sub !== undefined ? ` (sub ${quote(sub)})` : ''}`);
    }
    if (sub === undefined) return fail('token_subject_mismatch', `the token has no 'sub' claim: it must be the ${what} (or '*')`);
    if (typeof sub !== 'string') return fail('token_subject_mismatch', `token sub must be a string, got ${typeName(sub)}: it must be the ${what} (or '*')`);
    if (sub === '*') return pass(`sub '*': any ${target.tenant !== undefined ? 'tenant' : 'domain'}`);
    if (sameName(sub, expected)) return pass(`sub ${quote(sub)} matches ${what}`);
    return fail('token_subject_mismatch', `token sub ${quote(sub)} does not match ${what}`);
  }
}

