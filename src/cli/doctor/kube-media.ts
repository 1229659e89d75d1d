/**
 * The media ports in Kubernetes: Confab tells clients "send UDP to
 * MEDIA_ADVERTISE_IPS:<port>", where <port> is their media worker's,
 * MEDIA_UDP_PORT+i for worker i of MEDIA_WORKERS. So every worker's port
 * must be exposed as UDP from outside with the same number: a LoadBalancer
 * or NodePort Service with each port (a NodePort equal to it), or a hostPort
 * on the pod for each. A LoadBalancer with only TCP ports is the classic
 * miss; a Service or pod with the first worker's port only, the new one.
 * ICE-TCP (MEDIA_TCP_PORT+i) is optional, but a Service or pod that carries
 * it must carry every worker's.
 */
import { span, udpText, workerPorts, type MediaPorts } from './kube-media-env.js';
import { ref, type K8sPod, type K8sService, type K8sServicePort } from './kubectl.js';
import type { CheckResult } from './types.js';

const MEDIA_NAME = /media|jvb|rtp|udp|ice/i;

const portText = (p: K8sServicePort): string => `${p.port}/${p.protocol ?? 'TCP'}${p.nodePort ? ` (nodePort ${p.nodePort})` : ''}`;

/** `10001/UDP (media worker 1 of 2)` */
const workerPort = (port: number, first: number, m: MediaPorts, protocol: 'UDP' | 'TCP'): string => `${port}/${protocol} (media worker ${port - first} of ${m.workers})`;

/** `MEDIA_UDP_PORT 10000` for worker 0, `MEDIA_UDP_PORT+1 = 10001, media worker 1` after it. */
const told = (port: number, m: MediaPorts): string => (port === m.udpPort ? `MEDIA_UDP_PORT ${port}` : `MEDIA_UDP_PORT+${port - m.udpPort} = ${port}, media worker ${port - m.udpPort}`);

/** A Service port entry to add, as YAML in backticks. */
const entry = (port: number, first: number, protocol: 'UDP' | 'TCP', type: string): string =>
  `\`- name: media-${protocol.toLowerCase()}${port === first ? '' : `-${port - first}`}, port: ${port}, targetPort: ${port}${type === 'NodePort' ? `, nodePort: ${port}` : ''}, protocol: ${protocol}\``;

