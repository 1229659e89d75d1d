/**
 * Small corrections to werift's offers before they go to browsers.
 *
 * werift writes port 0 on every inactive m-section. Port 0 means "rejected"
 * to a browser, and when that section is the first of the BUNDLE group
 * Chrome rejects the whole offer ("The m= section with mid='2' should be
 * rejected"). We keep unused m-sections merely inactive (port 9) so they
 * stay in the bundle and can carry another participant's track later.
 */
export function keepInactiveSectionsBundled(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const sections = sdp.split(`${eol}m=`);
  return sections
    .map((section, i) => {
      if (i === 0 || !section.includes(`${eol}a=inactive`)) return section;
      return section.replace(/^(audio|video) 0 /, '$1 9 ');
    })
    .join(`${eol}m=`);
}
