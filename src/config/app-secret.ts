/**
 * Reading the JWT app secret (JWT_APP_SECRET or JWT_APP_SECRET_FILE) the
 * way operators get it wrong: trailing newlines and short secrets are
 * named in start-up warnings, never silently accepted or printed.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';
import { Secret } from './secret.js';

/** Minimum secret length before a warning: HS256's key size, and out of reach of offline guessing. */
export const MIN_SECRET_BYTES = 32;

/**
 * The app secret from JWT_APP_SECRET or JWT_APP_SECRET_FILE, trimmed. A
 * trailing newline (`echo secret > file`) is the classic cause of every token
 * failing its signature check, so trimming is announced, never silent.
 */
export function readSecret(
  value: string | undefined,
  file: string | undefined,
  warnings: string[],
): { secret: Secret; source: 'JWT_APP_SECRET' | 'JWT_APP_SECRET_FILE' } | undefined {
  let raw: string;
  let source: 'JWT_APP_SECRET' | 'JWT_APP_SECRET_FILE';
  if (file !== undefined) {
    source = 'JWT_APP_SECRET_FILE';
    try {
      raw = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(source, `cannot read the secret file '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else if (value !== undefined) {
    source = 'JWT_APP_SECRET';
    raw = value;
  } else {
    return undefined;
  }
  const trimmed = raw.trim();
  if (trimmed === '') throw new ConfigError(source, file !== undefined ? `the secret file '${file}' is empty` : 'the secret is empty');
  if (trimmed !== raw) {
    warnings.push(`${source}: the secret had ${describeWhitespace(raw, trimmed)}; it was trimmed, so tokens must be signed with the secret without it`);
  }
  const secret = new Secret(trimmed);
  if (secret.byteLength < MIN_SECRET_BYTES) {
    warnings.push(
      `${source}: the secret is ${secret.byteLength} bytes; use at least ${MIN_SECRET_BYTES} random bytes (e.g. \`openssl rand -hex 32\`), short secrets can be guessed from any token`,
    );
  }
  return { secret, source };
}

/** E.g. "a trailing newline" or "2 leading and 1 trailing whitespace characters", without the secret itself. */
function describeWhitespace(raw: string, trimmed: string): string {
  const lead = raw.indexOf(trimmed);
  const trail = raw.length - lead - trimmed.length;
  const tail = raw.slice(raw.length - trail);
  if (lead === 0 && (tail === '\n' || tail === '\r\n')) return 'a trailing newline';
  const parts = [lead > 0 ? `${lead} leading` : '', trail > 0 ? `${trail} trailing` : ''].filter((p) => p !== '');
  return `${parts.join(' and ')} whitespace character${lead + trail === 1 ? '' : 's'}${/[\r\n]/.test(tail) ? ' (including a newline)' : ''}`;
}
