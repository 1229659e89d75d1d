/**
 * deploy/kubernetes, without a cluster: every kustomization renders with
 * `kubectl kustomize` (KUBECTL to pick another binary), every object passes
 * the Kubernetes API schemas with no unknown field, and the project's rules
 * hold: probes on Confab's health routes, media ports equal to the
 * configured ones end to end (one UDP and one TCP port per media worker,
 * MEDIA_WORKERS set explicitly), the ingress path is PUBLIC_URL's path, no
 * secret in a ConfigMap or in git, and the ConfigMap is a configuration
 * Confab itself accepts. Manifests missing a worker's port fail the rules.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { loadConfig, type Config } from '../../src/config/config.js';
import { validateObject, type K8sObject } from '../support/k8s-validate.js';
import { checkMedia, checkProbes, checkSelectors, checkWorkers, containerOf, type Container, type Rendered } from '../support/k8s-rules.js';

const repo = join(import.meta.dirname, '..', '..');
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
// A copy, so the git-ignored secret file the liveclasses overlay reads is a test value, never the operator's.
const work = mkdtempSync(join(tmpdir(), 'confab-k8s-'));
cpSync(join(repo, 'deploy', 'kubernetes'), work, { recursive: true });
writeFileSync(join(work, 'overlays', 'liveclasses', 'jwt-app-secret'), 'test-only-secret-0123456789abcdef0123456789');
after(() => rmSync(work, { recursive: true, force: true }));

const targets = ['base', ...readdirSync(join(work, 'overlays')).map((o) => `overlays/${o}`)];
const SECRET_KEYS = /SECRET|PASSWORD|CREDENTIALS|PRIVATE_KEY/;

function render(dir: string): Rendered {
  const text = execFileSync(KUBECTL, ['kustomize', join(work, dir)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const objects = parseAllDocuments(text).map((d) => d.toJSON() as K8sObject).filter((o) => o !== null);
  const deployment = objects.find((o) => o.kind === 'Deployment');
  assert.ok(deployment, `${dir}: a Deployment`);
  const container = containerOf(deployment);
  const configMapName = container.envFrom?.find((e) => e.configMapRef)?.configMapRef?.name;
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === configMapName) as (K8sObject & { data: Record<string, string> }) | undefined;
  assert.ok(configMap, `${dir}: the Deployment's ConfigMap (${configMapName}) is rendered`);
  // What the container's environment holds: the ConfigMap, env values, and a stand-in for the Secret.
  const env: Record<string, string> = { ...configMap.data };
  for (const e of container.env ?? []) env[e.name] = e.value ?? (e.valueFrom?.fieldRef ? '10.0.0.7' : 'stand-in-secret-0123456789abcdef0123456789');
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    throw new Error(`${dir}: Confab would refuse this configuration: ${(error as Error).message}`);
  }
  return { dir, objects, deployment, container, configMap, config };
}

try {
  execFileSync(KUBECTL, ['version', '--client'], { stdio: 'ignore' });
} catch {
  throw new Error(`no ${KUBECTL}: apt-get install kubernetes-client (npm test installs it as root), or set KUBECTL`);
}
const rendered = targets.map(render);

for (const r of rendered) {
  describe(r.dir, () => {
    test('every object is valid against the Kubernetes API schemas, with no unknown field', () => {
      for (const object of r.objects) {
        assert.deepEqual(validateObject(object), [], `${object.kind}/${object.metadata.name}`);
      }
    });

    test('readiness on /readyz and liveness on /healthz, below PUBLIC_URL\'s path, on the HTTP port', () => checkProbes(r));

    test('media: the container, host, Service and NetworkPolicy ports are MEDIA_UDP_PORT+i/udp and MEDIA_TCP_PORT+i/tcp for every media worker i', () => checkMedia(r));

    test('MEDIA_WORKERS is set explicitly (not the node\'s core count), with a cpu request of a core per worker', () => checkWorkers(r));

    test('Services, the PDB and the NetworkPolicy select the Deployment\'s pods', () => checkSelectors(r));

    test('the Ingress sends PUBLIC_URL\'s host and path to the HTTP Service, with TLS and long timeouts', () => {
      const ingress = r.objects.find((o) => o.kind === 'Ingress') as K8sObject & { spec: IngressSpec };
      assert.ok(ingress, 'an Ingress');
      const url = new URL(r.config.publicUrl);
      const rules = ingress.spec.rules;
      assert.equal(rules.length, 1, 'one ingress rule');
      assert.equal(rules[0]!.host, url.hostname);
      const paths = rules[0]!.http.paths;
      assert.equal(paths.length, 1, 'one path: everything Confab serves is below the base path');
      const path = paths[0]!.path.endsWith('/') ? paths[0]!.path : `${paths[0]!.path}/`;
      assert.equal(path, r.config.basePath, 'the ingress path is PUBLIC_URL\'s path');
      assert.equal(paths[0]!.pathType, 'Prefix');
      const service = r.objects.find((o) => o.kind === 'Service' && o.metadata.name === paths[0]!.backend.service.name) as K8sObject & { spec: { ports: { name: string; targetPort: string }[] } };
      assert.ok(service, 'the backend Service exists');
      assert.ok(service.spec.ports.some((p) => p.name === paths[0]!.backend.service.port.name && p.targetPort === 'http'));
      if (url.protocol === 'https:') assert.ok(ingress.spec.tls?.some((t) => t.hosts.includes(url.hostname) && t.secretName), 'TLS for the host');
      const a = ingress.metadata.annotations ?? {};
      assert.ok(Number(a['nginx.ingress.kubernetes.io/proxy-read-timeout']) >= 3600, 'WebSocket-friendly read timeout');
      assert.ok(Number(a['nginx.ingress.kubernetes.io/proxy-send-timeout']) >= 3600);
      assert.equal(a['nginx.ingress.kubernetes.io/proxy-buffering'], 'off', 'long-poll answers unbuffered');
    });

    test('/metrics on METRICS_PORT, a container port no Service (so no Ingress) exposes; the NetworkPolicy lets Prometheus in', () => {
      const metricsPort = r.config.metricsPort;
      assert.ok(metricsPort !== undefined && metricsPort !== r.config.httpPort, 'METRICS_PORT is set, apart from HTTP_PORT');
      assert.equal(r.container.ports?.find((p) => p.name === 'metrics')?.containerPort, metricsPort);
      for (const service of r.objects.filter((o) => o.kind === 'Service') as (K8sObject & { spec: { ports: { port: number; targetPort?: string | number }[] } })[]) {
        for (const p of service.spec.ports) assert.ok(p.targetPort !== 'metrics' && p.targetPort !== metricsPort && p.port !== metricsPort, `Service ${service.metadata.name} does not expose the metrics`);
      }
      const annotations = (r.deployment.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata.annotations ?? {};
      assert.equal(annotations['prometheus.io/port'], String(metricsPort));
      const policy = r.objects.find((o) => o.kind === 'NetworkPolicy') as K8sObject & { spec: { ingress: { from?: unknown[]; ports?: { port: number }[] }[] } };
      const rule = policy.spec.ingress.find((i) => i.ports?.some((p) => p.port === metricsPort));
      assert.ok(rule?.from && rule.from.length > 0, 'the metrics port is open to a namespace, not to everyone');
    });

    test('no secret in a ConfigMap; a Secret only where token auth is on', () => {
      for (const cm of r.objects.filter((o) => o.kind === 'ConfigMap') as (K8sObject & { data?: Record<string, string> })[]) {
        const leaked = Object.keys(cm.data ?? {}).filter((k) => SECRET_KEYS.test(k) && !k.endsWith('_FILE'));
        assert.deepEqual(leaked, [], `ConfigMap ${cm.metadata.name} holds secret-looking keys`);
      }
      const secrets = r.objects.filter((o) => o.kind === 'Secret');
      assert.equal(secrets.length, r.config.auth.enabled ? 1 : 0);
      if (r.config.auth.enabled) assert.equal(r.config.auth.appSecretSource, 'JWT_APP_SECRET');
    });

    test('the grace period outlasts the drain and the preStop pause', () => {
      const spec = (r.deployment.spec as { template: { spec: { terminationGracePeriodSeconds: number } } }).template.spec;
      const preStop = Number(r.container.lifecycle?.preStop?.exec?.command.at(-1) ?? 0);
      assert.ok(r.config.drainTimeoutMs > 0, 'the server drains on SIGTERM');
      assert.ok(r.config.drainTimeoutMs / 1000 + preStop + 30 <= spec.terminationGracePeriodSeconds, 'room to tell clients to reconnect before SIGKILL');
      assert.ok(spec.terminationGracePeriodSeconds >= 3600, 'long enough for a class');
      assert.equal(r.container.resources?.requests?.cpu !== undefined && r.container.resources.requests.memory !== undefined, true, 'resource requests');
    });
  });
}

test("liveclasses: our users' case: namespace, host, JWT app id and audience `jitsi`", () => {
  const r = rendered.find((x) => x.dir === 'overlays/liveclasses');
  assert.ok(r);
  for (const o of r.objects) if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'liveclasses', `${o.kind}/${o.metadata.name}`);
  assert.ok(r.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === 'liveclasses'));
  assert.equal(new URL(r.config.publicUrl).hostname, 'streaming.example.com');
  assert.equal(r.config.basePath, '/jitsi/');
  assert.equal(r.config.auth.enabled, true);
  assert.equal(r.config.auth.appId, 'jitsi');
  assert.deepEqual(r.config.auth.acceptedIssuers, ['jitsi']);
  assert.deepEqual(r.config.auth.acceptedAudiences, ['jitsi']);
});

test('cluster: several pods on one Redis, each advertising its own node, reachable by the others, drained one at a time', () => {
  const r = rendered.find((x) => x.dir === 'overlays/cluster');
  assert.ok(r);
  const cluster = r.config.cluster;
  assert.ok(cluster, 'REDIS_URL set: cluster mode');
  const spec = r.deployment.spec as { replicas: number; template: { spec: { affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } }[] } } } } };
  assert.ok(spec.replicas >= 2);
  // Media: hostPort on the node's address, so one pod per node.
  const media = r.container.ports?.find((p) => p.name === 'media-udp');
  assert.equal(media?.hostPort, r.config.media.udpPort);
  const anti = spec.template.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  assert.ok(anti.some((a) => a.topologyKey === 'kubernetes.io/hostname' && a.labelSelector.matchLabels['app.kubernetes.io/name'] === 'confab'), 'one pod per node');
  // The other pods reach CLUSTER_PORT on the pod's own address.
  assert.equal(r.container.ports?.find((p) => p.name === 'cluster')?.containerPort, cluster.port);
  assert.equal(r.container.env?.find((e) => e.name === 'CLUSTER_ADVERTISE_HOST')?.valueFrom?.fieldRef?.fieldPath, 'status.podIP');
  const policies = r.objects.filter((o) => o.kind === 'NetworkPolicy') as (K8sObject & { spec: NetworkPolicySpec })[];
  const toPods = (p: NetworkPolicySpec, dir: 'ingress' | 'egress', name: string, port: number): boolean =>
    (p[dir] ?? []).some((rule) => (dir === 'ingress' ? rule.from : rule.to)?.some((peer) => peer.podSelector?.matchLabels['app.kubernetes.io/name'] === name) && rule.ports?.some((x) => x.port === port));
  const confabPolicies = policies.filter((p) => p.spec.podSelector.matchLabels['app.kubernetes.io/name'] === 'confab').map((p) => p.spec);
  assert.ok(confabPolicies.some((p) => toPods(p, 'ingress', 'confab', cluster.port)), 'pods may reach each other on CLUSTER_PORT');
  assert.ok(confabPolicies.some((p) => toPods(p, 'egress', 'confab', cluster.port)), 'pods may open links to each other');
  // Redis: the URL names a Service of this overlay, on its port, in front of one Redis pod only Confab may reach.
  const url = new URL(cluster.redisUrl.reveal());
  const service = r.objects.find((o) => o.kind === 'Service' && o.metadata.name === url.hostname) as (K8sObject & { spec: { selector: Record<string, string>; ports: { port: number }[] } }) | undefined;
  assert.ok(service, `a Service named ${url.hostname}`);
  assert.ok(service.spec.ports.some((p) => p.port === Number(url.port || 6379)));
  const redis = r.objects.find((o) => o.kind === 'StatefulSet') as (K8sObject & { spec: { replicas: number; template: { metadata: { labels: Record<string, string> } } } }) | undefined;
  assert.ok(redis && Object.entries(service.spec.selector).every(([k, v]) => redis.spec.template.metadata.labels[k] === v), 'the Service selects the Redis pod');
  assert.equal(redis.spec.replicas, 1);
  assert.ok(confabPolicies.some((p) => toPods(p, 'egress', 'confab-redis', 6379)), 'Confab may reach Redis');
  assert.ok(policies.some((p) => p.spec.podSelector.matchLabels['app.kubernetes.io/name'] === 'confab-redis' && toPods(p.spec, 'ingress', 'confab', 6379)), 'only Confab may reach Redis');
  // One pod at a time may go (it drains); rollouts start the new pod first.
  const pdb = r.objects.find((o) => o.kind === 'PodDisruptionBudget') as K8sObject & { spec: { maxUnavailable?: number; minAvailable?: number } };
  assert.deepEqual([pdb.spec.maxUnavailable, pdb.spec.minAvailable], [1, undefined]);
});

/** A copy of a rendered target with one change, for the rules to refuse. */
function changed(dir: string, change: (r: Rendered) => void): Rendered {
  const original = rendered.find((x) => x.dir === dir);
  assert.ok(original, dir);
  const objects = structuredClone(original.objects);
  const deployment = objects.find((o) => o.kind === 'Deployment')!;
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === original.configMap.metadata.name) as Rendered['configMap'];
  const copy: Rendered = { ...original, objects, deployment, container: containerOf(deployment), configMap };
  change(copy);
  return copy;
}

