/**
 * The media port in Kubernetes: Confab tells clients "send UDP to
 * MEDIA_ADVERTISE_IPS:MEDIA_UDP_PORT", so that exact port must be exposed
 * as UDP from outside: a LoadBalancer or NodePort Service with a UDP port
 * (a NodePort equal to MEDIA_UDP_PORT), or a hostPort on the pod. A
 * LoadBalancer with only TCP ports is the classic miss.
 */
import { ref, type K8sPod, type K8sService, type K8sServicePort } from './kubectl.js';
import type { CheckResult } from './types.js';

const MEDIA_NAME = /media|jvb|rtp|udp|ice/i;

const portText = (p: K8sServicePort): string => `${p.port}/${p.protocol ?? 'TCP'}${p.nodePort ? ` (nodePort ${p.nodePort})` : ''}`;

/** Services that look like Confab's media Service: a port on the media port, or a media-ish name. */
function mediaServices(services: readonly K8sService[], port: number): K8sService[] {
  return services.filter(
    (s) =>
      MEDIA_NAME.test(s.metadata.name) ||
      (s.spec?.ports ?? []).some((p) => p.port === port || p.targetPort === port || (p.name !== undefined && MEDIA_NAME.test(p.name))),
  );
}

/** Pods that take the media port on their node directly. */
function hostPortPods(pods: readonly K8sPod[], port: number): string[] {
  return pods
    .filter((p) => p.spec?.hostNetwork === true || (p.spec?.containers ?? []).some((c) => (c.ports ?? []).some((cp) => cp.hostPort === port && (cp.protocol ?? 'TCP') === 'UDP')))
    .map((p) => `${ref(p.metadata)}${p.spec?.hostNetwork ? ' (hostNetwork)' : ` (hostPort ${port}/UDP)`}`);
}

/** Literal MEDIA_ADVERTISE_IPS (or JVB_ADVERTISE_IPS) values in the pods (not downward-API ones). */
function advertised(pods: readonly K8sPod[]): string[] {
  const env = pods.flatMap((p) => (p.spec?.containers ?? []).flatMap((c) => c.env ?? []));
  const value = env.find((e) => e.name === 'MEDIA_ADVERTISE_IPS' && e.value !== undefined) ?? env.find((e) => e.name === 'JVB_ADVERTISE_IPS' && e.value !== undefined);
  return value?.value?.split(',').map((ip) => ip.trim()).filter(Boolean) ?? [];
}

function judge(s: K8sService, port: number, advertisedIps: readonly string[]): { ok: boolean; evidence: string; fix?: string } {
  const type = s.spec?.type ?? 'ClusterIP';
  const ports = s.spec?.ports ?? [];
  const udp = ports.filter((p) => p.protocol === 'UDP');
  const what = `${type} ${ref(s.metadata)} (ports ${ports.map(portText).join(', ') || 'none'})`;
  const udpPort = `\`- name: media-udp, port: ${port}, targetPort: ${port}, protocol: UDP\``;
  if (udp.length === 0) {
    return { ok: false, evidence: `${what} exposes no UDP port: media (UDP ${port}) cannot get in`, fix: `add ${udpPort} to the Service's ports${type === 'LoadBalancer' ? ' (on clouds without mixed-protocol LoadBalancers, a second LoadBalancer Service for UDP)' : ''}` };
  }
  const media = udp.find((p) => p.port === port || p.targetPort === port) ?? udp[0]!;
  if (type === 'ClusterIP') {
    return { ok: false, evidence: `${what} is ClusterIP: UDP ${media.port} is reachable only inside the cluster`, fix: `make it type LoadBalancer (or NodePort with nodePort ${port}), or give the pod hostPort ${port}/UDP, and set MEDIA_ADVERTISE_IPS to the external address` };
  }
  if (type === 'NodePort' && media.nodePort !== port) {
    return { ok: false, evidence: `${what}: UDP nodePort ${media.nodePort ?? '?'} differs from the port clients are told (MEDIA_UDP_PORT ${port})`, fix: `set nodePort: ${port} (the API server's service-node-port-range must include it) or MEDIA_UDP_PORT=${media.nodePort ?? '?'}, with MEDIA_ADVERTISE_IPS set to node addresses` };
  }
  if (type === 'LoadBalancer') {
    if (media.port !== port) return { ok: false, evidence: `${what}: UDP port ${media.port} differs from the port clients are told (MEDIA_UDP_PORT ${port})`, fix: `expose UDP ${port} on the load balancer (port: ${port})` };
    const lb = s.status?.loadBalancer?.ingress ?? [];
    if (lb.length === 0) return { ok: false, evidence: `${what} has no external address yet`, fix: 'the cloud has not provisioned the load balancer: `kubectl describe service` shows why (quota, UDP not supported)' };
    const addresses = lb.map((i) => i.ip ?? i.hostname ?? '?');
    const address = addresses.join(', ');
    if (advertisedIps.length > 0 && !advertisedIps.some((ip) => addresses.includes(ip))) {
      return { ok: false, evidence: `${what}: UDP ${port} on ${address}, but the pods advertise MEDIA_ADVERTISE_IPS=${advertisedIps.join(',')}`, fix: `clients are told to send media to ${advertisedIps.join(', ')}: set MEDIA_ADVERTISE_IPS=${addresses[0]}` };
    }
    return { ok: true, evidence: `${what}: UDP ${port} on ${address}${advertisedIps.length > 0 ? `, as the pods advertise (MEDIA_ADVERTISE_IPS=${advertisedIps.join(',')})` : ` (MEDIA_ADVERTISE_IPS must be ${address})`}` };
  }
  return { ok: true, evidence: `${what}: UDP ${port} exposed` };
}

export function mediaPortChecks(services: readonly K8sService[], pods: readonly K8sPod[], port: number, scope: string): CheckResult[] {
  const candidates = mediaServices(services, port);
  const hostPorts = hostPortPods(pods, port);
  const judged = candidates.map((s) => judge(s, port, advertised(pods)));
  const exposed = judged.some((j) => j.ok) || hostPorts.length > 0;
  const results: CheckResult[] = judged.map((j) => ({
    group: 'kube',
    name: 'media-udp-port',
    // A broken leftover next to a working exposure is worth a look, not a failure.
    status: j.ok ? 'pass' : exposed ? 'warn' : 'fail',
    evidence: j.evidence,
    ...(j.fix ? { fix: j.fix } : {}),
  }));
  if (hostPorts.length > 0) results.push({ group: 'kube', name: 'media-udp-port', status: 'pass', evidence: `UDP ${port} taken on the node by ${hostPorts.join(', ')}` });
  if (results.length === 0) {
    results.push({
      group: 'kube',
      name: 'media-udp-port',
      status: 'fail',
      evidence: `no Service and no pod hostPort exposes UDP ${port} in ${scope}`,
      fix: `expose the media port: a LoadBalancer Service with \`port: ${port}, protocol: UDP\` (or NodePort with nodePort ${port}, or hostPort ${port}/UDP on the pod), and set MEDIA_ADVERTISE_IPS to that external address`,
    });
  }
  return results;
}
