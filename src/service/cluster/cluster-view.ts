/**
 * The REST API's live view in cluster mode: every live node's rooms, asked
 * of each node over its CLUSTER_PORT (2 s each, in parallel) and merged, so
 * whichever replica the platform asks answers for the whole cluster. A node
 * that does not answer is left out (and logged); its rooms reappear with
 * the next request.
 */
import type { Logger } from '../../util/log.js';
import type { LiveSource, RoomParticipants } from '../live-view.js';
import type { ClusterNode } from './cluster-node.js';
import type { ClusterStore } from './cluster-store.js';
import { ROOMS_PATH } from './relay-protocol.js';

const ASK_MS = 2000;

export function clusterLiveView(node: ClusterNode, store: ClusterStore, local: LiveSource, log: Logger): LiveSource {
  const ask = async (url: string, id: string): Promise<RoomParticipants[]> => {
    try {
      const res = await fetch(`${url}${ROOMS_PATH}`, { headers: { authorization: node.auth.header() ?? '' }, signal: AbortSignal.timeout(ASK_MS) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return ((await res.json()) as { rooms: RoomParticipants[] }).rooms;
    } catch (error) {
      log.warn({ node: id, err: error }, 'cluster view: a node did not answer; its rooms are left out of this answer');
      return [];
    }
  };
  return {
    async snapshot() {
      const nodes = await store.listNodes().catch(() => node.nodes);
      const answers = await Promise.all(nodes.map((n) => (n.id === node.id ? local.snapshot() : ask(n.url, n.id))));
      if (!nodes.some((n) => n.id === node.id)) answers.push(await local.snapshot());
      // A room is hosted by one node; while a class moves, two may briefly report it: the fuller one wins.
      const byKey = new Map<string, RoomParticipants>();
      for (const room of answers.flat()) {
        const seen = byKey.get(room.roomKey);
        if (!seen || room.participants.length > seen.participants.length) byKey.set(room.roomKey, room);
      }
      return [...byKey.values()];
    },
  };
}
