/**
 * NetworkPolicies in front of Confab's pods: once one selects a pod for
 * ingress, only what some policy allows gets in, and browsers come from
 * anywhere. So every media worker's UDP port (MEDIA_UDP_PORT+i) must be
 * allowed from anywhere (a rule without `from`, or an ipBlock of 0.0.0.0/0
 * or ::/0), and the ICE-TCP ports (MEDIA_TCP_PORT+i) for all workers or
 * none. No policy selecting the pods: nothing to report.
 */
import { span, udpText, workerPorts, type MediaPorts } from './kube-media-env.js';
import { ref, type K8sLabelSelector, type K8sNetworkPolicy, type K8sNetworkPolicyPort, type K8sPod } from './kubectl.js';
import type { CheckResult } from './types.js';

const NAME = 'media-netpol';

interface Wanted {
  readonly port: number;
  readonly protocol: 'UDP' | 'TCP';
  readonly worker: number;
}

/** A label selector against a pod's labels; an empty selector selects every pod. */
export function selects(selector: K8sLabelSelector | undefined, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector?.matchExpressions ?? []).every((e) => {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        return has && values.includes(labels[e.key]!);
      case 'NotIn':
        return !has || !values.includes(labels[e.key]!);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
  return byLabel && byExpression;
}

/** The policies that restrict ingress to this pod. */
function restricting(policies: readonly K8sNetworkPolicy[], pod: K8sPod): K8sNetworkPolicy[] {
  return policies.filter(
    (p) =>
      p.metadata.namespace === pod.metadata.namespace &&
      // Without policyTypes a policy always restricts ingress.
      (p.spec?.policyTypes === undefined || p.spec.policyTypes.includes('Ingress')) &&
      selects(p.spec?.podSelector, pod.metadata.labels ?? {}),
  );
}

const ANYWHERE = new Set(['0.0.0.0/0', '::/0']);

/** Whether a policy port entry lets `port`/`protocol` into the pod (named ports by the pod's container ports). */
function allows(entry: K8sNetworkPolicyPort, port: number, protocol: string, pod: K8sPod): boolean {
  if ((entry.protocol ?? 'TCP') !== protocol) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'string') {
    return (pod.spec?.containers ?? []).some((c) => (c.ports ?? []).some((cp) => cp.name === entry.port && cp.containerPort === port && (cp.protocol ?? 'TCP') === protocol));
  }
  return entry.endPort === undefined ? entry.port === port : entry.port <= port && port <= entry.endPort;
}

/** Whether any of the policies lets `port`/`protocol` in from anywhere. */
function open(policies: readonly K8sNetworkPolicy[], pod: K8sPod, port: number, protocol: string): boolean {
  return policies.some((p) =>
    (p.spec?.ingress ?? []).some((rule) => {
      const fromAnywhere = rule.from === undefined || rule.from.length === 0 || rule.from.some((peer) => peer.ipBlock !== undefined && ANYWHERE.has(peer.ipBlock.cidr));
      return fromAnywhere && (rule.ports === undefined || rule.ports.length === 0 || rule.ports.some((e) => allows(e, port, protocol, pod)));
    }),
  );
}

/** One result per set of policies restricting Confab's pods; `policies` undefined: they could not be read (`error` says why). */
export function networkPolicyChecks(policies: readonly K8sNetworkPolicy[] | undefined, pods: readonly K8sPod[], m: MediaPorts, error?: string): CheckResult[] {
  if (pods.length === 0) return [];
  if (policies === undefined) return [{ group: 'kube', name: NAME, status: 'skip', evidence: `NetworkPolicies not read (${error ?? 'unknown error'}): whether one blocks a media port is not checked` }];
  const wanted: Wanted[] = [
    ...workerPorts(m.udpPort, m.workers).map((port) => ({ port, protocol: 'UDP' as const, worker: port - m.udpPort })),
    ...workerPorts(m.tcpPort, m.workers).map((port) => ({ port, protocol: 'TCP' as const, worker: port - m.tcpPort! })),
  ];
  const tcpCount = wanted.filter((w) => w.protocol === 'TCP').length;
  const label = (w: Wanted): string => `${w.port}/${w.protocol}${m.workers > 1 ? ` (media worker ${w.worker} of ${m.workers})` : ''}`;
  const groups = new Map<string, { names: string; pods: string[]; missing: Wanted[] }>();
  for (const pod of pods) {
    const applying = restricting(policies, pod);
    if (applying.length === 0) continue;
    const names = applying.map((p) => ref(p.metadata)).join(', ');
    const missing = wanted.filter((w) => !open(applying, pod, w.port, w.protocol));
    const key = `${names}|${missing.map(label).join()}`;
    const group = groups.get(key) ?? { names, pods: [], missing };
    group.pods.push(ref(pod.metadata));
    groups.set(key, group);
  }
  const rule = (ports: readonly Wanted[]): string => `\`ports: [${ports.map((w) => `{protocol: ${w.protocol}, port: ${w.port}}`).join(', ')}]\``;
  const results: CheckResult[] = [];
  for (const g of groups.values()) {
    const several = g.names.includes(',');
    const who = `${several ? 'NetworkPolicies' : 'NetworkPolicy'} ${g.names} (selecting ${g.pods.join(', ')}) let${several ? '' : 's'}`;
    const udpMissing = g.missing.filter((w) => w.protocol === 'UDP');
    const tcpMissing = g.missing.filter((w) => w.protocol === 'TCP');
    const data = { policies: g.names.split(', '), pods: g.pods, missing: g.missing.map((w) => `${w.port}/${w.protocol}`) };
    const perWorker = m.workers > 1 ? ` (one UDP and one TCP port per media worker, MEDIA_WORKERS=${m.workers})` : '';
    // ICE-TCP for no worker is a choice (a warning); for some workers only, a mistake.
    const tcpPartial = tcpMissing.length > 0 && tcpMissing.length < tcpCount;
    if (udpMissing.length > 0 || tcpPartial) {
      const missing = [...udpMissing, ...(tcpPartial ? tcpMissing : [])];
      results.push({
        group: 'kube',
        name: NAME,
        status: 'fail',
        evidence: `${who} no ${missing.map(label).join(', ')} in from anywhere: ${m.workers > 1 ? `browsers whose room is on ${new Set(missing.map((w) => w.worker)).size === 1 ? 'that worker' : 'those workers'} get no media` : 'browsers get no media over it'}`,
        fix: `add ${rule(missing)} to an ingress rule without \`from\`${perWorker}`,
        data,
      });
    } else if (tcpMissing.length > 0) {
      results.push({
        group: 'kube',
        name: NAME,
        status: 'warn',
        evidence: `${who} ${udpText(m)} in from anywhere, but no ICE-TCP (TCP ${span(m.tcpPort!, m.workers)}): browsers on networks that block UDP need it or TURN`,
        fix: `add ${rule(tcpMissing)} to the media rule${perWorker}, or set MEDIA_TCP_PORT=off`,
        data,
      });
    } else {
      results.push({ group: 'kube', name: NAME, status: 'pass', evidence: `${who} ${udpText(m)}${tcpCount > 0 ? ` and TCP ${span(m.tcpPort!, m.workers)}` : ''} in from anywhere`, data });
    }
  }
  return results;
}
