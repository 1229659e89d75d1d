/**
 * What to do when media does not get through on a path, from what the
 * server offered: its candidates say which address and port clients were
 * told to use, which is usually where the fault is (a private pod address,
 * a port the firewall or Service does not expose). The port is the room's
 * media worker's (MEDIA_UDP_PORT+i): every worker's must be open.
 */
import { isIP } from 'node:net';
import type { CandidateInfo, IcePath } from '../../bot/index.js';
import type { DoctorOptions, Status } from './types.js';

type IceServer = { urls: string | string[] };

const isPrivate = (ip: string): boolean =>
  /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|127\.|169\.254\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/.test(ip) || ip === '::1' || /^f[cd]/i.test(ip);

const list = (cs: readonly CandidateInfo[]): string => cs.map((c) => `${c.protocol} ${c.address}:${c.port}`).join(', ');

export function mediaFix(
  o: DoctorOptions,
  path: IcePath,
  offered: readonly CandidateInfo[] | undefined,
  what: string,
  iceServers: readonly IceServer[],
  connected = false,
): { status: Status; evidence: string; fix: string } {
  const mine = (offered ?? []).filter((c) => path === 'relay' || c.protocol === path);
  const evidence = `${what}; server offered ${offered === undefined ? 'no answer' : mine.length > 0 ? list(mine) : `no ${path} candidate`}`;
  if (connected) {
    return { status: 'fail', evidence, fix: 'ICE and DTLS connected but the SFU forwarded too little: look at the server log for this room (doctor-*) and its media connection states' };
  }
  if (offered !== undefined && mine.length === 0 && path === 'tcp') {
    return { status: 'warn', evidence, fix: 'the server offers no ICE-TCP candidate (MEDIA_TCP_PORT=off, or MEDIA_PORT_MODE=range): clients on networks that block UDP need it, or TURN' };
  }
  const privateIps = [...new Set(mine.map((c) => c.address).filter((ip) => isIP(ip) && isPrivate(ip)))];
  const hostIsPrivate = isIP(o.url.hostname) ? isPrivate(o.url.hostname) : /^localhost$|\.local$|\.internal$|\.cluster\.local$/.test(o.url.hostname);
  const advertise =
    privateIps.length > 0 && !hostIsPrivate && !o.loopback
      ? ` The server advertises private address${privateIps.length > 1 ? 'es' : ''} ${privateIps.join(', ')} that clients outside cannot reach: set MEDIA_ADVERTISE_IPS to the public (node or load balancer) address.`
      : '';
  const ports = [...new Set(mine.map((c) => c.port))].join(', ') || '?';
  const addresses = [...new Set(mine.map((c) => c.address))];
  // Browsers drop an answer that comes from another address than they asked; Confab binds the port on each
  // local address (or MEDIA_BIND_ADDRESS), so a mismatch means an address it does not own is advertised.
  const several =
    addresses.length > 1
      ? ` The server advertises ${addresses.join(', ')}: each must be an address of the server (answers leave from the address asked) or one that a NAT maps to it; drop the others from MEDIA_ADVERTISE_IPS.`
      : '';
  switch (path) {
    case 'udp':
      return {
        status: 'fail',
        evidence,
        fix: `UDP ${ports} did not get through from here: allow inbound UDP ${ports} to the server (firewall, security group) and expose it (Kubernetes: a Service with protocol UDP whose port and nodePort equal it, or hostPort). It is this room's media worker's port: open and expose every worker's, MEDIA_UDP_PORT to MEDIA_UDP_PORT+MEDIA_WORKERS-1.${advertise}${several}`,
      };
    case 'tcp':
      return {
        status: 'fail',
        evidence,
        fix: `ICE over TCP to port ${ports} did not get through: allow inbound TCP ${ports} (this room's media worker's, MEDIA_TCP_PORT+i; every worker's must be open) and expose it like the UDP ports (a TCP port on the same Service).${advertise}`,
      };
    case 'relay': {
      const urls = iceServers.flatMap((s) => [s.urls].flat()).filter((u) => /^turns?:/i.test(u));
      return {
        status: 'fail',
        evidence: `${evidence}; TURN ${urls.join(', ')}`,
        fix: `relaying through ${urls[0] ?? 'the TURN server'} failed: it must be reachable from clients at TURN_HOST:TURN_PORT over TURN_TRANSPORT, TURN_CREDENTIALS must equal coturn's static-auth-secret (use-auth-secret), and coturn must be allowed to relay to the media address (allowed-peer-ip / denied-peer-ip)`,
      };
    }
  }
}
