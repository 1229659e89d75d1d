/**
 * `confab token`: make a token and a join link, or check one.
 *
 *   confab token --room maths-101 --name "Ada" [--moderator] [--ttl 2h] [--tenant t] [--email e]
 *   confab token verify <jwt or join URL> [--room r] [--tenant t]
 *
 * Both read the server's configuration (JWT_APP_ID, JWT_APP_SECRET or
 * JWT_APP_SECRET_FILE, JWT_ACCEPTED_*, JWT_ASAP_KEYSERVER, XMPP_DOMAIN,
 * PUBLIC_URL), so `verify` answers "would this server let this token in,
 * and if not, which check fails?" one line per check.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config/config.js';
import { Secret } from '../config/secret.js';
import { ConfabError } from '../protocol/errors.js';
import { parseRoomPath, roomAddress } from '../protocol/room-name.js';
import { signToken } from '../service/auth/token-signer.js';
import { duration, isoSeconds } from '../service/auth/token-text.js';
import { HS_ALGORITHMS, identityFromClaims, TokenVerifier, type TokenTarget } from '../service/auth/token-verifier.js';

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly now?: () => number;
}

/** A usage or input error: exit 2. */
class UsageError extends Error {}

const USAGE = `Usage:
  confab token --room <room> [--name <name>] [--moderator] [--ttl 2h] [--tenant <tenant>]
               [--email <email>] [--id <user id>] [--avatar <url>] [--alg HS256|HS384|HS512] [--secret-file <file>]
      Signs a token with JWT_APP_ID and JWT_APP_SECRET (or --secret-file) and prints it,
      then a join URL built from PUBLIC_URL. --room '*' makes a token for any room.
  confab token verify <jwt | join URL> [--room <room>] [--tenant <tenant>] [--secret-file <file>]
      Checks a token against this configuration and prints each check as PASS/FAIL/SKIP.
      Exits 1 if any check fails. With a join URL, the room comes from its path.`;

/** Runs `confab token ...`; resolves with the exit code. */
export async function tokenCommand(args: string[], io: Io): Promise<number> {
  try {
    if (args[0] === 'verify') return await verify(args.slice(1), io);
    if (args[0] === 'help' || args.includes('--help') || args.includes('-h')) {
      io.out(USAGE);
      return 0;
    }
    return await sign(args, io);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`confab token: ${error.message}`);
      io.err(USAGE);
      return 2;
    }
    throw error;
  }
}

