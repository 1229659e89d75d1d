/**
 * Who may join a room, decided before the participant is placed in it.
 *
 * With ENABLE_AUTH off every room is open and tokens are ignored (as in
 * Jitsi without auth). With it on, the token from the hello is verified for
 * the room's address; no token is refused with `token_missing`, or admitted
 * as a guest with JWT_ALLOW_EMPTY. The token's expiry gates admission only:
 * nothing here runs again during the call, and a reconnect after a lost
 * connection is admitted by its rejoin ticket (rejoin-tickets.ts).
 */
import type { AuthConfig } from '../../config/config.js';
import type { UserIdentity } from '../../conference/participant.js';
import { normalizeDisplayName } from '../../protocol/display-name.js';
import { ConfabError } from '../../protocol/errors.js';
import type { RoomAddress } from '../../protocol/room-name.js';
import { quote } from './token-text.js';
import { TokenVerifier } from './token-verifier.js';

export interface Admission {
  /** How the participant got in, for logs ('rejoin': a rejoin ticket from an earlier token admission). */
  readonly kind: 'open' | 'guest' | 'token' | 'rejoin';
  /** The token claims a moderator (`context.user.moderator`, a top-level `moderator`, or an affiliation). */
  readonly moderator: boolean;
  /**
   * What the token says about moderating ('absent' without a token). Auto-owner never promotes a
   * 'no', nor a guest (local-room-gateway.ts, docs/tokens.md).
   */
  readonly moderatorClaim: 'yes' | 'no' | 'absent';
  /**
   * Who this is across joins, for a moderator's block: the token's `sub` and `context.user.id`;
   * undefined without a user id (nobody to block but the connection).
   */
  readonly identityKey: string | undefined;
  /** `context.user` from a verified token. */
  readonly user: UserIdentity | undefined;
  /** The token's name, used when the client gives none. */
  readonly displayName: string | undefined;
  /** `context.features` from a verified token, kept for later use. */
  readonly features: Readonly<Record<string, unknown>> | undefined;
  /** The token's `iss`, for logs. */
  readonly issuer: string | undefined;
  /**
   * kind 'rejoin': when its ticket was issued (ms). In cluster mode the
   * ticket lives on the replica that issued it, and the room's host refuses
   * one issued before a moderator removed its identity or ended the class
   * (`rejoin_ticket_revoked`), whichever replica issued it.
   */
  readonly ticketIssuedAt?: number;
}

export interface AdmissionPolicy {
  /** Resolves with the admission, or throws a ConfabError with a token_* code. */
  admit(token: string | undefined, address: RoomAddress): Promise<Admission>;
}

const OPEN: Admission = Object.freeze({
  kind: 'open',
  moderator: false,
  moderatorClaim: 'absent',
  identityKey: undefined,
  user: undefined,
  displayName: undefined,
  features: undefined,
  issuer: undefined,
});
const GUEST: Admission = Object.freeze({ ...OPEN, kind: 'guest' });

/** Everyone is admitted; tokens are not looked at. */
export const openAdmission: AdmissionPolicy = { admit: () => Promise.resolve(OPEN) };

export class TokenAdmission implements AdmissionPolicy {
  readonly verifier: TokenVerifier;

  constructor(
    private readonly auth: AuthConfig,
    verifier?: TokenVerifier,
  ) {
    this.verifier = verifier ?? new TokenVerifier(auth);
  }

  async admit(token: string | undefined, address: RoomAddress): Promise<Admission> {
    if (token === undefined || token === '') {
      if (this.auth.allowEmpty) return GUEST;
      throw new ConfabError('token_missing', `room ${quote(address.key)} needs a token: open the meeting from your class platform (its link ends in ?jwt=...)`);
    }
    const { claims, identity } = await this.verifier.verify(token, address);
    // The token's name reaches the room, the webhooks and the REST API: normalised like any other.
    const name = identity.name === undefined ? undefined : normalizeDisplayName(identity.name) || undefined;
    return {
      kind: 'token',
      moderator: identity.moderator,
      moderatorClaim: identity.moderatorClaim,
      identityKey: identity.userId === undefined ? undefined : identityKey(claims.sub, identity.userId),
      user: { id: identity.userId, name, email: identity.email, avatar: identity.avatar },
      displayName: name,
      features: identity.features,
      issuer: typeof claims.iss === 'string' ? claims.iss : undefined,
    };
  }
}

/**
 * Whether auto-owner may make this arrival a moderator while nobody in the room moderates: not
 * when the token says they are not one, nor a guest without a token while tokens are required
 * (JWT_ALLOW_EMPTY). Issue 12: an early student must never take a class over.
 */
export function mayAutoOwn(admission: Admission): boolean {
  return admission.moderatorClaim !== 'no' && admission.kind !== 'guest';
}

/** `sub` and user id together: the same user id under another tenant (sub) is someone else. */
export function identityKey(sub: unknown, userId: string): string {
  return JSON.stringify([typeof sub === 'string' ? sub : '', userId]);
}

/**
 * The token verifier a configuration needs: for joins with ENABLE_AUTH, and
 * for the REST API whenever a secret or key server is set (auth on or off).
 * One instance, so both share its cache of key-server keys.
 */
export function tokenVerifierFor(auth: AuthConfig): TokenVerifier | undefined {
  return auth.enabled || auth.appSecret || auth.asapKeyServer ? new TokenVerifier(auth) : undefined;
}

/** The policy a configuration asks for. */
export function admissionPolicy(auth: AuthConfig, verifier = tokenVerifierFor(auth)): AdmissionPolicy {
  return auth.enabled ? new TokenAdmission(auth, verifier) : openAdmission;
}
