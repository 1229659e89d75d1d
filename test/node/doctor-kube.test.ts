/**
 * `confab doctor --kube` with a kubectl stand-in first on PATH, printing
 * recorded `kubectl get ... -o json` output (test/fixtures/kube/): the
 * conflicting setup of our story (an old Jitsi Ingress claiming the same
 * host and path, its rules pointing at a Service that is gone, a media
 * LoadBalancer without UDP) fails on each; the fixed setup passes. With
 * two media workers, a Service or NetworkPolicy missing the second worker's
 * port fails naming it. And replicas checked against Redis with real nodes
 * on Debian's redis-server.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { clusterEnv } from '../support/cluster.js';
import { runDoctor } from '../support/doctor.js';
import { startRedis } from '../support/redis.js';
import { startServer, waitUntil } from '../support/server.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/kube/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'confab-doctor-kube-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function kubeEnv(fixtures: 'conflict' | 'healthy', log: string): NodeJS.ProcessEnv {
  return { PATH: `${join(FIXTURES, 'bin')}${delimiter}${process.env.PATH ?? ''}`, CONFAB_KUBE_FIXTURES: join(FIXTURES, fixtures), CONFAB_KUBE_LOG: log };
}

test('the conflicting setup: ingress conflict, missing backend and missing UDP port, exit 1', { timeout: 60_000 }, async () => {
  const log = join(dir, 'conflict.log');
  // --only kube: the host is not real, so the doctor must not try DNS or HTTP.
  const run = await runDoctor(['https://meet.example.com/jitsi/', '--kube', '--only', 'kube'], kubeEnv('conflict', log));
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.line('ingress-conflict'), /^ {2}FAIL {2}ingress-conflict +meet\.example\.com\/jitsi\/ is claimed by 2 Ingresses: confab\/confab \(nginx, created 2026-11-20\) -> confab:http; jitsi\/jitsi-web \(nginx, created 2025-03-02\) -> web:80; fix: .*`kubectl -n jitsi edit ingress jitsi-web`/);
  assert.match(run.line('ingress-route'), /FAIL .*confab:http .* or web:80 .*whichever the controller picks/);
  assert.match(run.line('ingress-backends'), /^ {2}FAIL {2}ingress-backends +jitsi\/jitsi-web: meet\.example\.com\/jitsi\/http-bind, meet\.example\.com\/jitsi\/xmpp-websocket -> prosody:5280: service prosody does not exist in namespace jitsi/);
  assert.match(run.line('media-udp-port'), /^ {2}FAIL {2}media-udp-port +LoadBalancer confab\/confab-media \(ports 10000\/TCP \(nodePort 31000\), 4443\/TCP \(nodePort 31443\)\) exposes no UDP port: .*protocol: UDP/);
  // The unrelated Grafana Ingress (its port referenced by name) is not reported.
  assert.doesNotMatch(run.stdout, /grafana/);
  assert.match(run.lines.at(-1)!, /^result: FAIL: ingress-conflict, ingress-route, ingress-backends, media-udp-port /);
  // Read-only: every kubectl call was a `get ... -o json`.
  const calls = readFileSync(log, 'utf8').trim().split('\n');
  assert.ok(calls.length >= 3 && calls.every((c) => /^kubectl get \w+ (--all-namespaces|--namespace \S+) -o json$/.test(c)), calls.join('\n'));
});

test('the fixed setup passes every kube check, exit 0; --json carries the same findings', { timeout: 60_000 }, async () => {
  const run = await runDoctor(['https://streaming.example.com/jitsi/', '--kube', '--namespace', 'liveclasses', '--only', 'kube'], kubeEnv('healthy', join(dir, 'healthy.log')));
  assert.equal(run.code, 0, run.stdout + run.stderr);
  for (const name of ['ingress-conflict', 'ingress-route', 'ingress-backends', 'media-udp-port']) assert.match(run.line(name), /^ {2}PASS /);
  assert.match(run.line('media-udp-port'), /UDP 10000 on 203\.0\.113\.7/);

  const json = await runDoctor(['https://meet.example.com/jitsi/', '--kube', '--only', 'kube', '--json'], kubeEnv('conflict', join(dir, 'json.log')));
  const report = JSON.parse(json.stdout) as { exitCode: number; checks: { name: string; status: string; data?: { ingresses?: string[] } }[] };
  assert.equal(report.exitCode, 1);
  assert.deepEqual(report.checks.find((c) => c.name === 'ingress-conflict')?.data?.ingresses, ['confab/confab', 'jitsi/jitsi-web']);
});

test('without kubectl on PATH the kube check fails and says so', { timeout: 60_000 }, async () => {
  const run = await runDoctor(['https://meet.example.com/jitsi/', '--kube', '--only', 'kube'], { PATH: dir });
  assert.equal(run.code, 1);
  assert.match(run.line('kubectl'), /FAIL {2}kubectl +kubectl get ingresses --all-namespaces -o json: kubectl is not on PATH/);
});

/**
 * The healthy fixtures with MEDIA_WORKERS=2 in the pod's ConfigMap (as deploy/kubernetes/base
 * sets it): the media Service carries these ports, the NetworkPolicy lets these in.
 */
