/**
 * Checks on a token's claims that need no key or settings (time, room), and
 * the identity it carries (read in identity-claims.ts).
 */
import { sameName } from '../../protocol/room-name.js';
import { duration, isoSeconds, quote, typeName } from './token-text.js';
import { readIdentity } from './identity-claims.js';
import { fail, pass, skip, type Claims, type Outcome, type TokenIdentity, type TokenTarget } from './token-types.js';

export function checkTime(claims: Claims, now: number): Outcome {
  const { exp, nbf } = claims;
  for (const [name, value] of [['exp', exp], ['nbf', nbf]] as const) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      return fail('token_malformed', `token claim '${name}' must be a number of seconds since 1970, got ${typeName(value)} ${quote(value)}`);
    }
  }
  const nowS = now / 1000;
  if (typeof exp === 'number' && nowS >= exp) {
    return fail('token_expired', `token expired ${duration(nowS - exp)} ago (exp ${isoSeconds(exp)}, server time ${isoSeconds(Math.floor(nowS))})`);
  }
  if (typeof nbf === 'number' && nowS < nbf) {
    return fail('token_not_yet_valid', `token is not valid for another ${duration(Math.ceil(nbf - nowS))} (nbf ${isoSeconds(nbf)}, server time ${isoSeconds(Math.floor(nowS))})`);
  }
  if (typeof exp !== 'number') return pass('no exp: the token never expires');
  return pass(`valid for another ${duration(exp - nowS)} (exp ${isoSeconds(exp)})`);
}

export function checkRoom(claims: Claims, target: TokenTarget): Outcome {
  const room = claims.room;
  if (room === undefined) return fail('token_room_mismatch', `the token has no 'room' claim: it must name the room${target.room ? ` ${quote(target.room)}` : ''} (or '*')`);
  if (typeof room !== 'string') return fail('token_room_mismatch', `token room must be a string, got ${typeName(room)}`);
  if (target.room === undefined) return skip(`token is for room ${quote(room)} (no room given to compare)`);
  if (room === '*') return pass(`room '*': any room`);
  // The same comparison as room addresses: NFC, Unicode case folding (src/protocol/room-name.ts).
  if (sameName(room, target.room)) return pass(`room ${quote(room)} matches room ${quote(target.room)}`);
  return fail('token_room_mismatch', `token room ${quote(room)} does not match room ${quote(target.room)}`);
}

/** Who the token says its holder is (identity-claims.ts), ignoring values of the wrong type. */
export function identityFromClaims(claims: Claims): TokenIdentity {
  return readIdentity(claims).identity;
}
