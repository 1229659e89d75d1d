/**
 * Project rules for rendered manifests (test/node/kubernetes.test.ts): the
 * ones a schema cannot know, because they tie the manifests to Confab's
 * configuration.
 */
import assert from 'node:assert/strict';
import type { Config } from '../../src/config/config.js';
import type { K8sObject } from './k8s-validate.js';

interface Port {
  name?: string;
  containerPort: number;
  hostPort?: number;
  protocol?: string;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
export interface Container {
  name: string;
  ports?: Port[];
  envFrom?: { configMapRef?: { name: string } }[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string } } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: { cpu?: string; memory?: string } };
}
interface ServicePort {
  name?: string;
  port: number;
  targetPort?: string | number;
  nodePort?: number;
  protocol?: string;
}
type Service = K8sObject & { spec: { type?: string; selector: Record<string, string>; ports: ServicePort[] } };

export interface Rendered {
  readonly dir: string;
  readonly objects: K8sObject[];
  readonly deployment: K8sObject;
  readonly container: Container;
  readonly configMap: K8sObject & { data: Record<string, string> };
  /** The ConfigMap (plus env) read by Confab's own loadConfig. */
  readonly config: Config;
}

export function containerOf(deployment: K8sObject): Container {
  const containers = (deployment.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers;
  const container = containers.find((c) => c.name === 'confab');
  assert.ok(container, 'a container named confab');
  return container;
}

function podLabels(r: Rendered): Record<string, string> {
  return (r.deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
}

const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

function port(c: Container, name: string): Port {
  const p = c.ports?.find((x) => x.name === name);
  assert.ok(p, `container port ${name}`);
  return p;
}

export function checkProbes(r: Rendered): void {
  const http = port(r.container, 'http');
  assert.equal(http.containerPort, r.config.httpPort, 'the http port is HTTP_PORT');
  for (const [kind, route] of [
    ['readinessProbe', 'readyz'],
    ['livenessProbe', 'healthz'],
  ] as const) {
    const probe = r.container[kind]?.httpGet;
    assert.ok(probe, `${kind} present (httpGet)`);
    assert.equal(probe.path, `${r.config.basePath}${route}`, `${kind} asks ${route} below the base path`);
    assert.ok(probe.port === 'http' || probe.port === r.config.httpPort, `${kind} on the HTTP port`);
  }
}

export function checkMedia(r: Rendered): void {
  const { udpPort, tcpPort } = r.config.media;
  assert.equal(r.config.media.portMode, 'single');
  const udp = port(r.container, 'media-udp');
  assert.deepEqual([udp.containerPort, udp.protocol], [udpPort, 'UDP'], 'the container UDP port is MEDIA_UDP_PORT');
  const tcp = port(r.container, 'media-tcp');
  assert.deepEqual([tcp.containerPort, tcp.protocol ?? 'TCP'], [tcpPort, 'TCP'], 'the container TCP port is MEDIA_TCP_PORT');
  // Browsers send media to the advertised address and MEDIA_*_PORT: whatever forwards it must keep the number.
  for (const p of [udp, tcp]) if (p.hostPort !== undefined) assert.equal(p.hostPort, p.containerPort, `hostPort of ${p.name}`);
  const hostPorted = udp.hostPort !== undefined;
  const advertised = r.container.env?.find((e) => e.name === 'MEDIA_ADVERTISE_IPS');
  if (hostPorted) assert.equal(advertised?.valueFrom?.fieldRef?.fieldPath, 'status.hostIP', 'hostPort advertises the node address');
  const mediaServices = (r.objects.filter((o) => o.kind === 'Service') as Service[]).filter((s) => s.spec.type === 'LoadBalancer' || s.spec.type === 'NodePort');
  for (const service of mediaServices) {
    for (const p of service.spec.ports) {
      const target = typeof p.targetPort === 'string' ? port(r.container, p.targetPort).containerPort : (p.targetPort ?? p.port);
      const expected = p.protocol === 'UDP' ? udpPort : tcpPort;
      assert.equal(target, expected, `${service.metadata.name} ${p.name} reaches the media port`);
      const outside = service.spec.type === 'NodePort' ? p.nodePort : p.port;
      assert.equal(outside, expected, `${service.metadata.name} ${p.name}: the outside port is the advertised one`);
    }
    assert.ok(service.spec.ports.some((p) => p.protocol === 'UDP'), `${service.metadata.name} carries UDP`);
    assert.ok(r.config.media.advertiseIps.length > 0, 'a media Service needs MEDIA_ADVERTISE_IPS (its external address)');
  }
  if (r.dir !== 'base') assert.ok(hostPorted || mediaServices.length > 0, 'an overlay exposes the media ports');
  // The NetworkPolicy lets HTTP and both media ports in.
  const policy = r.objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'confab') as K8sObject & { spec: { ingress: { ports?: { protocol: string; port: number }[] }[] } };
  assert.ok(policy, 'a NetworkPolicy');
  const open = policy.spec.ingress.flatMap((rule) => rule.ports ?? []).map((p) => `${p.port}/${p.protocol}`);
  for (const needed of [`${r.config.httpPort}/TCP`, `${udpPort}/UDP`, `${tcpPort}/TCP`]) assert.ok(open.includes(needed), `NetworkPolicy allows ${needed}`);
}

export function checkSelectors(r: Rendered): void {
  const labels = podLabels(r);
  const selector = (r.deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
  assert.ok(selects(selector, labels), 'the Deployment selects its own pods');
  // Confab's own objects (a cluster overlay adds Redis's, which select Redis's pods).
  for (const o of r.objects.filter((x) => x.metadata.labels?.['app.kubernetes.io/name'] === 'confab')) {
    const spec = o.spec as { selector?: Record<string, string> & { matchLabels?: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> } };
    if (o.kind === 'Service') assert.ok(selects(spec.selector ?? {}, labels), `Service ${o.metadata.name} selects the pods`);
    if (o.kind === 'PodDisruptionBudget') assert.ok(selects(spec.selector?.matchLabels ?? {}, labels), 'the PDB selects the pods');
    if (o.kind === 'NetworkPolicy') assert.ok(selects(spec.podSelector?.matchLabels ?? {}, labels), 'the NetworkPolicy selects the pods');
  }
  const replicas = (r.deployment.spec as { replicas?: number }).replicas ?? 1;
  // Without Redis each pod hosts its own rooms: a second one behind the same Service splits classes.
  if (!r.config.cluster) assert.equal(replicas, 1, 'one pod without REDIS_URL (cluster mode): more would split classes');
  else assert.ok(replicas >= 2, 'cluster mode: several pods');
}
