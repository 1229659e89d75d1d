import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mediaPortsOf, mediaWorkersCheck, podMediaEnv, type MediaPorts } from './kube-media-env.js';
import { networkPolicyChecks, selects } from './kube-netpol.js';
import type { K8sConfigMap, K8sNetworkPolicy, K8sPod } from './kubectl.js';

const TWO: MediaPorts = { udpPort: 10000, tcpPort: 4443, workers: 2 };
const labels = { 'app.kubernetes.io/name': 'confab' };
const pod = (env: { name: string; value?: string }[] = [], configMap?: string): K8sPod => ({
  metadata: { namespace: 'confab', name: 'confab-0', labels },
  spec: { containers: [{ name: 'confab', image: 'confab:0.1.0', env, ...(configMap ? { envFrom: [{ configMapRef: { name: configMap } }] } : {}) }] },
});
const configMap = (data: Record<string, string>): K8sConfigMap => ({ metadata: { namespace: 'confab', name: 'confab-config-abc' }, data });
const policy = (ports: { protocol: string; port: number; endPort?: number }[], from?: unknown[]): K8sNetworkPolicy => ({
  metadata: { namespace: 'confab', name: 'confab' },
  spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress: [{ ports, ...(from ? { from: from as never } : {}) }] },
});

test('MEDIA_WORKERS and the first ports come from the envFrom ConfigMap, env values winning; unset is a warning', () => {
  const env = podMediaEnv([pod([{ name: 'MEDIA_UDP_PORT', value: '20000' }], 'confab-config-abc')], [configMap({ MEDIA_WORKERS: '2', MEDIA_UDP_PORT: '10000', MEDIA_TCP_PORT: 'off' })]);
  assert.deepEqual([env.workers, env.udpPort, env.tcpPort, env.complete], [2, 20000, 'off', true]);
  assert.deepEqual(mediaPortsOf(env, {}, undefined), { udpPort: 20000, tcpPort: undefined, workers: 2 });
  assert.deepEqual(mediaPortsOf(env, { mediaUdpPort: 30000, mediaWorkers: 3 }, undefined), { udpPort: 30000, tcpPort: undefined, workers: 3 });
  assert.deepEqual(mediaWorkersCheck(env, mediaPortsOf(env, {}, undefined), false), []);
  const unset = podMediaEnv([pod()], []);
  const [warning] = mediaWorkersCheck(unset, mediaPortsOf(unset, {}, 10001), false);
  assert.equal(warning!.status, 'warn');
  assert.match(warning!.evidence, /MEDIA_WORKERS is not set for confab\/confab-0: .*the node's cores/);
  // Read in full and unset: Confab's default first port, not the port one room's worker was offered on.
  assert.equal(mediaPortsOf(unset, {}, 10001).udpPort, 10000);
});

test('a ConfigMap that cannot be read: worker 0 only, from the offered port, and a warning saying so', () => {
  const env = podMediaEnv([pod([], 'confab-config-abc')], undefined);
  assert.equal(env.complete, false);
  const m = mediaPortsOf(env, {}, 10000);
  assert.deepEqual(m, { udpPort: 10000, tcpPort: 4443, workers: 1 });
  assert.match(mediaWorkersCheck(env, m, false, 'forbidden')[0]!.evidence, /MEDIA_WORKERS unknown: ConfigMap confab\/confab-config-abc not read \(forbidden\)/);
  assert.deepEqual(mediaWorkersCheck(env, m, true), [], '--media-workers says it');
});

test('selectors: matchLabels and matchExpressions; an empty selector selects every pod', () => {
  assert.ok(selects(undefined, labels));
  assert.ok(selects({ matchLabels: labels }, labels));
  assert.ok(!selects({ matchLabels: { app: 'other' } }, labels));
  assert.ok(selects({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['confab'] }] }, labels));
  assert.ok(!selects({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'DoesNotExist' }] }, labels));
});

test('a NetworkPolicy must let every media worker\'s UDP port in from anywhere; ICE-TCP for all workers or none', () => {
  const all = networkPolicyChecks([policy([{ protocol: 'UDP', port: 10000 }, { protocol: 'UDP', port: 10001 }, { protocol: 'TCP', port: 4443, endPort: 4444 }])], [pod()], TWO);
  assert.deepEqual(all.map((r) => r.status), ['pass']);
  assert.match(all[0]!.evidence, /lets UDP 10000-10001 \(2 media workers\) and TCP 4443-4444 in from anywhere/);
  const [missing] = networkPolicyChecks([policy([{ protocol: 'UDP', port: 10000 }, { protocol: 'TCP', port: 4443 }, { protocol: 'TCP', port: 4444 }])], [pod()], TWO);
  assert.equal(missing!.status, 'fail');
  assert.match(missing!.evidence, /NetworkPolicy confab\/confab \(selecting confab\/confab-0\) lets no 10001\/UDP \(media worker 1 of 2\) in from anywhere/);
  assert.match(missing!.fix!, /\{protocol: UDP, port: 10001\}/);
  const [tcpHalf] = networkPolicyChecks([policy([{ protocol: 'UDP', port: 10000, endPort: 10001 }, { protocol: 'TCP', port: 4443 }])], [pod()], TWO);
  assert.equal(tcpHalf!.status, 'fail');
  assert.match(tcpHalf!.evidence, /lets no 4444\/TCP \(media worker 1 of 2\)/);
  const [noTcp] = networkPolicyChecks([policy([{ protocol: 'UDP', port: 10000, endPort: 10001 }])], [pod()], TWO);
  assert.equal(noTcp!.status, 'warn');
  // Media allowed only from inside the cluster is not from anywhere; no policy selecting the pods: nothing to say.
  assert.equal(networkPolicyChecks([policy([{ protocol: 'UDP', port: 10000, endPort: 10001 }], [{ namespaceSelector: {} }])], [pod()], TWO)[0]!.status, 'fail');
  assert.deepEqual(networkPolicyChecks([], [pod()], TWO), []);
  assert.equal(networkPolicyChecks(undefined, [pod()], TWO, 'forbidden')[0]!.status, 'skip');
});
