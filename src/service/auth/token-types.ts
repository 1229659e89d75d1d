/**
 * The vocabulary of token verification: allowed algorithms, the checks in
 * the order failures are reported, what a check says, and what a verified
 * token yields (identity and moderator claim).
 */
import type { AuthConfig } from '../../config/config.js';
import type { ConfabError, ErrorCode } from '../../protocol/errors.js';

export const HS_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export const RS_ALGORITHMS = ['RS256', 'RS384', 'RS512'] as const;
/** `context.user.affiliation` values that make a moderator (Jitsi's token_affiliation). */
export const MODERATOR_AFFILIATIONS = ['owner', 'moderator', 'teacher'] as const;

export type CheckName = 'format' | 'algorithm' | 'signature' | 'time' | 'iss' | 'aud' | 'room' | 'sub';
export const CHECK_ORDER: readonly CheckName[] = ['format', 'algorithm', 'signature', 'time', 'iss', 'aud', 'room', 'sub'];

export interface TokenCheck {
  readonly name: CheckName;
  readonly result: 'pass' | 'fail' | 'skip';
  /** Why, in words, naming the values involved. */
  readonly detail: string;
  /** The error code, for a failure. */
  readonly code?: ErrorCode;
}

/** What to check `room` and `sub` against. Without a room, the room check is skipped. */
export interface TokenTarget {
  readonly room?: string;
  readonly tenant?: string;
}

export type Claims = Readonly<Record<string, unknown>>;

export interface TokenInspection {
  readonly header: Claims | undefined;
  readonly claims: Claims | undefined;
  /** One entry per check, in CHECK_ORDER. */
  readonly checks: readonly TokenCheck[];
  /** The first failed check as the error admission raises, or undefined when every check passed or was skipped. */
  readonly failure: ConfabError | undefined;
}

/** Who the token says its holder is (`context.user`, the top-level `moderator`, `context.features`). */
export interface TokenIdentity {
  readonly userId: string | undefined;
  readonly name: string | undefined;
  readonly email: string | undefined;
  readonly avatar: string | undefined;
  /** `context.user.moderator` or a top-level `moderator` true or "true", or an owner/moderator/teacher affiliation. */
  readonly moderator: boolean;
  /** What the token says about moderating: 'no' (it says not) keeps auto-owner away (identity-claims.ts). */
  readonly moderatorClaim: 'yes' | 'no' | 'absent';
  readonly features: Readonly<Record<string, unknown>> | undefined;
  /** `exp` in ms, if the token has one. */
  readonly expiresAt: number | undefined;
}

export interface VerifiedToken {
  readonly claims: Claims;
  readonly identity: TokenIdentity;
}

export type VerifierSettings = Pick<
  AuthConfig,
  'appSecret' | 'appSecretSource' | 'acceptedIssuers' | 'acceptedAudiences' | 'asapKeyServer' | 'domainVerification' | 'xmppDomain'
>;

export type Outcome = Omit<TokenCheck, 'name'>;
export const pass = (detail: string): Outcome => ({ result: 'pass', detail });
export const skip = (detail: string): Outcome => ({ result: 'skip', detail });
export const fail = (code: ErrorCode, detail: string): Outcome => ({ result: 'fail', code, detail });

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