const dropPort = (c: Container, name: string): void => {
  const before = c.ports?.length;
  c.ports = c.ports?.filter((p) => p.name !== name);
  assert.equal(c.ports?.length, (before ?? 0) - 1, `the manifest has a port ${name}`);
};

describe('the rules refuse manifests that leave out a media worker (MEDIA_WORKERS=2)', () => {
  test('the base renders two workers', () => assert.equal(rendered.find((x) => x.dir === 'base')?.config.media.workers, 2));

  test('no container port for the second worker', () => {
    assert.throws(() => checkMedia(changed('base', (r) => dropPort(r.container, 'media-udp-1'))), /container port 10001\/UDP \(media worker 1\)/);
    assert.throws(() => checkMedia(changed('base', (r) => dropPort(r.container, 'media-tcp-1'))), /container port 4444\/TCP \(media worker 1\)/);
  });

  test('no hostPort for the second worker', () => {
    const r = changed('overlays/hostport', (x) => delete x.container.ports!.find((p) => p.name === 'media-udp-1')!.hostPort);
    assert.throws(() => checkMedia(r), /hostPort 10001\/UDP \(media worker 1\)/);
  });

  test('a media Service without the second worker\'s UDP or TCP port', () => {
    const without = (name: string) => (r: Rendered) => {
      const service = r.objects.find((o) => o.metadata.name === 'confab-media') as K8sObject & { spec: { ports: { name: string }[] } };
      service.spec.ports = service.spec.ports.filter((p) => p.name !== name);
    };
    assert.throws(() => checkMedia(changed('overlays/loadbalancer', without('media-udp-1'))), /confab-media carries 10001\/UDP \(media worker 1\)/);
    assert.throws(() => checkMedia(changed('overlays/loadbalancer', without('media-tcp-1'))), /confab-media carries 4444\/TCP \(media worker 1\)/);
  });

  test('a NetworkPolicy without the second worker\'s port', () => {
    const r = changed('base', (x) => {
      const policy = x.objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'confab') as K8sObject & { spec: { ingress: { ports?: { port: number }[] }[] } };
      for (const rule of policy.spec.ingress) rule.ports = rule.ports?.filter((p) => p.port !== 10001);
    });
    assert.throws(() => checkMedia(r), /NetworkPolicy allows 10001\/UDP \(media worker 1\)/);
  });

  test('MEDIA_WORKERS left to the node\'s core count, or fewer cores requested than workers', () => {
    assert.throws(() => checkWorkers(changed('base', (r) => delete r.configMap.data.MEDIA_WORKERS)), /MEDIA_WORKERS is set explicitly/);
    assert.throws(() => checkWorkers(changed('base', (r) => (r.container.resources!.requests!.cpu = '1'))), /reserves a core per media worker/);
  });
});

interface PolicyRule {
  from?: { podSelector?: { matchLabels: Record<string, string> } }[];
  to?: { podSelector?: { matchLabels: Record<string, string> } }[];
  ports?: { port: number }[];
}

interface NetworkPolicySpec {
  podSelector: { matchLabels: Record<string, string> };
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

test('no secret file is tracked by git under deploy/', () => {
  const tracked = execFileSync('git', ['ls-files', 'deploy'], { cwd: repo, encoding: 'utf8' }).split('\n');
  assert.ok(!tracked.some((f) => f.endsWith('jwt-app-secret')), 'the liveclasses secret file stays out of git');
  assert.ok(existsSync(join(repo, 'deploy', 'kubernetes', 'overlays', 'liveclasses', '.gitignore')));
});

interface IngressSpec {
  tls?: { hosts: string[]; secretName?: string }[];
  rules: { host: string; http: { paths: { path: string; pathType: string; backend: { service: { name: string; port: { name: string } } } }[] } }[];
}