/** The container port a Service's named targetPort means, in Confab's pods. */
function targetOf(p: K8sServicePort, pods: readonly K8sPod[]): number | undefined {
  if (typeof p.targetPort !== 'string') return p.targetPort ?? p.port;
  const named = pods.flatMap((pod) => (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? [])).find((cp) => cp.name === p.targetPort && (cp.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
  return named?.containerPort;
}

/** Services that look like Confab's media Service: a port on a media port, or a media-ish name. */
function mediaServices(services: readonly K8sService[], ports: readonly number[]): K8sService[] {
  return services.filter(
    (s) =>
      MEDIA_NAME.test(s.metadata.name) ||
      (s.spec?.ports ?? []).some((p) => ports.includes(p.port) || (typeof p.targetPort === 'number' && ports.includes(p.targetPort)) || (p.name !== undefined && MEDIA_NAME.test(p.name))),
  );
}

interface HostPorted {
  /** Pods that take every worker's UDP port (and every worker's TCP port, or none) on their node. */
  readonly full: string[];
  /** Pods that take some worker ports on their node and miss others. */
  readonly partial: { pod: string; has: string[]; missing: string[] }[];
}

/** Pods that take the media ports on their node directly (hostPort, or hostNetwork). */
function hostPortPods(pods: readonly K8sPod[], m: MediaPorts): HostPorted {
  const udp = workerPorts(m.udpPort, m.workers);
  const tcp = workerPorts(m.tcpPort, m.workers);
  const result: HostPorted = { full: [], partial: [] };
  for (const pod of pods) {
    if (pod.spec?.hostNetwork === true) {
      result.full.push(`${ref(pod.metadata)} (hostNetwork)`);
      continue;
    }
    const taken = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []).filter((cp) => cp.hostPort !== undefined).map((cp) => `${cp.hostPort}/${cp.protocol ?? 'TCP'}`);
    const hasUdp = udp.filter((p) => taken.includes(`${p}/UDP`));
    if (hasUdp.length === 0) continue;
    const hasTcp = tcp.filter((p) => taken.includes(`${p}/TCP`));
    const missing = [
      ...udp.filter((p) => !hasUdp.includes(p)).map((p) => workerPort(p, m.udpPort, m, 'UDP')),
      ...(hasTcp.length > 0 ? tcp.filter((p) => !hasTcp.includes(p)).map((p) => workerPort(p, m.tcpPort!, m, 'TCP')) : []),
    ];
    if (missing.length === 0) result.full.push(`${ref(pod.metadata)} (hostPort ${span(m.udpPort, m.workers)}/UDP)`);
    else result.partial.push({ pod: ref(pod.metadata), has: [...hasUdp.map((p) => `${p}/UDP`), ...hasTcp.map((p) => `${p}/TCP`)], missing });
  }
  return result;
}

/** Literal MEDIA_ADVERTISE_IPS (or JVB_ADVERTISE_IPS) values in the pods (not downward-API ones). */
function advertised(pods: readonly K8sPod[]): string[] {
  const env = pods.flatMap((p) => (p.spec?.containers ?? []).flatMap((c) => c.env ?? []));
  const value = env.find((e) => e.name === 'MEDIA_ADVERTISE_IPS' && e.value !== undefined) ?? env.find((e) => e.name === 'JVB_ADVERTISE_IPS' && e.value !== undefined);
  return value?.value?.split(',').map((ip) => ip.trim()).filter(Boolean) ?? [];
}

function judge(s: K8sService, m: MediaPorts, pods: readonly K8sPod[], advertisedIps: readonly string[]): { ok: boolean; evidence: string; fix?: string } {
  const type = s.spec?.type ?? 'ClusterIP';
  const ports = s.spec?.ports ?? [];
  const udp = ports.filter((p) => p.protocol === 'UDP');
  const what = `${type} ${ref(s.metadata)} (ports ${ports.map(portText).join(', ') || 'none'})`;
  const many = m.workers > 1;
  const wanted = workerPorts(m.udpPort, m.workers);
  const all = span(m.udpPort, m.workers);
  const perWorker = many ? `: one UDP port per media worker (MEDIA_WORKERS=${m.workers}), MEDIA_UDP_PORT+i` : '';
  if (udp.length === 0) {
    return {
      ok: false,
      evidence: `${what} exposes no UDP port: media (${udpText(m)}) cannot get in`,
      fix: `add ${wanted.map((p) => entry(p, m.udpPort, 'UDP', type)).join(', ')} to the Service's ports${perWorker}${type === 'LoadBalancer' ? ' (on clouds without mixed-protocol LoadBalancers, a second LoadBalancer Service for UDP)' : ''}`,
    };
  }
  const carries = (p: K8sServicePort, port: number, protocol: string): boolean => (p.protocol ?? 'TCP') === protocol && (p.port === port || targetOf(p, pods) === port);
  if (type === 'ClusterIP') {
    const media = udp.find((p) => wanted.some((port) => carries(p, port, 'UDP'))) ?? udp[0]!;
    return {
      ok: false,
      evidence: `${what} is ClusterIP: UDP ${media.port} is reachable only inside the cluster`,
      fix: `make it type LoadBalancer (or NodePort with nodePort ${many ? `equal to each port, ${all}` : all}), or give the pod hostPort ${all}/UDP, and set MEDIA_ADVERTISE_IPS to the external address`,
    };
  }
  // Each worker's port in the Service; with one worker, its one UDP port is judged even on another number (it differs).
  const found = wanted.map((port) => ({ port, p: udp.find((p) => carries(p, port, 'UDP')) ?? (many ? undefined : udp[0]) }));
  const missing = found.filter((f) => f.p === undefined).map((f) => f.port);
  if (missing.length > 0) {
    return {
      ok: false,
      evidence: `${what} lacks ${missing.map((p) => workerPort(p, m.udpPort, m, 'UDP')).join(', ')}: browsers whose room is on ${missing.length === 1 ? 'that worker' : 'those workers'} are told that port and get no media`,
      fix: `add ${missing.map((p) => entry(p, m.udpPort, 'UDP', type)).join(', ')} to the Service's ports${perWorker} (and the pod's containerPort, and the NetworkPolicy)`,
    };
  }
  const pairs = found as { port: number; p: K8sServicePort }[];
  if (type === 'NodePort') {
    const bad = pairs.find((f) => f.p.nodePort !== f.port);
    if (bad) {
      const alternative = bad.port === m.udpPort ? ` or MEDIA_UDP_PORT=${bad.p.nodePort ?? '?'}` : '';
      return {
        ok: false,
        evidence: `${what}: UDP nodePort ${bad.p.nodePort ?? '?'} differs from the port clients are told (${told(bad.port, m)})`,
        fix: `set nodePort: ${bad.port} (the API server's service-node-port-range must include it)${alternative}${many ? ', every media worker\'s nodePort equal to its port' : ''}, with MEDIA_ADVERTISE_IPS set to node addresses`,
      };
    }
  }
  if (type === 'LoadBalancer') {
    const bad = pairs.find((f) => f.p.port !== f.port);
    if (bad) return { ok: false, evidence: `${what}: UDP port ${bad.p.port} differs from the port clients are told (${told(bad.port, m)})`, fix: `expose UDP ${bad.port} on the load balancer (port: ${bad.port})` };
  }
  // ICE-TCP is optional (clouds without mixed-protocol load balancers), but not for some workers only.
  const tcp = workerPorts(m.tcpPort, m.workers);
  const tcpMissing = tcp.filter((port) => !ports.some((p) => carries(p, port, 'TCP')));
  if (tcpMissing.length > 0 && tcpMissing.length < tcp.length) {
    return {
      ok: false,
      evidence: `${what} lacks ICE-TCP ${tcpMissing.map((p) => workerPort(p, m.tcpPort!, m, 'TCP')).join(', ')} while it carries the other workers': browsers on networks that block UDP get no media in rooms on ${tcpMissing.length === 1 ? 'that worker' : 'those workers'}`,
      fix: `add ${tcpMissing.map((p) => entry(p, m.tcpPort!, 'TCP', type)).join(', ')} to the Service's ports (one TCP port per media worker, MEDIA_TCP_PORT+i), or drop every media TCP port`,
    };
  }
  if (type === 'LoadBalancer') {
    const lb = s.status?.loadBalancer?.ingress ?? [];
    if (lb.length === 0) return { ok: false, evidence: `${what} has no external address yet`, fix: 'the cloud has not provisioned the load balancer: `kubectl describe service` shows why (quota, UDP not supported)' };
    const addresses = lb.map((i) => i.ip ?? i.hostname ?? '?');
    const address = addresses.join(', ');
    if (advertisedIps.length > 0 && !advertisedIps.some((ip) => addresses.includes(ip))) {
      return { ok: false, evidence: `${what}: ${udpText(m)} on ${address}, but the pods advertise MEDIA_ADVERTISE_IPS=${advertisedIps.join(',')}`, fix: `clients are told to send media to ${advertisedIps.join(', ')}: set MEDIA_ADVERTISE_IPS=${addresses[0]}` };
    }
    return { ok: true, evidence: `${what}: ${udpText(m)} on ${address}${advertisedIps.length > 0 ? `, as the pods advertise (MEDIA_ADVERTISE_IPS=${advertisedIps.join(',')})` : ` (MEDIA_ADVERTISE_IPS must be ${address})`}` };
  }
  return { ok: true, evidence: `${what}: ${udpText(m)} exposed` };
}

export function mediaPortChecks(services: readonly K8sService[], pods: readonly K8sPod[], m: MediaPorts, scope: string): CheckResult[] {
  const wanted = workerPorts(m.udpPort, m.workers);
  const candidates = mediaServices(services, wanted);
  const hostPorted = hostPortPods(pods, m);
  const judged = candidates.map((s) => judge(s, m, pods, advertised(pods)));
  const exposed = judged.some((j) => j.ok) || hostPorted.full.length > 0;
  const data = { udpPorts: wanted, tcpPorts: workerPorts(m.tcpPort, m.workers), workers: m.workers };
  const results: CheckResult[] = judged.map((j) => ({
    group: 'kube',
    name: 'media-udp-port',
    // A broken leftover next to a working exposure is worth a look, not a failure.
    status: j.ok ? 'pass' : exposed ? 'warn' : 'fail',
    evidence: j.evidence,
    ...(j.fix ? { fix: j.fix } : {}),
    data,
  }));
  for (const p of hostPorted.partial) {
    results.push({
      group: 'kube',
      name: 'media-udp-port',
      status: exposed ? 'warn' : 'fail',
      evidence: `${p.pod} takes hostPort ${p.has.join(', ')} on its node, not ${p.missing.join(', ')}: browsers whose room is on ${p.missing.length === 1 ? 'that worker' : 'those workers'} get no media`,
      fix: `give the pod hostPort = containerPort for every media worker's port (one UDP and one TCP port per worker, MEDIA_UDP_PORT+i and MEDIA_TCP_PORT+i; MEDIA_WORKERS=${m.workers})`,
      data,
    });
  }
  if (hostPorted.full.length > 0) results.push({ group: 'kube', name: 'media-udp-port', status: 'pass', evidence: `${udpText(m)} taken on the node by ${hostPorted.full.join(', ')}`, data });
  if (results.length === 0) {
    const all = span(m.udpPort, m.workers);
    results.push({
      group: 'kube',
      name: 'media-udp-port',
      status: 'fail',
      evidence: `no Service and no pod hostPort exposes ${udpText(m)} in ${scope}`,
      fix:
        m.workers === 1
          ? `expose the media port: a LoadBalancer Service with \`port: ${all}, protocol: UDP\` (or NodePort with nodePort ${all}, or hostPort ${all}/UDP on the pod), and set MEDIA_ADVERTISE_IPS to that external address`
          : `expose the media ports, one UDP port per media worker (MEDIA_WORKERS=${m.workers}): a LoadBalancer Service with \`port: <p>, protocol: UDP\` for each p in ${all} (or NodePort with nodePort = port, or hostPort ${all}/UDP on the pod), and set MEDIA_ADVERTISE_IPS to that external address`,
      data,
    });
  }
  return results;
}
