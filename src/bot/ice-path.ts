/**
 * Forcing a bot's media onto one network path, and reading which path ICE
 * chose. `confab doctor` uses it to prove each way a participant can reach
 * the SFU: direct UDP, ICE over TCP (networks that block UDP), and TURN
 * relay (networks that block both).
 */
import type { PeerConfig, RTCPeerConnection } from 'werift';

/**
 * - `udp`: the server's TCP candidates are dropped, so only UDP pairs exist.
 * - `tcp`: ICE-TCP (active) to the server's `tcptype passive` candidates; its UDP candidates are dropped.
 * - `relay`: only through the TURN server in the ICE servers (iceTransportPolicy 'relay').
 */
export type IcePath = 'udp' | 'tcp' | 'relay';

type IceServerConfig = { urls: string | string[]; username?: string; credential?: string };

const isTurn = (server: IceServerConfig): boolean => [server.urls].flat().some((url) => /^turns?:/i.test(url));

/** Adjusts a bot's peer configuration for a forced path. */
export function icePathConfig(config: Partial<PeerConfig>, path: IcePath | undefined, iceServers: readonly IceServerConfig[] = []): Partial<PeerConfig> {
  switch (path) {
    case undefined:
    case 'udp':
      return config;
    case 'tcp':
      return { ...config, iceUseTcp: true };
    case 'relay': {
      const turn = iceServers.filter(isTurn).map((s) => ({ ...s, urls: Array.isArray(s.urls) ? [...s.urls] : s.urls }));
      if (turn.length === 0) throw new Error('icePath relay needs a TURN server in network.iceServers');
      // werift takes the first STUN and the first TURN entry; with 'relay' it gathers only the relayed candidate.
      return { ...config, iceTransportPolicy: 'relay', iceServers: [...(config.iceServers ?? []).filter((s) => !isTurn(s)), ...turn] };
    }
  }
}

/** Drops the server's candidates that the path must not use, from an offer or answer SDP. */
export function filterRemoteCandidates(sdp: string, path: IcePath | undefined): string {
  if (path === undefined || path === 'relay') return sdp;
  const drop = path === 'udp' ? 'tcp' : 'udp';
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(eol)
    .filter((line) => !(line.startsWith('a=candidate:') && line.split(' ')[2]?.toLowerCase() === drop))
    .join(eol);
}

export interface CandidateInfo {
  /** `udp` or `tcp`. */
  readonly protocol: string;
  /** `host`, `srflx`, `prflx` or `relay`. */
  readonly type: string;
  readonly address: string;
  readonly port: number;
}

export interface SelectedPath {
  readonly local: CandidateInfo;
  readonly remote: CandidateInfo;
}

/** The candidate pair ICE nominated (or the first that succeeded), as werift's getSelectedCandidatePair picks it. */
export function selectedPath(pc: RTCPeerConnection | undefined): SelectedPath | undefined {
  const connection = pc?.iceTransports[0]?.connection;
  if (!connection) return undefined;
  // 3: CandidatePairState.SUCCEEDED.
  const pair = connection.candidatePairs.find((p) => p.nominated) ?? connection.candidatePairs.find((p) => (p.state as number) === 3);
  if (!pair) return undefined;
  const info = (c: { transport: string; type: string; host: string; port: number }): CandidateInfo => ({
    protocol: c.transport.toLowerCase(),
    type: c.type,
    address: c.host,
    port: c.port,
  });
  return { local: info(pair.localCandidate), remote: info(pair.remoteCandidate) };
}

/** `udp 10.0.0.2:50000 (host) -> 203.0.113.7:10000 (host)` */
export function describePath(path: SelectedPath): string {
  // An active ICE-TCP candidate has no listening port (it is always 9, the discard port).
  const end = (c: CandidateInfo): string => `${c.address.includes(':') ? `[${c.address}]` : c.address}${c.protocol === 'tcp' && c.port === 9 ? ' (tcp active)' : `:${c.port} (${c.type})`}`;
  return `${path.local.protocol} ${end(path.local)} -> ${end(path.remote)}`;
}

/** The server's candidates in an SDP, e.g. to say where a failed path tried to go. */
export function sdpCandidates(sdp: string): CandidateInfo[] {
  const out: CandidateInfo[] = [];
  for (const m of sdp.matchAll(/^a=candidate:\S+ \d+ (\w+) \d+ (\S+) (\d+) typ (\w+)/gm)) {
    const candidate = { protocol: m[1]!.toLowerCase(), address: m[2]!, port: Number(m[3]), type: m[4]! };
    if (!out.some((c) => c.protocol === candidate.protocol && c.address === candidate.address && c.port === candidate.port)) out.push(candidate);
  }
  return out;
}