function twoWorkerFixtures(name: string, servicePorts: readonly [string, number, 'UDP' | 'TCP'][], policyPorts: readonly [number, 'UDP' | 'TCP'][]): string {
  const target = join(dir, name);
  mkdirSync(target, { recursive: true });
  copyFileSync(join(FIXTURES, 'healthy', 'ingresses.json'), join(target, 'ingresses.json'));
  const list = (items: unknown[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  const pods = JSON.parse(readFileSync(join(FIXTURES, 'healthy', 'pods.json'), 'utf8')) as { items: { metadata: { name: string }; spec: { containers: Record<string, unknown>[] } }[] };
  const confab = pods.items.find((p) => p.metadata.name.startsWith('confab'))!.spec.containers[0]!;
  confab.env = [{ name: 'MEDIA_ADVERTISE_IPS', value: '203.0.113.7' }];
  confab.envFrom = [{ configMapRef: { name: 'confab-config-5t8h2k9c4m' } }];
  confab.ports = [
    { containerPort: 8000, name: 'http', protocol: 'TCP' },
    { containerPort: 10000, name: 'media-udp', protocol: 'UDP' },
    { containerPort: 10001, name: 'media-udp-1', protocol: 'UDP' },
    { containerPort: 4443, name: 'media-tcp', protocol: 'TCP' },
    { containerPort: 4444, name: 'media-tcp-1', protocol: 'TCP' },
  ];
  writeFileSync(join(target, 'pods.json'), JSON.stringify(pods));
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'confab-config-5t8h2k9c4m', namespace: 'liveclasses' }, data: { MEDIA_WORKERS: '2', MEDIA_UDP_PORT: '10000', MEDIA_TCP_PORT: '4443' } };
  writeFileSync(join(target, 'configmaps.json'), list([configMap]));
  const services = JSON.parse(readFileSync(join(FIXTURES, 'healthy', 'services.json'), 'utf8')) as { items: { metadata: { name: string }; spec: { ports: unknown[] } }[] };
  services.items.find((s) => s.metadata.name === 'confab-media')!.spec.ports = servicePorts.map(([portName, port, protocol], i) => ({ name: portName, port, protocol, targetPort: portName, nodePort: 31000 + i }));
  writeFileSync(join(target, 'services.json'), JSON.stringify(services));
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'confab', namespace: 'liveclasses' },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'confab' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 8000 }] }, { ports: policyPorts.map(([port, protocol]) => ({ protocol, port })) }],
    },
  };
  writeFileSync(join(target, 'networkpolicies.json'), list([policy]));
  return target;
}

test('two media workers (MEDIA_WORKERS=2 in the ConfigMap): a Service and a NetworkPolicy without 10001/UDP fail naming it; with every worker port both pass', { timeout: 60_000 }, async () => {
  const args = ['https://streaming.example.com/jitsi/', '--kube', '--namespace', 'liveclasses', '--only', 'kube'];
  const env = (fixtures: string, log: string): NodeJS.ProcessEnv => ({ PATH: `${join(FIXTURES, 'bin')}${delimiter}${process.env.PATH ?? ''}`, CONFAB_KUBE_FIXTURES: fixtures, CONFAB_KUBE_LOG: log });
  const firstOnly = twoWorkerFixtures('first-worker-only', [['media-udp', 10000, 'UDP'], ['media-tcp', 4443, 'TCP'], ['media-tcp-1', 4444, 'TCP']], [[10000, 'UDP'], [4443, 'TCP'], [4444, 'TCP']]);
  const log = join(dir, 'two-workers.log');
  const broken = await runDoctor(args, env(firstOnly, log));
  assert.equal(broken.code, 1, broken.stdout + broken.stderr);
  assert.match(broken.line('media-udp-port'), /^ {2}FAIL {2}media-udp-port +LoadBalancer liveclasses\/confab-media \(ports 10000\/UDP .*\) lacks 10001\/UDP \(media worker 1 of 2\): .*fix: add `- name: media-udp-1, port: 10001, targetPort: 10001, protocol: UDP`/);
  assert.match(broken.line('media-netpol'), /^ {2}FAIL {2}media-netpol +NetworkPolicy liveclasses\/confab \(selecting liveclasses\/confab-\S+\) lets no 10001\/UDP \(media worker 1 of 2\) in from anywhere/);
  assert.doesNotMatch(broken.stdout, /media-workers/, 'MEDIA_WORKERS is set (in the ConfigMap)');
  // The ConfigMap and the NetworkPolicies were read, as every other kind: `get ... -o json`.
  const calls = readFileSync(log, 'utf8').trim().split('\n');
  assert.ok(calls.includes('kubectl get configmaps --namespace liveclasses -o json') && calls.includes('kubectl get networkpolicies --namespace liveclasses -o json'), calls.join('\n'));
  assert.ok(calls.every((c) => /^kubectl get \w+ (--all-namespaces|--namespace \S+) -o json$/.test(c)), calls.join('\n'));

  const every = twoWorkerFixtures('every-worker', [['media-udp', 10000, 'UDP'], ['media-udp-1', 10001, 'UDP'], ['media-tcp', 4443, 'TCP'], ['media-tcp-1', 4444, 'TCP']], [[10000, 'UDP'], [10001, 'UDP'], [4443, 'TCP'], [4444, 'TCP']]);
  const fixed = await runDoctor(args, env(every, join(dir, 'every-worker.log')));
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.match(fixed.line('media-udp-port'), /^ {2}PASS .*UDP 10000-10001 \(2 media workers\) on 203\.0\.113\.7/);
  assert.match(fixed.line('media-netpol'), /^ {2}PASS .*lets UDP 10000-10001 \(2 media workers\) and TCP 4443-4444 in from anywhere/);
});

