import { LONG_POLL_PATH, WEBSOCKET_PATH } from '../../src/protocol/endpoints.js';

/** Signaling endpoints, relative to the page's base (PUBLIC_URL's path), never absolute. */
export function signalingUrl(path: typeof WEBSOCKET_PATH | typeof LONG_POLL_PATH = WEBSOCKET_PATH): URL {
  const url = new URL(path, document.baseURI);
  if (path === WEBSOCKET_PATH) url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}
