/**
 * `confab doctor --kube` with a kubectl stand-in first on PATH, printing
 * recorded `kubectl get ... -o json` output (test/fixtures/kube/): the
 * conflicting setup of our story (an old Jitsi Ingress claiming the same
 * host and path, its rules pointing at a Service that is gone, a media
 * LoadBalancer without UDP) fails on each; the fixed setup passes. And
 * replicas checked against Redis with real nodes on Debian's redis-server.
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
