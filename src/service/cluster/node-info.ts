/**
 * What the cluster knows about each replica (a "node"): kept in Redis's node
 * registry, refreshed every third of CLUSTER_LEASE_S, gone when the node
 * stops refreshing it. Edges read it to place rooms and to reach a room's
 * host; /readyz and the REST API show it.
 */

export type NodeState = 'ready' | 'draining';

export interface NodeInfo {
  /** `<hostname>-<6 hex>`: a restarted process is a new node, never mistaken for the one before. */
  readonly id: string;
  /** Where other nodes reach it: `http://<CLUSTER_ADVERTISE_HOST>:<CLUSTER_PORT>`. */
  readonly url: string;
  /** Its advertised media address, as browsers are told it (MEDIA_ADVERTISE_IPS, MEDIA_UDP_PORT, MEDIA_TCP_PORT). */
  readonly media: { readonly ips: readonly string[]; readonly udpPort: number; readonly tcpPort: number | undefined };
  readonly state: NodeState;
  /** Rooms it hosts and the participants in them: its load. */
  readonly rooms: number;
  readonly participants: number;
  readonly version: string;
  readonly startedAt: number;
}

/** A room's lease: which node hosts it, under which fencing epoch. */
export interface Lease {
  readonly node: string;
  /** From one counter for the whole cluster: a later claim always has a larger epoch. */
  readonly epoch: number;
}

/** Leases are stored as `<node id> <epoch>`: one string, compared whole by the scripts. */
export function encodeLease(lease: Lease): string {
  return `${lease.node} ${lease.epoch}`;
}

export function parseLease(value: string | null | undefined): Lease | undefined {
  if (!value) return undefined;
  const m = /^(\S+) (\d+)$/.exec(value);
  return m ? { node: m[1]!, epoch: Number(m[2]) } : undefined;
}

export function parseNodeInfo(value: string | null | undefined): NodeInfo | undefined {
  if (!value) return undefined;
  try {
    const info = JSON.parse(value) as NodeInfo;
    return typeof info.id === 'string' && typeof info.url === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}