/** The healthy fixtures with these Confab pods (namespace liveclasses) instead of the recorded ones. */
function fixturesWithPods(name: string, pods: readonly { name: string; ip: string }[]): string {
  const target = join(dir, name);
  mkdirSync(target, { recursive: true });
  for (const file of ['ingresses.json', 'services.json']) copyFileSync(join(FIXTURES, 'healthy', file), join(target, file));
  const items = pods.map((p) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: 'liveclasses', labels: { 'app.kubernetes.io/name': 'confab' } },
    spec: { containers: [{ name: 'confab', image: 'ghcr.io/example/confab:0.1.0', ports: [{ containerPort: 8000, name: 'http', protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: p.ip },
  }));
  writeFileSync(join(target, 'pods.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  return target;
}

async function clusterLine(url: string, fixtures: string): Promise<string> {
  const run = await runDoctor([url, '--kube', '--namespace', 'liveclasses', '--only', 'kube'], {
    PATH: `${join(FIXTURES, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
    CONFAB_KUBE_FIXTURES: fixtures,
  });
  return run.line('cluster-replicas');
}

test('replicas against Redis: pods on another Redis, or without one, are the split-class failure, named; one Redis for all passes', { timeout: 120_000 }, async () => {
  const [shared, other] = [await startRedis(), await startRedis()];
  // Each node registers its pod IP (CLUSTER_ADVERTISE_HOST, status.podIP in the overlay); loopback stands in for the pod network.
  const onShared = await Promise.all(['127.0.0.11', '127.0.0.12'].map((ip) => startServer(clusterEnv(shared.url, { CLUSTER_ADVERTISE_HOST: ip }))));
  const stray = await startServer(clusterEnv(other.url, { CLUSTER_ADVERTISE_HOST: '127.0.0.13' }));
  const plain = await startServer();
  try {
    await waitUntil(() => onShared.every((n) => n.server.cluster!.node.nodes.length === 2), 10_000, 'the two nodes on one Redis to see each other');
    const three = fixturesWithPods('split', [
      { name: 'confab-a', ip: '127.0.0.11' },
      { name: 'confab-b', ip: '127.0.0.12' },
      { name: 'confab-c', ip: '127.0.0.13' },
    ]);
    assert.match(await clusterLine(onShared[0]!.url, three), /^ {2}FAIL {2}cluster-replicas +split class: liveclasses\/confab-c \(127\.0\.0\.13\) not in the registry of the Redis .*cannot see the same Redis.*fix: give every replica the same REDIS_URL/);
    assert.match(await clusterLine(plain.url, three), /^ {2}FAIL {2}cluster-replicas +split class: 3 Confab pods .* without cluster mode \(no REDIS_URL\).*fix: give every replica the same REDIS_URL \(deploy\/kubernetes\/overlays\/cluster\), or scale the Deployment to 1 replica/);
    const two = fixturesWithPods('together', [
      { name: 'confab-a', ip: '127.0.0.11' },
      { name: 'confab-b', ip: '127.0.0.12' },
    ]);
    assert.match(await clusterLine(onShared[1]!.url, two), /^ {2}PASS {2}cluster-replicas +2 Confab pods, all in one cluster on one Redis/);
  } finally {
    for (const s of [...onShared, stray, plain]) await s.stop();
    await shared.dispose();
    await other.dispose();
  }
});
