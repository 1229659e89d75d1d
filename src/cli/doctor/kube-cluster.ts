/**
 * Replicas against Redis (--kube): several Confab pods serve one class only
 * when they share one Redis (cluster mode, docs/cluster.md). Pods that do
 * not (no REDIS_URL, another Redis, a Redis they cannot reach) each host
 * their own copy of a class: the people of one class end up apart, the
 * failure Confab's story started from. The check lists the running Confab
 * pods and compares them with the registry a replica shows at `<url>readyz`:
 * a pod is in the cluster when a registry entry's URL has its pod IP
 * (CLUSTER_ADVERTISE_HOST is `status.podIP` in the cluster overlay).
 */
import { ref, type K8sPod } from './kubectl.js';
import type { CheckResult } from './types.js';

interface ReadyzCluster {
  readonly redis?: string;
  readonly nodes?: readonly { readonly id: string; readonly url?: string; readonly state?: string }[];
}

/** Running pods that run Confab (by image or name). */
export function confabPods(pods: readonly K8sPod[]): K8sPod[] {
  return pods.filter(
    (p) =>
      (p as { status?: { phase?: string } }).status?.phase !== 'Succeeded' &&
      (/confab/i.test(p.metadata.name) || (p.spec?.containers ?? []).some((c) => /confab/i.test(c.image ?? ''))) &&
      !/redis/i.test(p.metadata.name),
  );
}

const podIp = (p: K8sPod): string | undefined => (p as { status?: { podIP?: string } }).status?.podIP;

/** The verdict, from the pods and what `<url>readyz` answered (undefined: it could not be read). */
export function clusterReplicasCheck(pods: readonly K8sPod[], readyz: { cluster?: ReadyzCluster } | undefined, url: string): CheckResult {
  const name = 'cluster-replicas';
  const ours = confabPods(pods);
  const list = ours.map((p) => ref(p.metadata)).join(', ');
  if (ours.length <= 1) return { group: 'kube', name, status: 'pass', evidence: `${ours.length} Confab pod${ours.length === 1 ? '' : 's'}: one process hosts every room`, data: { pods: ours.length } };
  if (!readyz) {
    return { group: 'kube', name, status: 'warn', evidence: `${ours.length} Confab pods (${list}), and ${url}readyz could not be read to see whether they share one Redis`, fix: 'run the doctor where the public URL is reachable (or without --only), then again' };
  }
  const cluster = readyz.cluster;
  if (!cluster) {
    return {
      group: 'kube',
      name,
      status: 'fail',
      evidence: `split class: ${ours.length} Confab pods (${list}) without cluster mode (no REDIS_URL): each hosts its own copy of every class, and people of one class land apart`,
      fix: 'give every replica the same REDIS_URL (deploy/kubernetes/overlays/cluster), or scale the Deployment to 1 replica',
      data: { pods: ours.length, cluster: false },
    };
  }
  const hosts = new Set((cluster.nodes ?? []).flatMap((n) => (n.url ? [new URL(n.url).hostname] : [])));
  const outside = ours.filter((p) => !hosts.has(podIp(p) ?? ''));
  if (outside.length > 0) {
    return {
      group: 'kube',
      name,
      status: 'fail',
      evidence: `split class: ${outside.map((p) => `${ref(p.metadata)} (${podIp(p) ?? 'no IP'})`).join(', ')} not in the registry of the Redis the replica at ${url} uses (${cluster.nodes?.length ?? 0} nodes there): those pods cannot see the same Redis, and host their own copies of classes`,
      fix: "give every replica the same REDIS_URL and let each reach it (its log says 'redis unreachable' otherwise), with CLUSTER_ADVERTISE_HOST=status.podIP",
      data: { pods: ours.length, registered: cluster.nodes?.length ?? 0, outside: outside.map((p) => ref(p.metadata)) },
    };
  }
  if (cluster.redis !== 'reachable') {
    return { group: 'kube', name, status: 'warn', evidence: `${ours.length} Confab pods share one Redis, which the replica at ${url} cannot reach now: classes go on, new joins wait`, fix: 'check the Redis pod or service (kubectl get pods -l app.kubernetes.io/name=confab-redis)' };
  }
  return { group: 'kube', name, status: 'pass', evidence: `${ours.length} Confab pods, all in one cluster on one Redis (${cluster.nodes?.length ?? 0} nodes registered)`, data: { pods: ours.length, registered: cluster.nodes?.length ?? 0 } };
}

/** Reads `<url>readyz` (any status: a draining replica answers 503 with the same body). */
export async function readReadyz(url: URL, timeoutMs: number): Promise<{ cluster?: ReadyzCluster } | undefined> {
  try {
    const res = await fetch(new URL('readyz', url), { signal: AbortSignal.timeout(timeoutMs) });
    return (await res.json()) as { cluster?: ReadyzCluster };
  } catch {
    return undefined;
  }
}
