/**
 * Where a room without a host goes: the least-loaded live node that takes
 * new rooms. Load is participants (what costs CPU: docs/operations.md,
 * "Sizing"), then rooms. Ties, which are the rule when a cluster is quiet
 * (every node at 0), are broken per room by rendezvous hashing, so rooms
 * started in the same second spread over the nodes instead of all landing
 * on the one whose id sorts first.
 */
import { createHash } from 'node:crypto';
import type { NodeInfo } from './node-info.js';

/** The node to host `roomKey`, or undefined when no node takes new rooms. */
export function pickHost(nodes: readonly NodeInfo[], roomKey: string, exclude: ReadonlySet<string> = new Set()): NodeInfo | undefined {
  let best: NodeInfo | undefined;
  let bestScore = '';
  for (const node of nodes) {
    if (node.state !== 'ready' || exclude.has(node.id)) continue;
    const score = rendezvous(roomKey, node.id);
    if (!best || compareLoad(node, best) < 0 || (compareLoad(node, best) === 0 && score > bestScore)) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}

function compareLoad(a: NodeInfo, b: NodeInfo): number {
  return a.participants - b.participants || a.rooms - b.rooms;
}

function rendezvous(roomKey: string, nodeId: string): string {
  return createHash('sha256').update(`${roomKey}\u0000${nodeId}`).digest('hex');
}
