import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mediaPortChecks } from './kube-media.js';
import type { K8sPod, K8sService, K8sServicePort } from './kubectl.js';

const svc = (type: string, ports: K8sServicePort[], lb?: string): K8sService => ({
  metadata: { namespace: 'confab', name: 'confab-media' },
  spec: { type, ports },
  status: lb ? { loadBalancer: { ingress: [{ ip: lb }] } } : {},
});

test('LoadBalancer with UDP on the media port and an address passes', () => {
  const [r] = mediaPortChecks([svc('LoadBalancer', [{ port: 10000, protocol: 'UDP' }], '203.0.113.7')], [], 10000, 'ns');
  assert.equal(r!.status, 'pass');
});

test('TCP-only LoadBalancer, ClusterIP, and a NodePort that differs from MEDIA_UDP_PORT fail', () => {
  assert.match(mediaPortChecks([svc('LoadBalancer', [{ port: 10000, protocol: 'TCP' }], '203.0.113.7')], [], 10000, 'ns')[0]!.evidence, /exposes no UDP port/);
  assert.match(mediaPortChecks([svc('ClusterIP', [{ port: 10000, protocol: 'UDP' }])], [], 10000, 'ns')[0]!.evidence, /only inside the cluster/);
  const nodePort = mediaPortChecks([svc('NodePort', [{ port: 10000, protocol: 'UDP', nodePort: 31000 }])], [], 10000, 'ns')[0]!;
  assert.equal(nodePort.status, 'fail');
  assert.match(nodePort.evidence, /nodePort 31000 differs/);
});

test('a pod hostPort on UDP exposes the port; nothing at all fails naming the port', () => {
  const pod: K8sPod = { metadata: { namespace: 'confab', name: 'confab-0' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 10000, hostPort: 10000, protocol: 'UDP' }] }] } };
  const withHostPort = mediaPortChecks([svc('ClusterIP', [{ port: 10000, protocol: 'UDP' }])], [pod], 10000, 'ns');
  assert.deepEqual(withHostPort.map((r) => r.status), ['warn', 'pass']);
  const none = mediaPortChecks([], [], 10000, 'namespace confab');
  assert.equal(none[0]!.status, 'fail');
  assert.match(none[0]!.evidence, /no Service and no pod hostPort exposes UDP 10000 in namespace confab/);
});

test('a LoadBalancer address the pods do not advertise fails, naming both', () => {
  const pod: K8sPod = { metadata: { namespace: 'confab', name: 'confab-0' }, spec: { containers: [{ name: 'c', env: [{ name: 'MEDIA_ADVERTISE_IPS', value: '10.42.1.23' }] }] } };
  const [r] = mediaPortChecks([svc('LoadBalancer', [{ port: 10000, protocol: 'UDP' }], '203.0.113.7')], [pod], 10000, 'ns');
  assert.equal(r!.status, 'fail');
  assert.match(r!.evidence, /on 203\.0\.113\.7, but the pods advertise MEDIA_ADVERTISE_IPS=10\.42\.1\.23/);
  assert.match(r!.fix!, /set MEDIA_ADVERTISE_IPS=203\.0\.113\.7/);
});
