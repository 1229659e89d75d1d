/**
 * Check 4: tokens. With `--token` (or `--secret-file` to mint one) the
 * server must admit it at hello, or the doctor prints its exact refusal
 * code and message. Without either, it learns whether rooms are open.
 * Also decides the room and token the media bots use.
 */
import { foldName } from '../../protocol/room-name.js';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../config/config.js';
import { Secret } from '../../config/secret.js';
import { ERRORS, isErrorCode } from '../../protocol/errors.js';
import { signToken } from '../../service/auth/token-signer.js';
import { botSignaling, NO_SIGNALING, signalingNote } from './bot-signaling.js';
import { helloProbe } from './hello-probe.js';
import type { DoctorContext, DoctorOptions, Report } from './types.js';

/** What the operator can change, per refusal (the catalogue's messages speak to participants). */
const TOKEN_FIXES: Record<string, string> = {
  token_missing: 'the server requires a token (ENABLE_AUTH=1): pass --token <jwt>, or --secret-file <file> [--room <room>] to mint one',
  token_malformed: 'the token is not a complete JWT: pass the three dot-separated parts, without "?jwt=" or line breaks',
  token_signature_invalid: "the token was signed with another secret than the server's JWT_APP_SECRET (or JWT_APP_SECRET_FILE); make both sides use the same one",
  token_algorithm_not_allowed: 'sign with HS256/HS384/HS512 and JWT_APP_SECRET, or RS256 with a kid header and JWT_ASAP_KEYSERVER on the server',
  token_key_unavailable: "the server could not fetch the RS256 public key: JWT_ASAP_KEYSERVER must serve <url>/<hex(sha256(kid))>.pem to the server",
  token_expired: "mint a fresh token; if fresh tokens expire too, the signer's or the server's clock is wrong (check NTP)",
  token_not_yet_valid: "the token's nbf is in the future: the signer's or the server's clock is wrong (check NTP)",
  token_issuer_not_accepted: "the token's iss must be the server's JWT_APP_ID or be listed in JWT_ACCEPTED_ISSUERS",
  token_audience_not_accepted: "the token's aud must be listed in the server's JWT_ACCEPTED_AUDIENCES (default: jitsi)",
  token_room_mismatch: "the token is for another room: pass --room <the token's room>, or mint tokens with room '*' for any room",
  token_subject_mismatch: 'with JWT_ENABLE_DOMAIN_VERIFICATION the sub must be the tenant (pass --tenant) or the server\'s XMPP_DOMAIN',
  room_full: 'the room is full (MAX_PARTICIPANTS_PER_ROOM): try another --room',
  server_not_ready: 'the server is starting or shutting down: try again in a moment, and see the health check',
  protocol_version_unsupported: 'this doctor and the server speak different protocol versions: run the doctor of the same Confab version',
};

/** The token's claims, read without verifying (the server verifies; we only want its room). */
function claims(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function mint(o: DoctorOptions, room: string): Promise<string> {
  const auth = loadConfig(o.env).auth;
  const secret = readFileSync(o.secretFile!, 'utf8').trim();
  if (secret === '') throw new Error(`the secret file '${o.secretFile}' is empty`);
  const signed = await signToken(
    { ...auth, appId: o.appId ?? auth.appId, appSecret: new Secret(secret) },
    { room, tenant: o.tenant, name: 'confab doctor', ttlSeconds: 600 },
  );
  return signed.token;
}

export async function tokenChecks(o: DoctorOptions, ctx: DoctorContext, report: Report): Promise<void> {
  const signaling = botSignaling(o, ctx);
  if (!signaling) {
    report({ group: 'token', name: 'token', status: 'skip', evidence: NO_SIGNALING });
    return;
  }
  // A room nobody uses, so the bots never appear in a real class.
  const throwaway = `doctor-${randomBytes(4).toString('hex')}`;
  let token = o.token?.trim();
  // Without a token nothing ties us to a room: never walk into a real class.
  let room = token || o.secretFile ? (o.room === undefined ? undefined : foldName(o.room)) : undefined;
  if (token) {
    const claimed = claims(token).room;
    room ??= typeof claimed === 'string' && claimed !== '*' ? foldName(claimed) : throwaway;
  }
  room ??= throwaway;
  if (!token && o.secretFile) {
    try {
      token = await mint(o, room);
    } catch (error) {
      report({ group: 'token', name: 'token', status: 'fail', evidence: `cannot mint a token: ${(error as Error).message}`, fix: 'pass --app-id (or set JWT_APP_ID) and a readable --secret-file holding JWT_APP_SECRET' });
      return;
    }
  }
  const how = token ? (o.token ? 'the given token' : 'a token minted with --secret-file') : 'no token';
  const result = await helloProbe({ url: o.url.href, room, tenant: o.tenant, token, timeoutMs: o.timeoutMs, signaling });
  const via = signalingNote(signaling, result.transport);
  if (result.admitted) {
    const w = result.welcome;
    ctx.welcome = w;
    ctx.botToken = token;
    // A token for one room admits the bots only there; a minted one can be for a throwaway room.
    ctx.mediaRoom = o.secretFile && token ? throwaway : room;
    if (o.secretFile && token) ctx.botToken = await mint(o, throwaway);
    const evidence = `hello with ${how} for room '${w.room}'${w.tenant ? ` in tenant '${w.tenant}'` : ''} -> welcome in ${result.ms} ms: admitted as ${w.self.role} '${w.self.displayName}', server ${w.serverVersion}`;
    const data = { room: w.room, role: w.self.role, serverVersion: w.serverVersion, signaling: result.transport };
    report({ group: 'token', name: 'token', status: 'pass', evidence: `${evidence}${token ? '' : '; rooms are open (no token needed)'}${via}`, latencyMs: result.ms, data });
    return;
  }
  const spec = isErrorCode(result.code) ? ERRORS[result.code] : undefined;
  const closeText = result.closeCode !== undefined ? ` (close ${result.closeCode})` : '';
  const evidence = `hello with ${how} for room '${room}' -> refused in ${result.ms} ms: ${result.code}${closeText}: ${result.message}${via}`;
  const data = { code: result.code, message: result.message, closeCode: result.closeCode, httpStatus: spec?.status, signaling: result.transport };
  if (!token && result.code === 'token_missing') {
    // Not the server's fault: the doctor was not given a way to join.
    report({ group: 'token', name: 'token', status: 'warn', evidence, fix: TOKEN_FIXES.token_missing, latencyMs: result.ms, data });
    return;
  }
  report({ group: 'token', name: 'token', status: 'fail', evidence, fix: TOKEN_FIXES[result.code] ?? spec?.message ?? 'see the server log for this refusal', latencyMs: result.ms, data });
}
