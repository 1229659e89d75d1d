/**
 * `confab token`: make a token and a join link, or check one.
 *
 *   confab token --room maths-101 --name "Ada" [--moderator] [--ttl 2h] [--tenant t] [--email e]
 *   confab token --room maths-101 --private-key key.pem --kid my-kid [--alg RS256] [--public-key-out pub.pem]
 *   confab token keyserver-path --kid my-kid
 *   confab token verify <jwt or join URL> [--room r] [--tenant t]
 *
 * Signing uses the app secret (HS*) or, with --private-key, an RSA private
 * key whose public half the server fetches from JWT_ASAP_KEYSERVER as
 * <hex(sha256(kid))>.pem (RS*, Jitsi's ASAP); keyserver-path prints that
 * file name. All read the server's configuration (JWT_APP_ID, JWT_APP_SECRET or
 * JWT_APP_SECRET_FILE, JWT_ACCEPTED_*, JWT_ASAP_KEYSERVER, XMPP_DOMAIN,
 * PUBLIC_URL), so `verify` answers "would this server let this token in,
 * and if not, which check fails?" one line per check.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config/config.js';
import { Secret } from '../config/secret.js';
import { ConfabError } from '../protocol/errors.js';
import { parseRoomPath, roomAddress } from '../protocol/room-name.js';
import { keyFileName, keyUrl } from '../service/auth/key-server.js';
import { signToken, type TokenRequest } from '../service/auth/token-signer.js';
import { duration, isoSeconds } from '../service/auth/token-text.js';
import { readIdentity } from '../service/auth/identity-claims.js';
import { HS_ALGORITHMS, RS_ALGORITHMS, TokenVerifier, type TokenTarget } from '../service/auth/token-verifier.js';
import { KeyFileError, publicKeyPem, readRsaPrivateKey } from './token-key.js';

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
  confab token --room <room> [same options] --private-key <key.pem> --kid <kid> [--alg RS256|RS384|RS512]
               [--public-key-out <file>]
      Signs with an RSA private key (PEM, PKCS#8 or PKCS#1) instead, for servers with
      JWT_ASAP_KEYSERVER; the kid goes into the header. --public-key-out writes the
      public key the key server must serve.
  confab token keyserver-path --kid <kid>
      Prints the file name the server fetches from JWT_ASAP_KEYSERVER for this kid:
      <hex(sha256(kid))>.pem.
  confab token verify <jwt | join URL> [--room <room>] [--tenant <tenant>] [--secret-file <file>]
      Checks a token against this configuration and prints each check as PASS/FAIL/SKIP.
      Exits 1 if any check fails. With a join URL, the room comes from its path.`;

/** Runs `confab token ...`; resolves with the exit code. */
export async function tokenCommand(args: string[], io: Io): Promise<number> {
  try {
    if (args[0] === 'verify') return await verify(args.slice(1), io);
    if (args[0] === 'keyserver-path') return keyserverPath(args.slice(1), io);
    if (args[0] === 'help' || args.includes('--help') || args.includes('-h')) {
      io.out(USAGE);
      return 0;
    }
    return await sign(args, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof KeyFileError || (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
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
      alg: { type: 'string' },
      'secret-file': { type: 'string' },
      'private-key': { type: 'string' },
      kid: { type: 'string' },
      'public-key-out': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.room) throw new UsageError('--room is required');
  const privateKeyFile = values['private-key'];
  let alg: NonNullable<TokenRequest['algorithm']>;
  if (privateKeyFile !== undefined) {
    if (values['secret-file'] !== undefined) {
      throw new UsageError('--private-key and --secret-file cannot be used together: --private-key signs RS* with an RSA key, --secret-file signs HS* with a shared secret');
    }
    if (values.kid === undefined || values.kid.trim() === '') {
      throw new UsageError('--kid is required with --private-key: it goes into the token header and names the public key the server fetches from JWT_ASAP_KEYSERVER');
    }
    alg = (values.alg ?? 'RS256') as typeof alg;
    if (!(RS_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new UsageError(`--alg ${alg} cannot be used with --private-key: use one of ${RS_ALGORITHMS.join(', ')}`);
    }
  } else {
    for (const flag of ['kid', 'public-key-out'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} is only used with --private-key <key.pem>`);
    }
    alg = (values.alg ?? 'HS256') as typeof alg;
    if ((RS_ALGORITHMS as readonly string[]).includes(alg)) throw new UsageError(`--alg ${alg} needs --private-key <key.pem> and --kid <kid>`);
    if (!(HS_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new UsageError(`--alg must be one of ${HS_ALGORITHMS.join(', ')} (or ${RS_ALGORITHMS.join(', ')} with --private-key)`);
    }
  }
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
  const kid = values.kid;
  const privateKey = privateKeyFile !== undefined ? readRsaPrivateKey(privateKeyFile) : undefined;
  let signed;
  try {
    signed = await signToken(
      c.auth,
      {
        room,
        tenant,
        name: values.name,
        email: values.email,
        userId: values.id,
        avatar: values.avatar,
        moderator: values.moderator,
        ttlSeconds: ttl,
        algorithm: alg,
        rsaKey: privateKey && kid !== undefined ? { privateKey, kid } : undefined,
      },
      io.now?.() ?? Date.now(),
    );
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const publicKeyOut = values['public-key-out'];
  if (privateKey && publicKeyOut !== undefined) {
    try {
      writeFileSync(publicKeyOut, publicKeyPem(privateKey), { mode: 0o644 });
    } catch (error) {
      throw new UsageError(`cannot write --public-key-out '${publicKeyOut}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  io.out(signed.token);
  const exp = signed.claims.exp as number;
  if (room === '*') {
    io.err(`note: room '*' works for any room: open ${c.publicUrl}${tenant ? `${tenant}/` : ''}<room>?jwt=<token>`);
  } else {
    io.out(`${c.publicUrl}${tenant ? `${tenant}/` : ''}${room}?jwt=${signed.token}`);
  }
  io.err(
    `signed ${alg}${kid !== undefined ? ` with kid '${kid}'` : ''} for room '${room}'${tenant ? ` in tenant '${tenant}'` : ''}: iss '${String(signed.claims.iss)}', aud '${String(signed.claims.aud)}', sub '${String(signed.claims.sub)}'${values.moderator ? ', moderator' : ''}; expires ${isoSeconds(exp)} (in ${duration(ttl)})`,
  );
  if (kid !== undefined) {
    if (publicKeyOut !== undefined) io.err(`wrote the public key to ${publicKeyOut}: publish it on the key server as ${keyFileName(kid)}`);
    io.err(keyServerNote(c, kid));
  }
  if (!c.auth.enabled) io.err('note: ENABLE_AUTH is off in this configuration: the server lets everyone in and ignores tokens');
  return 0;
}

/** Where the server looks for the public key of `kid`, or that this configuration has no key server. */
function keyServerNote(c: Config, kid: string): string {
  return c.auth.asapKeyServer
    ? `the server fetches the public key for kid '${kid}' from ${keyUrl(c.auth.asapKeyServer, kid)}`
    : `note: JWT_ASAP_KEYSERVER is not set in this configuration, so it cannot verify RS tokens; a server that has it fetches the public key for kid '${kid}' from <JWT_ASAP_KEYSERVER>/${keyFileName(kid)}`;
}

/** `confab token keyserver-path --kid <kid>`: the file name on stdout, where the server fetches it on stderr. */
function keyserverPath(args: string[], io: Io): number {
  const { values } = parseArgs({ args, options: { kid: { type: 'string' } }, strict: true, allowPositionals: false });
  if (values.kid === undefined || values.kid.trim() === '') throw new UsageError('--kid is required: the kid whose public key file name to print');
  io.out(keyFileName(values.kid));
  io.err(keyServerNote(config(io, undefined), values.kid));
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
    // Where each identity field came from, and the claims the server ignores: why a teacher joined as a student.
    const { identity: who, sources, warnings } = readIdentity(report.claims);
    io.out('identity, as the server reads it:');
    for (const source of sources) io.out(`  ${source.field.padEnd(9)}  ${source.value}  <- ${source.from}`);
    for (const warning of warnings) io.out(`  WARN  ${warning}`);
    const role = who.moderatorClaim === 'yes' ? 'moderator' : who.moderatorClaim === 'no' ? 'participant (never made moderator by auto-owner)' : 'participant (unless auto-owner makes them moderator)';
    io.out(`user: ${who.name ? `'${who.name}'` : '(no name)'}${who.userId ? ` id '${who.userId}'` : ''}${who.email ? ` <${who.email}>` : ''}, ${role}`);
    io.out(`claims: ${JSON.stringify(report.claims)}`);
  }
  if (!c.auth.enabled) io.out('note: ENABLE_AUTH is off in this configuration: the server lets everyone in and ignores tokens');
  const failed = report.checks.filter((ch) => ch.result === 'fail');
  io.out(failed.length === 0 ? 'result: PASS: this server admits the token' : `result: FAIL (${failed.map((f) => f.code).join(', ')})`);
  return failed.length === 0 ? 0 : 1;
}
