/**
 * Reading and rewriting ICE candidates in werift's SDP, for the one-port
 * demultiplexer: werift's own candidates name its IceEndpoints (their ids in
 * place of ports); browsers get the public addresses and ports.
 */

/** What the demultiplexer needs from a description werift made. */
export interface IceCredentials {
  readonly ufrag: string;
  readonly password: string;
  /** The ports of werift's UDP host candidates: behind the demultiplexer, the ids of its IceEndpoints. */
  readonly ports: number[];
}

export function readIceCredentials(sdp: string): IceCredentials | undefined {
  const ufrag = /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
  const password = /^a=ice-pwd:(\S+)/m.exec(sdp)?.[1];
  const ports = [...new Set([...sdp.matchAll(/^a=candidate:\S+ \d+ udp \d+ \S+ (\d+) typ host/gim)].map((m) => Number(m[1])))];
  if (!ufrag || !password || ports.length === 0) return undefined;
  return { ufrag, password, ports };
}

/**
 * Host candidates on the public ports; UDP is preferred over TCP. No
 * `generation` extension: the same ports serve every ICE generation, and a
 * fixed `generation 0` made werift clients reject checks after an ICE restart.
 */
export function hostCandidates(ips: readonly string[], udpPort: number, tcpPort: number | undefined): string[] {
  const lines: string[] = [];
  ips.forEach((ip, i) => {
    // priority = type preference (126, host) << 24 | local preference << 8 | (256 - component)
    const localPref = 65535 - i;
    const udpPriority = 126 * 2 ** 24 + localPref * 256 + 255;
    lines.push(`a=candidate:${1 + i} 1 udp ${udpPriority} ${ip} ${udpPort} typ host`);
    if (tcpPort !== undefined) {
      // TCP is the fallback: a lower type preference (as browsers give their own TCP
      // candidates) so a browser never settles on TCP while UDP works.
      const tcpPriority = 90 * 2 ** 24 + localPref * 256 + 255;
      lines.push(`a=candidate:${101 + i} 1 tcp ${tcpPriority} ${ip} ${tcpPort} typ host tcptype passive`);
    }
  });
  return lines;
}

/** Replaces every m-section's candidates with `candidates`, keeping the rest as is. */
export function replaceCandidates(sdp: string, candidates: readonly string[]): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  let inserted = false;
  for (const line of sdp.split(eol)) {
    if (line.startsWith('m=')) inserted = false;
    if (line.startsWith('a=candidate:')) {
      if (!inserted) out.push(...candidates);
      inserted = true;
      continue;
    }
    out.push(line);
  }
  return out.join(eol);
}
