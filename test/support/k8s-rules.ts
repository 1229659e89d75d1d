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

/**
 * The media ports Confab binds in `single` mode: one UDP and one TCP port per
 * media worker, worker i on MEDIA_UDP_PORT+i and MEDIA_TCP_PORT+i (none for
 * TCP with MEDIA_TCP_PORT=off). Browsers are told their worker's port.
 */
export function workerPorts(config: Config): { protocol: 'UDP' | 'TCP'; worker: number; port: number }[] {
  const { udpPort, tcpPort, workers } = config.media;
  const ids = Array.from({ length: workers }, (_, i) => i);
  return [
    ...ids.map((i) => ({ protocol: 'UDP' as const, worker: i, port: udpPort + i })),
    ...(tcpPort === undefined ? [] : ids.map((i) => ({ protocol: 'TCP' as const, worker: i, port: tcpPort + i }))),
  ];
}

const protocolOf = (p: { protocol?: string }): string => p.protocol ?? 'TCP';

/** Whether a NetworkPolicy port entry (a number, optionally up to endPort) allows `port`/`protocol`. */
const allows = (p: PolicyPort, port: number, protocol: string): boolean =>
  protocolOf(p) === protocol && typeof p.port === 'number' && (p.endPort === undefined ? p.port === port : p.port <= port && port <= p.endPort);

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

/**
 * MEDIA_WORKERS is set in the pod's configuration (the ConfigMap or a literal env
 * value): its default, os.availableParallelism(), is the node's core count in a
 * container, not the pod's share, and would make the pod bind ports no manifest
 * lists. The cpu request reserves a core for each worker.
 */
export function checkWorkers(r: Rendered): void {
  const literal = r.container.env?.find((e) => e.name === 'MEDIA_WORKERS')?.value ?? r.configMap.data.MEDIA_WORKERS;
  assert.ok(literal !== undefined, 'MEDIA_WORKERS is set explicitly (ConfigMap or env): a pod must not take the node\'s core count');
  assert.equal(Number(literal), r.config.media.workers, 'the config reads MEDIA_WORKERS');
  const cpu = r.container.resources?.requests?.cpu;
  assert.ok(cpu !== undefined, 'a cpu request');
  const cores = cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
  assert.ok(cores >= r.config.media.workers, `the cpu request (${cpu}) reserves a core per media worker (MEDIA_WORKERS=${r.config.media.workers})`);
}

export function checkMedia(r: Rendered): void {
  const { workers } = r.config.media;
  assert.equal(r.config.media.portMode, 'single');
  assert.ok(workers >= 1);
  const wanted = workerPorts(r.config);
  const label = (w: { protocol: string; worker: number; port: number }): string => `${w.port}/${w.protocol} (media worker ${w.worker})`;
  // Each worker's port in the container, by number and protocol.
  const containerPorts = r.container.ports ?? [];
  const media: Port[] = [];
  for (const w of wanted) {
    const p = containerPorts.find((x) => x.containerPort === w.port && protocolOf(x) === w.protocol);
    assert.ok(p, `container port ${label(w)}`);
    media.push(p);
  }
  // No UDP port beyond the workers': the port list and MEDIA_WORKERS are out of step.
  const udp = containerPorts.filter((p) => p.protocol === 'UDP').map((p) => p.containerPort).sort((a, b) => a - b);
  assert.deepEqual(udp, wanted.filter((w) => w.protocol === 'UDP').map((w) => w.port), `the container's UDP ports are MEDIA_UDP_PORT..+${workers - 1} (MEDIA_WORKERS=${workers})`);
  // Browsers send media to the advertised address and their worker's port: whatever forwards it must keep the number.
  const hostPorted = media.some((p) => p.hostPort !== undefined);
  if (hostPorted) {
    wanted.forEach((w, i) => assert.equal(media[i]!.hostPort, w.port, `hostPort ${label(w)}: every worker's port, the same number on the node`));
  }
  const advertised = r.container.env?.find((e) => e.name === 'MEDIA_ADVERTISE_IPS');
  if (hostPorted) assert.equal(advertised?.valueFrom?.fieldRef?.fieldPath, 'status.hostIP', 'hostPort advertises the node address');
  const mediaServices = (r.objects.filter((o) => o.kind === 'Service') as Service[]).filter((s) => s.spec.type === 'LoadBalancer' || s.spec.type === 'NodePort');
  for (const service of mediaServices) {
    const name = service.metadata.name;
    const carried: string[] = [];
    for (const p of service.spec.ports) {
      const target = typeof p.targetPort === 'string' ? port(r.container, p.targetPort).containerPort : (p.targetPort ?? p.port);
      const protocol = protocolOf(p);
      const w = wanted.find((x) => x.port === target && x.protocol === protocol);
      assert.ok(w, `${name} ${p.name} reaches a media worker's port (${target}/${protocol} is none)`);
      const outside = service.spec.type === 'NodePort' ? p.nodePort : p.port;
      assert.equal(outside, target, `${name} ${p.name}: the outside port is the advertised one (${label(w)})`);
      carried.push(`${target}/${protocol}`);
    }
    // Every worker's UDP port; TCP is optional (clouds without mixed-protocol load balancers), but then every worker's.
    const tcpCarried = carried.some((c) => c.endsWith('/TCP'));
    for (const w of wanted) {
      if (w.protocol === 'UDP' || tcpCarried) assert.ok(carried.includes(`${w.port}/${w.protocol}`), `${name} carries ${label(w)}`);
    }
    assert.ok(r.config.media.advertiseIps.length > 0, 'a media Service needs MEDIA_ADVERTISE_IPS (its external address)');
  }
  if (r.dir !== 'base') assert.ok(hostPorted || mediaServices.length > 0, 'an overlay exposes the media ports');
  // The NetworkPolicy lets HTTP in, and every worker's media ports from anywhere (no `from`).
  const policy = r.objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'confab') as K8sObject & { spec: { ingress: { from?: unknown[]; ports?: PolicyPort[] }[] } };
  assert.ok(policy, 'a NetworkPolicy');
  const open = policy.spec.ingress.flatMap((rule) => rule.ports ?? []);
  assert.ok(open.some((p) => allows(p, r.config.httpPort, 'TCP')), `NetworkPolicy allows ${r.config.httpPort}/TCP`);
  const fromAnywhere = policy.spec.ingress.filter((rule) => rule.from === undefined || rule.from.length === 0).flatMap((rule) => rule.ports ?? []);
  for (const w of wanted) assert.ok(fromAnywhere.some((p) => allows(p, w.port, w.protocol)), `NetworkPolicy allows ${label(w)} from anywhere`);
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
