/**
 * Who a verified token says its holder is, read the way platforms actually
 * write tokens, and what was read from where (for `confab token verify`).
 *
 * - name, id, email, avatar: `context.user.*` (Jitsi's claims).
 * - moderator: `context.user.moderator` (Jitsi), the top-level `moderator`
 *   (the token-moderation plugin's convention, which several LMS
 *   integrations follow), or `context.user.affiliation` (owner, moderator,
 *   teacher: yes; any other affiliation: no). `true` or `"true"` says yes,
 *   `false` or `"false"` says no. Any one yes makes a moderator; otherwise an
 *   explicit no (or a value that is neither, such as `1` or `"yes"`, which is
 *   read as no and warned about) means never a moderator, not even by
 *   auto-owner; no claim at all leaves it to auto-owner.
 *
 * Claims that look meant for the identity but sit where Jitsi does not read
 * them (`context.moderator`, a top-level `name`, `user` outside `context`...)
 * are ignored, each with a warning, so `token verify` explains why a teacher
 * joined as a student.
 */
import { quote, typeName } from './token-text.js';
import { isObject, MODERATOR_AFFILIATIONS, type Claims, type TokenIdentity } from './token-types.js';

/** What the token says about moderating: yes, an explicit no, or nothing. */
export type ModeratorClaim = 'yes' | 'no' | 'absent';

export type IdentityField = 'name' | 'id' | 'email' | 'avatar' | 'moderator' | 'features';

export interface FieldSource {
  readonly field: IdentityField;
  /** The value as the server uses it, in words. */
  readonly value: string;
  /** Where it was read from, or why there is none. */
  readonly from: string;
}

export interface IdentityReading {
  readonly identity: TokenIdentity;
  readonly sources: readonly FieldSource[];
  /** Claims that were ignored or read in a way the platform may not expect. */
  readonly warnings: readonly string[];
}

const TEXT_LIMITS = { name: 80, id: 256, email: 256, avatar: 2048 } as const;
/** Identity claims in `context.user`: misplaced copies of these are warned about. */
const USER_FIELDS = ['name', 'id', 'email', 'avatar', 'moderator', 'affiliation'] as const;

type Vote = { readonly say: 'yes' | 'no'; readonly from: string; readonly raw: unknown };

/** A moderator flag (`true`/`"true"`, `false`/`"false"`); anything else is a no, with a warning. */
function flag(value: unknown, path: string, warnings: string[]): Vote | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return { say: 'yes', from: path, raw: value };
  if (value === false || value === 'false') return { say: 'no', from: path, raw: value };
  warnings.push(`${path} is ${typeName(value)} ${quote(value)}: only true or "true" make a moderator (false or "false" say not); read as not a moderator`);
  return { say: 'no', from: path, raw: value };
}

function affiliation(value: unknown, warnings: string[]): Vote | undefined {
  const path = 'context.user.affiliation';
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    warnings.push(`${path} is ${typeName(value)} ${quote(value)}: it should be a string such as 'owner' or 'member'; read as not a moderator`);
    return { say: 'no', from: path, raw: value };
  }
  const yes = (MODERATOR_AFFILIATIONS as readonly string[]).includes(value.trim().toLowerCase());
  return { say: yes ? 'yes' : 'no', from: path, raw: value };
}

export function readIdentity(claims: Claims): IdentityReading {
  const warnings: string[] = [];
  const sources: FieldSource[] = [];
  const context = isObject(claims.context) ? claims.context : {};
  if (claims.context !== undefined && !isObject(claims.context)) warnings.push(`context is ${typeName(claims.context)}, not an object: ignored`);
  const user = isObject(context.user) ? context.user : {};
  if (context.user !== undefined && !isObject(context.user)) warnings.push(`context.user is ${typeName(context.user)}, not an object: ignored`);

  const text = (field: keyof typeof TEXT_LIMITS): string | undefined => {
    const path = `context.user.${field}`;
    const v = user[field];
    if (v === undefined) {
      sources.push({ field, value: '(none)', from: `no ${path}` });
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      warnings.push(`${path} is ${typeof v === 'string' ? 'empty' : `${typeName(v)} ${quote(v)}`}: ignored (it must be a non-empty string)`);
      sources.push({ field, value: '(none)', from: `${path} ignored` });
      return undefined;
    }
    const value = v.trim().slice(0, TEXT_LIMITS[field]);
    sources.push({ field, value: quote(value), from: path });
    return value;
  };
  const name = text('name');
  const userId = text('id');
  const email = text('email');
  const avatar = text('avatar');

  // Moderator: each place a platform may say it, in the order they are listed.
  const votes = [flag(user.moderator, 'context.user.moderator', warnings), flag(claims.moderator, 'moderator (top level)', warnings), affiliation(user.affiliation, warnings)].filter(
    (v): v is Vote => v !== undefined,
  );
  const yes = votes.find((v) => v.say === 'yes');
  const no = votes.find((v) => v.say === 'no');
  const moderatorClaim: ModeratorClaim = yes ? 'yes' : no ? 'no' : 'absent';
  if (yes && no) warnings.push(`${no.from} says not a moderator (${quote(no.raw)}) but ${yes.from} says moderator (${quote(yes.raw)}): read as moderator`);
  const decided = yes ?? no;
  sources.push({
    field: 'moderator',
    value: moderatorClaim === 'yes' ? 'moderator' : moderatorClaim === 'no' ? 'not a moderator (never made one by auto-owner)' : 'no claim (auto-owner may make them moderator)',
    from: decided ? `${decided.from}: ${quote(decided.raw)}` : 'none of context.user.moderator, moderator, context.user.affiliation',
  });

  const features = isObject(context.features) ? Object.freeze({ ...context.features }) : undefined;
  if (context.features !== undefined && !features) warnings.push(`context.features is ${typeName(context.features)}, not an object: ignored`);
  sources.push({ field: 'features', value: features ? Object.keys(features).join(', ') || '(empty)' : '(none)', from: features ? 'context.features' : 'no context.features' });

  warnMisplaced(claims, context, warnings);
  return {
    identity: {
      userId,
      name,
      email,
      avatar,
      moderator: moderatorClaim === 'yes',
      moderatorClaim,
      features,
      expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : undefined,
    },
    sources,
    warnings,
  };
}

/** Identity claims put one level too high: in `context` instead of `context.user`, or at the top level. */
function warnMisplaced(claims: Claims, context: Record<string, unknown>, warnings: string[]): void {
  for (const field of USER_FIELDS) {
    if (context[field] !== undefined) {
      const also = field === 'moderator' ? ' (or a top-level moderator)' : '';
      warnings.push(`context.${field} is ignored: it belongs in context.user.${field}${also}`);
    }
  }
  for (const field of ['name', 'email', 'avatar', 'affiliation'] as const) {
    if (claims[field] !== undefined) warnings.push(`top-level ${field} is ignored: it belongs in context.user.${field}`);
  }
  if (claims.user !== undefined) warnings.push('top-level user is ignored: it belongs in context.user');
  if (claims.features !== undefined) warnings.push('top-level features is ignored: it belongs in context.features');
}
