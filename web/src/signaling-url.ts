/** Signaling endpoints, relative to the page's base (PUBLIC_URL's path), never absolute. */
export function signalingUrl(path: 'signaling' | 'signaling/lp' = 'signaling'): URL {
  const url = new URL(path, document.baseURI);
  if (path === 'signaling') url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}
