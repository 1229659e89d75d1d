import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backendChecks, claimsOf, conflictChecks, hostMatches, routeChecks } from './kube-ingress.js';
import type { K8sIngress, K8sService } from './kubectl.js';

const ingress = (ns: string, name: string, host: string | undefined, paths: [string, string, string, number][]): K8sIngress => ({
  metadata: { namespace: ns, name },
  spec: { rules: [{ host, http: { paths: paths.map(([path, pathType, svc, port]) => ({ path, pathType, backend: { service: { name: svc, port: { number: port } } } })) } }] },
});
const service = (ns: string, name: string, port: number): K8sService => ({ metadata: { namespace: ns, name }, spec: { ports: [{ port }] } });

test('hostMatches: equal, no host, and one-label wildcards only', () => {
  assert.ok(hostMatches('meet.example.com', 'meet.example.com'));
  assert.ok(hostMatches('*', 'meet.example.com'));
  assert.ok(hostMatches('*.example.com', 'meet.example.com'));
  assert.ok(!hostMatches('*.example.com', 'a.meet.example.com'));
  assert.ok(!hostMatches('other.example.com', 'meet.example.com'));
});

test('/jitsi and /jitsi/ on one host in two Ingresses conflict; other hosts and sub-paths do not', () => {
  const claims = claimsOf([
    ingress('a', 'one', 'meet.example.com', [['/jitsi/', 'Prefix', 'confab', 8000]]),
    ingress('b', 'two', 'meet.example.com', [['/jitsi', 'Prefix', 'web', 80], ['/jitsi/http-bind', 'Prefix', 'prosody', 5280]]),
    ingress('c', 'three', 'other.example.com', [['/jitsi/', 'Prefix', 'x', 80]]),
  ]);
  const results = conflictChecks(claims, 'meet.example.com', 'a');
  assert.equal(results.length, 1);
  assert.equal(results[0]!.status, 'fail');
  assert.match(results[0]!.fix!, /kubectl -n b edit ingress two/);
  assert.equal(conflictChecks(claims, 'other.example.com', undefined)[0]!.status, 'pass');
});

test('an Exact rule for the page leaves signaling unrouted; a more specific rule elsewhere diverts it', () => {
  const exact = claimsOf([ingress('a', 'one', 'h', [['/jitsi/', 'Exact', 'confab', 8000], ['/jitsi/assets', 'Prefix', 'confab', 8000]])]);
  const [missing] = routeChecks(exact, 'h', '/jitsi/');
  assert.equal(missing!.status, 'fail');
  assert.match(missing!.evidence, /routes \/jitsi\/signaling, \/jitsi\/signaling\/lp, \/jitsi\/readyz$/);

  const diverted = claimsOf([ingress('a', 'one', 'h', [['/jitsi', 'Prefix', 'confab', 8000]]), ingress('b', 'two', 'h', [['/jitsi/signaling', 'Prefix', 'old', 5280]])]);
  const [d] = routeChecks(diverted, 'h', '/jitsi/');
  assert.match(d!.evidence, /\/jitsi\/signaling -> old:5280 .*; \/jitsi\/signaling\/lp -> old:5280 .*, but \/jitsi\/ -> confab:8000/);

  const good = claimsOf([ingress('a', 'one', 'h', [['/jitsi', 'Prefix', 'confab', 8000]])]);
  assert.equal(routeChecks(good, 'h', '/jitsi/')[0]!.status, 'pass');
});

test('backends: a missing Service and a missing port are named; a port referenced by name resolves', () => {
  const ingresses = [ingress('a', 'one', 'h', [['/', 'Prefix', 'gone', 80], ['/x', 'Prefix', 'svc', 81], ['/y', 'Prefix', 'svc', 80]])];
  const results = backendChecks(ingresses, [service('a', 'svc', 80), service('b', 'gone', 80)]);
  assert.deepEqual(results.map((r) => r.evidence), [
    'a/one: h/ -> gone:80: service gone does not exist in namespace a',
    'a/one: h/x -> svc:81: service a/svc has no port 81 (it has 80)',
  ]);
});
