/**
 * The one routing table: what a path below the base path is, for plain HTTP
 * requests and WebSocket upgrades alike. HttpRoutes (routes.ts) serves each
 * kind; ConfabServer hands both requests and upgrades to it. Every first
 * segment routed here is reserved in src/protocol/room-name.ts, so no room
 * can shadow it (route-table.test.ts checks).
 */
import { API_PREFIX, LONG_POLL_PATH, WEBSOCKET_PATH } from '../protocol/endpoints.js';

export type RouteKind =
  /** The web client's page for the base path itself (no room: the page asks for one). */
  | 'home'
  | 'healthz'
  | 'readyz'
  | 'metrics'
  | 'external-api'
  | 'favicon'
  /** Built client files below `assets/`. */
  | 'asset'
  /** The REST API below `api/`. */
  | 'api'
  /** WebSocket signaling: an upgrade, or 426 for a plain request. */
  | 'websocket'
  /** The long-poll signaling fallback. */
  | 'long-poll'
  /** Anything else is a room address: `<room>` or `<tenant>/<room>` (invalid names get their error page). */
  | 'room';

/** Exact paths below the base. */
const EXACT: Readonly<Record<string, RouteKind>> = {
  '': 'home',
  healthz: 'healthz',
  readyz: 'readyz',
  metrics: 'metrics',
  'external_api.js': 'external-api',
  'favicon.ico': 'favicon',
  [WEBSOCKET_PATH]: 'websocket',
  [LONG_POLL_PATH]: 'long-poll',
};

/** Folders below the base: everything under them is theirs. */
const PREFIXES: readonly (readonly [string, RouteKind])[] = [
  ['assets/', 'asset'],
  [`${API_PREFIX}/`, 'api'],
];

/** The kind of a path below the base path (`rest`, without a leading slash). */
export function routeOf(rest: string): RouteKind {
  if (Object.hasOwn(EXACT, rest)) return EXACT[rest]!;
  if (rest === API_PREFIX) return 'api';
  for (const [prefix, kind] of PREFIXES) if (rest.startsWith(prefix)) return kind;
  return 'room';
}

/** The first path segments the table routes itself (for the reserved-names check). */
export function routedSegments(): string[] {
  const paths = [...Object.keys(EXACT), ...PREFIXES.map(([prefix]) => prefix)];
  return [...new Set(paths.map((p) => p.split('/')[0]!).filter((s) => s !== ''))];
}
