/**
 * Room addresses, as in Jitsi: `/<room>` or `/<tenant>/<room>`.
 * Names are case-insensitive and stored lowercase, so `/Maths-101` and
 * `/maths-101` are the same class.
 */
import { ConfabError } from './errors.js';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Paths the server serves itself; they can never be room names. */
export const RESERVED_NAMES = new Set([
  'assets', 'healthz', 'readyz', 'metrics', 'signaling', 'api', 'http-bind', 'xmpp-websocket',
  'external_api.js', 'favicon.ico', 'robots.txt', 'static',
]);

export interface RoomAddress {
  /** Lowercase tenant, or undefined for the default domain. */
  readonly tenant: string | undefined;
  /** Lowercase room name. */
  readonly room: string;
  /** Unique key of the room across tenants: `tenant/room` or `room`. */
  readonly key: string;
}

function checkName(raw: string, what: 'room' | 'tenant'): string {
  const name = raw.toLowerCase();
  const code = what === 'room' ? 'room_name_invalid' : 'tenant_name_invalid';
  if (!NAME.test(name) || name.includes('..')) {
    throw new ConfabError(
      code,
      `${what} name '${raw.slice(0, 80)}' is not valid: use 1-64 letters, digits, '.', '-' or '_', starting with a letter or digit`,
    );
  }
  if (what === 'room' && RESERVED_NAMES.has(name)) {
    throw new ConfabError(code, `room name '${raw}' is reserved by the server`);
  }
  return name;
}

export function roomAddress(room: string, tenant?: string): RoomAddress {
  const r = checkName(room, 'room');
  const t = tenant === undefined || tenant === '' ? undefined : checkName(tenant, 'tenant');
  return { tenant: t, room: r, key: t ? `${t}/${r}` : r };
}

/**
 * Parses the path below the base path (no leading slash), e.g. `maths-101`
 * or `school/maths-101`. Throws a ConfabError naming the bad segment.
 */
export function parseRoomPath(path: string): RoomAddress {
  // Split before decoding: an encoded slash (%2F) is part of a name, not a separator.
  let parts: string[];
  try {
    parts = path.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  } catch {
    throw new ConfabError('room_name_invalid', `room path '${path.slice(0, 80)}' is not valid URL encoding`);
  }
  if (parts.length === 1) return roomAddress(parts[0]!);
  if (parts.length === 2) return roomAddress(parts[1]!, parts[0]!);
  throw new ConfabError(
    'room_name_invalid',
    parts.length === 0
      ? 'no room name in the address: open /<room>, e.g. /maths-101'
      : `address '/${parts.join('/')}' has ${parts.length} parts: use /<room> or /<tenant>/<room>`,
  );
}
