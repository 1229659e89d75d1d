/**
 * The address a signaling request came from, for per-address limits (joins
 * per address, src/service/join-limits.ts).
 *
 * Behind a proxy every request comes from the proxy, so when the socket's
 * peer is on this host or a private network (nginx on the same machine,
 * ingress-nginx or a load balancer inside the cluster) the address is the
 * last one in X-Forwarded-For that is not private: the one the outermost
 * proxy saw. A peer on a public address is taken as it is, whatever its
 * X-Forwarded-For says, so a client that reaches Confab directly cannot
 * pick its own address. (A client inside the private network could; it is
 * inside already.)
 *
 * An IPv6 address counts by its /64: one subscriber gets a whole /64, and
 * could otherwise take a new address for every join.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

const PRIVATE = new BlockList();
for (const [net, prefix] of [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['127.0.0.0', 8], ['100.64.0.0', 10], ['169.254.0.0', 16]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['fc00::', 7], ['fe80::', 10], ['::1', 128]] as const) PRIVATE.addSubnet(net, prefix, 'ipv6');
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** `::ffff:10.0.0.1` (how a dual-stack socket shows IPv4 peers) as `10.0.0.1`. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

function isPrivate(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The first four groups of an IPv6 address (its /64), e.g. `2001:db8:0:1::/64`. */
function ipv6Prefix(address: string): string {
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** The key per-address limits use for an address. */
export function addressKey(address: string): string {
  const plain = unmapped(address);
  return isIP(plain) === 6 ? ipv6Prefix(plain) : plain;
}

/**
 * Where the request came from (see above), as a per-address key; undefined
 * when it cannot be told apart: from this host (loopback) with no other
 * address forwarded, as from a local proxy that does not say who its client
 * is. Per-address limits skip those: the key would be every user's.
 */
export function clientAddress(req: IncomingMessage): string | undefined {
  const peer = unmapped(req.socket.remoteAddress ?? '');
  if (!peer) return undefined;
  if (!isPrivate(peer)) return addressKey(peer);
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => unmapped(h.trim()))
    .filter((h) => isIP(h) !== 0);
  // From the proxy nearest to us outwards: the first public address is the client.
  const client = [...hops].reverse().find((h) => !isPrivate(h)) ?? hops[0] ?? peer;
  return LOOPBACK.check(client, isIP(client) === 4 ? 'ipv4' : 'ipv6') ? undefined : addressKey(client);
}
