/**
 * Where signaling lives, below the base path (PUBLIC_URL's path, e.g.
 * `/jitsi/`). Everything Confab serves is under that one prefix, so one proxy
 * rule routes all of it; the server, the web client, the bots and
 * `confab doctor` all build their URLs from these.
 */

/** The WebSocket signaling endpoint: `<base>signaling`. */
export const WEBSOCKET_PATH = 'signaling';

/** The HTTP long-poll fallback (see long-poll.ts): `<base>signaling/lp`. */
export const LONG_POLL_PATH = 'signaling/lp';

/** The REST API lives below `<base>api/`, so `api` is never a tenant's name. */
export const API_PREFIX = 'api';
