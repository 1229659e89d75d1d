/**
 * Small corrections to werift's descriptions before they go to browsers.
 * `forBrowser` applies all of them; each is exported for its unit test.
 */

/** Every correction, in order: what MediaPeer applies to each offer and answer it makes. */
export function forBrowser(sdp: string): string {
  return withoutExtmapAllowMixed(declareIceLiteAtSessionLevel(keepInactiveSectionsBundled(sdp)));
}

/**
 * werift declares `a=extmap-allow-mixed` (RFC 8285 6), which lets the other
 * side mix two-byte RTP header extensions into the stream. We only ever
 * write one-byte extensions (ids 1-14: mid, audio level, abs-send-time), so
 * we do not declare it: every browser then keeps to one-byte headers, and
 * browsers that predate the attribute (older Safari) never see it.
 */
export function withoutExtmapAllowMixed(sdp: string): string {
  const eol = eolOf(sdp);
  return sdp
    .split(eol)
    .filter((line) => line !== 'a=extmap-allow-mixed')
    .join(eol);
}

/**
 * werift writes port 0 on every inactive m-section. Port 0 means "rejected"
 * to a browser, and when that section is the first of the BUNDLE group
 * Chrome rejects the whole offer ("The m= section with mid='2' should be
 * rejected"). We keep unused m-sections merely inactive (port 9) so they
 * stay in the bundle and can carry another participant's track later.
 */
export function keepInactiveSectionsBundled(sdp: string): string {
  const eol = eolOf(sdp);
  const sections = sdp.split(`${eol}m=`);
  return sections
    .map((section, i) => {
      if (i === 0 || !section.includes(`${eol}a=inactive`)) return section;
      return section.replace(/^(audio|video) 0 /, '$1 9 ');
    })
    .join(`${eol}m=`);
}

/**
 * `a=ice-lite` is a session-level attribute (RFC 8839 5.3); werift writes it
 * in every m-section instead, where Chrome and Firefox ignore it. A browser
 * answering our subscribe offer then believes it faces a full agent, takes
 * the controlled role and waits for a nomination a lite server never makes
 * (Firefox), or gets 487 Role Conflict on its first checks and repairs its
 * role while a slower ICE-TCP pair wins the race (Chrome; issue 18's stall).
 * Declared once at the session level, every browser takes the controlling
 * role from its first check (RFC 8445 6.1.1).
 */
export function declareIceLiteAtSessionLevel(sdp: string): string {
  const eol = eolOf(sdp);
  const lines = sdp.split(eol);
  if (!lines.includes('a=ice-lite')) return sdp;
  const firstMedia = lines.findIndex((line) => line.startsWith('m='));
  const session = firstMedia < 0 ? lines : lines.slice(0, firstMedia);
  const media = firstMedia < 0 ? [] : lines.slice(firstMedia);
  const sessionLines = session.filter((line) => line !== 'a=ice-lite');
  // After the t= line, where session attributes start (RFC 8866 5).
  const at = Math.max(sessionLines.findIndex((line) => line.startsWith('t=')) + 1, 1);
  sessionLines.splice(at, 0, 'a=ice-lite');
  return [...sessionLines, ...media.filter((line) => line !== 'a=ice-lite')].join(eol);
}

function eolOf(sdp: string): string {
  return sdp.includes('\r\n') ? '\r\n' : '\n';
}
