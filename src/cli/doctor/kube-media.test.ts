import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mediaPortChecks } from './kube-media.js';
import type { MediaPorts } from './kube-media-env.js';
import type { K8sPod, K8sService, K8sServicePort } from './kubectl.js';

/** MEDIA_WORKERS=1: one UDP and one TCP port, as before media workers. */
const ONE: MediaPorts = { udpPort: 10000, tcpPort: 4443, workers: 1 };
/** MEDIA_WORKERS=2: 10000-10001/udp, 4443-4444/tcp. */
const TWO: MediaPorts = { udpPort: 10000, tcpPort: 4443, workers: 2 };

const svc = (type: string, ports: K8sServicePort[], lb?: string): K8sService => ({
  metadata: { namespace: 'confab', name: 'confab-media' },
  spec: { type, ports },
  status: lb ? { loadBalancer: { ingress: [{ ip: lb }] } } : {},
});

test('LoadBalancer with UDP on the media port and an address passes', () => {
  const [r] = mediaPortChecks([svc('LoadBalancer', [{ port: 10000, protocol: 'UDP' }], '203.0.113.7')], [], ONE, 'ns');
  assert.equal(r!.status, 'pass');
});

test('TCP-only LoadBalancer, ClusterIP, and a NodePort that differs from MEDIA_UDP_PORT fail', () => {
  assert.match(mediaPortChecks([svc('LoadBalancer', [{ port: 10000, protocol: 'TCP' }], '203.0.113.7')], [], ONE, 'ns')[0]!.evidence, /exposes no UDP port/);
  assert.match(mediaPortChecks([svc('ClusterIP', [{ port: 10000, protocol: 'UDP' }])], [], ONE, 'ns')[0]!.evidence, /only inside the cluster/);
  const nodePort = mediaPortChecks([svc('NodePort', [{ port: 10000, protocol: 'UDP', nodePort: 31000 }])], [], ONE, 'ns')[0]!;
  assert.equal(nodePort.status, 'fail');
  assert.match(nodePort.evidence, /nodePort 31000 differs/);
});

test('a pod hostPort on UDP exposes the port; nothing at all fails naming the port', () => {
  const pod: K8sPod = { metadata: { namespace: 'confab', name: 'confab-0' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 10000, hostPort: 10000, protocol: 'UDP' }] }] } };
  const withHostPort = mediaPortChecks([svc('ClusterIP', [{ port: 10000, protocol: 'UDP' }])], [pod], ONE, 'ns');
  assert.deepEqual(withHostPort.map((r) => r.status), ['warn', 'pass']);
  const none = mediaPortChecks([], [], ONE, 'namespace confab');
  assert.equal(none[0]!.status, 'fail');
  assert.match(none[0]!.evidence, /no Service and no pod hostPort exposes UDP 10000 in namespace confab/);
});

test('a LoadBalancer address the pods do not advertise fails, naming both', () => {
  const pod: K8sPod = { metadata: { namespace: 'confab', name: 'confab-0' }, spec: { containers: [{ name: 'c', env: [{ name: 'MEDIA_ADVERTISE_IPS', value: '10.42.1.23' }] }] } };
  const [r] = mediaPortChecks([svc('LoadBalancer', [{ port: 10000, protocol: 'UDP' }], '203.0.113.7')], [pod], ONE, 'ns');
  assert.equal(r!.status, 'fail');
  assert.match(r!.evidence, /on 203\.0\.113\.7, but the pods advertise MEDIA_ADVERTISE_IPS=10\.42\.1\.23/);
  assert.match(r!.fix!, /set MEDIA_ADVERTISE_IPS=203\.0\.113\.7/);
});

test('two media workers: a LoadBalancer with both UDP ports passes naming them; one without 10001/UDP fails naming it', () => {
  const both = svc('LoadBalancer', [{ port: 10000, protocol: 'UDP' }, { port: 10001, protocol: 'UDP' }, { port: 4443, protocol: 'TCP' }, { port: 4444, protocol: 'TCP' }], '203.0.113.7');
  const [pass] = mediaPortChecks([both], [], TWO, 'ns');
  assert.equal(pass!.status, 'pass');
  assert.match(pass!.evidence, /UDP 10000-10001 \(2 media workers\) on 203\.0\.113\.7/);
  const first = svc('LoadBalancer', [{ name: 'media-udp', port: 10000, protocol: 'UDP' }], '203.0.113.7');
  const [r] = mediaPortChecks([first], [], TWO, 'ns');
  assert.equal(r!.status, 'fail');
  assert.match(r!.evidence, /lacks 10001\/UDP \(media worker 1 of 2\)/);
  assert.match(r!.fix!, /`- name: media-udp-1, port: 10001, targetPort: 10001, protocol: UDP`/);
  // With one worker the same Service is right.
  assert.equal(mediaPortChecks([first], [], ONE, 'ns')[0]!.status, 'pass');
});

test('two media workers: named targetPorts resolve through the pod; ICE-TCP for one worker only fails; a NodePort must keep every number', () => {
  const pod: K8sPod = {
    metadata: { namespace: 'confab', name: 'confab-0' },
    spec: { containers: [{ name: 'confab', ports: [{ name: 'media-udp', containerPort: 10000, protocol: 'UDP' }, { name: 'media-udp-1', containerPort: 10001, protocol: 'UDP' }, { name: 'media-tcp', containerPort: 4443, protocol: 'TCP' }] }] },
  };
  const named = svc('LoadBalancer', [{ port: 10000, targetPort: 'media-udp', protocol: 'UDP' }, { port: 10001, targetPort: 'media-udp-1', protocol: 'UDP' }, { port: 4443, targetPort: 'media-tcp', protocol: 'TCP' }], '203.0.113.7');
  const [r] = mediaPortChecks([named], [pod], TWO, 'ns');
  assert.equal(r!.status, 'fail');
  assert.match(r!.evidence, /lacks ICE-TCP 4444\/TCP \(media worker 1 of 2\)/);
  const nodePort = mediaPortChecks([svc('NodePort', [{ port: 10000, nodePort: 10000, protocol: 'UDP' }, { port: 10001, nodePort: 31001, protocol: 'UDP' }])], [], TWO, 'ns')[0]!;
  assert.equal(nodePort.status, 'fail');
  assert.match(nodePort.evidence, /UDP nodePort 31001 differs from the port clients are told \(MEDIA_UDP_PORT\+1 = 10001, media worker 1\)/);
});

test('two media workers: a pod with hostPort 10000/UDP only fails naming 10001/UDP; with both it passes', () => {
  const hostPorts = (ports: [number, string][]): K8sPod => ({
    metadata: { namespace: 'confab', name: 'confab-0' },
    spec: { containers: [{ name: 'confab', ports: ports.map(([port, protocol]) => ({ containerPort: port, hostPort: port, protocol })) }] },
  });
  const [partial] = mediaPortChecks([], [hostPorts([[10000, 'UDP'], [4443, 'TCP'], [4444, 'TCP']])], TWO, 'ns');
  assert.equal(partial!.status, 'fail');
  assert.match(partial!.evidence, /confab\/confab-0 takes hostPort 10000\/UDP, 4443\/TCP, 4444\/TCP on its node, not 10001\/UDP \(media worker 1 of 2\)/);
  const [full] = mediaPortChecks([], [hostPorts([[10000, 'UDP'], [10001, 'UDP']])], TWO, 'ns');
  assert.equal(full!.status, 'pass');
  assert.match(full!.evidence, /UDP 10000-10001 \(2 media workers\) taken on the node by confab\/confab-0 \(hostPort 10000-10001\/UDP\)/);
});
