/** SDP edits for a bot's simulcast offer. */

/**
 * Removes the a=ssrc and a=ssrc-group lines of the m-section whose a=mid is
 * `mid`. A simulcast sender names its streams by rid (RFC 8853) and Chrome
 * offers no SSRCs for them; werift would otherwise announce its sender's
 * own SSRC (and an RTX SSRC), which never carry media here, and a receiver
 * would expect a fourth stream.
 */
export function stripSsrcLines(sdp: string, mid: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const sections = sdp.split(/(?=^m=)/m);
  return sections
    .map((section) => {
      if (!section.startsWith('m=') || !new RegExp(`^a=mid:${escape(mid)}\\r?$`, 'm').test(section)) return section;
      return section
        .split(eol)
        .filter((line) => !line.startsWith('a=ssrc:') && !line.startsWith('a=ssrc-group:'))
        .join(eol);
    })
    .join('');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