function config(io: Io, secretFile: string | undefined): Config {
  const loaded = loadConfig(io.env);
  for (const warning of loaded.warnings) {
    if (!warning.includes('ENABLE_AUTH is off')) io.err(`confab: warning: ${warning}`);
  }
  if (secretFile === undefined) return loaded;
  // --secret-file replaces the configured secret, read and trimmed the same way.
  let raw: string;
  try {
    raw = readFileSync(secretFile, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --secret-file '${secretFile}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const trimmed = raw.trim();
  if (trimmed === '') throw new UsageError(`the secret file '${secretFile}' is empty`);
  if (trimmed !== raw) io.err(`confab: warning: --secret-file: the secret had surrounding whitespace or a newline; it was trimmed`);
  return { ...loaded, auth: { ...loaded.auth, appSecret: new Secret(trimmed), appSecretSource: 'JWT_APP_SECRET_FILE' } };
}

/** `90`, `90s`, `30m`, `2h`, `1d` -> seconds. */
export function parseTtl(text: string): number {
  const m = /^(\d+)\s*(s|sec|m|min|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--ttl '${text}' is not a duration: use e.g. 90s, 30m, 2h or 1d`);
  const n = Number(m[1]);
  const unit = { s: 1, sec: 1, m: 60, min: 60, h: 3600, d: 86_400 }[m[2] ?? 's']!;
  if (n <= 0) throw new UsageError('--ttl must be more than 0');
  return n * unit;
}

async function sign(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      room: { type: 'string' },
      name: { type: 'string' },
      moderator: { type: 'boolean', default: false },
      ttl: { type: 'string', default: '2h' },
      tenant: { type: 'string' },
      email: { type: 'string' },
      id: { type: 'string' },
      avatar: { type: 'string' },
      alg: { type: 'string', default: 'HS256' },
      'secret-file': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.room) throw new UsageError('--room is required');
  if (!(HS_ALGORITHMS as readonly string[]).includes(values.alg)) throw new UsageError(`--alg must be one of ${HS_ALGORITHMS.join(', ')}`);
  let room: string;
  let tenant: string | undefined;
  try {
    const address = values.room === '*' ? undefined : roomAddress(values.room, values.tenant);
    room = address?.room ?? '*';
    tenant = address?.tenant ?? (values.tenant ? roomAddress('x', values.tenant).tenant : undefined);
  } catch (error) {
    if (error instanceof ConfabError) throw new UsageError(error.message);
    throw error;
  }
  const c = config(io, values['secret-file']);
  const ttl = parseTtl(values.ttl);
  let signed;
  try {
    signed = await signToken(
      c.auth,
      { room, tenant, name: values.name, email: values.email, userId: values.id, avatar: values.avatar, moderator: values.moderator, ttlSeconds: ttl, algorithm: values.alg as (typeof HS_ALGORITHMS)[number] },
      io.now?.() ?? Date.now(),
    );
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  io.out(signed.token);
  const exp = signed.claims.exp as number;
  if (room === '*') {
    io.err(`note: room '*' works for any room: open ${c.publicUrl}${tenant ? `${tenant}/` : ''}<room>?jwt=<token>`);
  } else {
    io.out(`${c.publicUrl}${tenant ? `${tenant}/` : ''}${room}?jwt=${signed.token}`);
  }
  io.err(
    `signed ${values.alg} for room '${room}'${tenant ? ` in tenant '${tenant}'` : ''}: iss '${String(signed.claims.iss)}', aud '${String(signed.claims.aud)}', sub '${String(signed.claims.sub)}'${values.moderator ? ', moderator' : ''}; expires ${isoSeconds(exp)} (in ${duration(ttl)})`,
  );
  if (!c.auth.enabled) io.err('note: ENABLE_AUTH is off in this configuration: the server lets everyone in and ignores tokens');
  return 0;
}

async function verify(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { room: { type: 'string' }, tenant: { type: 'string' }, 'secret-file': { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('give one token (or join URL) to verify');
  const c = config(io, values['secret-file']);
  let token = positionals[0]!.trim();
  let target: TokenTarget = {};
  if (/^https?:\/\//.test(token)) {
    const url = new URL(token);
    const jwt = url.searchParams.get('jwt');
    if (!jwt) throw new UsageError(`the URL has no ?jwt= parameter`);
    token = jwt;
    const base = new URL(c.publicUrl).pathname;
    const path = url.pathname.startsWith(base) ? url.pathname.slice(base.length) : url.pathname.slice(1);
    try {
      const address = parseRoomPath(path);
      target = { room: address.room, tenant: address.tenant };
    } catch (error) {
      if (error instanceof ConfabError) throw new UsageError(`the URL's path is not a room: ${error.message}`);
      throw error;
    }
  }
  try {
    if (values.room !== undefined || values.tenant !== undefined) {
      const address = roomAddress(values.room ?? target.room ?? 'x', values.tenant ?? target.tenant);
      target = { room: values.room !== undefined ? address.room : target.room, tenant: address.tenant };
    }
  } catch (error) {
    if (error instanceof ConfabError) throw new UsageError(error.message);
    throw error;
  }

  const verifier = new TokenVerifier(c.auth);
  const report = await verifier.inspect(token, target, io.now?.() ?? Date.now());
  const against = [
    target.room ? `room '${target.room}'` : 'no room (give --room or a join URL)',
    c.auth.domainVerification ? `${target.tenant ? `tenant '${target.tenant}'` : `domain '${c.auth.xmppDomain}'`}` : undefined,
    `issuers ${c.auth.acceptedIssuers.join(', ') || '(none)'}`,
    `audiences ${c.auth.acceptedAudiences.join(', ')}`,
  ].filter(Boolean);
  io.out(`checking against ${against.join('; ')}`);
  for (const check of report.checks) {
    const label = check.result.toUpperCase().padEnd(4);
    io.out(`  ${label}  ${check.name.padEnd(9)}  ${check.code ? `${check.code}: ` : ''}${check.detail}`);
  }
  if (report.claims) {
    const who = identityFromClaims(report.claims);
    io.out(`user: ${who.name ? `'${who.name}'` : '(no name)'}${who.userId ? ` id '${who.userId}'` : ''}${who.email ? ` <${who.email}>` : ''}, ${who.moderator ? 'moderator' : 'participant (unless auto-owner makes them moderator)'}`);
    io.out(`claims: ${JSON.stringify(report.claims)}`);
  }
  if (!c.auth.enabled) io.out('note: ENABLE_AUTH is off in this configuration: the server lets everyone in and ignores tokens');
  const failed = report.checks.filter((ch) => ch.result === 'fail');
  io.out(failed.length === 0 ? 'result: PASS: this server admits the token' : `result: FAIL (${failed.map((f) => f.code).join(', ')})`);
  return failed.length === 0 ? 0 : 1;
}
