/**
 * Ingress checks: two Ingresses claiming the same host and path (ingress
 * controllers merge them and one silently wins: the conflict that sent our
 * users to the old deployment), Confab's paths not routed, and rules whose
 * backend Service or port does not exist.
 */
import { prefixRule } from './fixes.js';
import { ref, type K8sBackend, type K8sIngress, type K8sService } from './kubectl.js';
import type { CheckResult } from './types.js';

export interface Claim {
  readonly ingress: K8sIngress;
  readonly host: string;
  readonly path: string;
  readonly pathType: string;
  readonly backend: K8sBackend;
}

const ingressClass = (i: K8sIngress): string => i.spec?.ingressClassName ?? i.metadata.annotations?.['kubernetes.io/ingress.class'] ?? 'default class';
const backendText = (b: K8sBackend): string => (b.service ? `${b.service.name}:${b.service.port?.number ?? b.service.port?.name ?? '?'}` : '(no service)');
/** `/jitsi/` and `/jitsi` are the same Prefix claim. */
const normalize = (path: string): string => (path.length > 1 ? path.replace(/\/+$/, '') : path);

export function claimsOf(ingresses: readonly K8sIngress[]): Claim[] {
  return ingresses.flatMap((ingress) =>
    (ingress.spec?.rules ?? []).flatMap((rule) =>
      (rule.http?.paths ?? []).map((p) => ({ ingress, host: rule.host ?? '*', path: p.path ?? '/', pathType: p.pathType ?? 'ImplementationSpecific', backend: p.backend })),
    ),
  );
}

/** Whether a rule's host covers ours: equal, a `*.domain` wildcard, or no host at all. */
export function hostMatches(ruleHost: string, host: string): boolean {
  if (ruleHost === '*' || ruleHost === host) return true;
  return ruleHost.startsWith('*.') && host.endsWith(ruleHost.slice(1)) && !host.slice(0, -ruleHost.length + 1).includes('.');
}

/** Does a claim route `path`? Exact must be equal; Prefix matches whole path elements. */
function routes(claim: Claim, path: string): boolean {
  if (claim.pathType === 'Exact') return claim.path === path;
  const prefix = normalize(claim.path);
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
}

/** `namespace`: Confab's, when known, so the fix can name the other Ingresses. */
export function conflictChecks(claims: readonly Claim[], host: string, namespace: string | undefined): CheckResult[] {
  const byPath = new Map<string, Claim[]>();
  for (const c of claims.filter((c) => hostMatches(c.host, host))) {
    const key = `${c.host}${normalize(c.path)}`;
    byPath.set(key, [...(byPath.get(key) ?? []), c]);
  }
  const results: CheckResult[] = [];
  for (const [key, group] of byPath) {
    const owners = [...new Set(group.map((c) => c.ingress))];
    if (owners.length < 2) continue;
    const who = owners.map((i) => `${ref(i.metadata)} (${ingressClass(i)}${i.metadata.creationTimestamp ? `, created ${i.metadata.creationTimestamp.slice(0, 10)}` : ''}) -> ${group.filter((c) => c.ingress === i).map((c) => backendText(c.backend)).join(', ')}`);
    const others = namespace ? owners.filter((i) => i.metadata.namespace !== namespace) : [];
    const remove = others.length > 0 && others.length < owners.length ? `: ${others.map((i) => `\`kubectl -n ${i.metadata.namespace} edit ingress ${i.metadata.name}\` (or delete it)`).join(', ')}` : '';
    results.push({
      group: 'kube',
      name: 'ingress-conflict',
      status: 'fail',
      evidence: `${group[0]!.host}${group[0]!.path} is claimed by ${owners.length} Ingresses: ${who.join('; ')}`,
      fix: `one host and path must belong to one Ingress (the controller merges them and one silently wins, so requests may reach the other deployment): remove ${group[0]!.host}${group[0]!.path} from every Ingress but Confab's${remove}`,
      data: { hostPath: key, ingresses: owners.map((i) => ref(i.metadata)) },
    });
  }
  if (results.length === 0) results.push({ group: 'kube', name: 'ingress-conflict', status: 'pass', evidence: `no two Ingresses claim the same path on ${host}` });
  return results;
}

/** Each of Confab's paths must be routed, all to the same backend as the page, by one rule. */
export function routeChecks(claims: readonly Claim[], host: string, basePath: string): CheckResult[] {
  const ours = claims.filter((c) => hostMatches(c.host, host));
  if (ours.length === 0) {
    return [{ group: 'kube', name: 'ingress-route', status: 'warn', evidence: `no Ingress rule names host ${host}`, fix: `if Confab is exposed through an Ingress, add one for ${host}: ${prefixRule(basePath)}` }];
  }
  // Exact beats Prefix, then the longest path; equal ones are a tie the controller breaks as it likes.
  const rank = (c: Claim): number => (c.pathType === 'Exact' ? 1e6 : 0) + normalize(c.path).length;
  const winners = (path: string): Claim[] => {
    const matching = ours.filter((c) => routes(c, path));
    const best = Math.max(...matching.map(rank));
    return matching.filter((c) => rank(c) === best);
  };
  const rule = (c: Claim): string => `${backendText(c.backend)} (${c.pathType} ${c.path} of ${ref(c.ingress.metadata)})`;
  const page = winners(basePath)[0];
  const missing: string[] = [];
  const diverted: string[] = [];
  const ambiguous: string[] = [];
  for (const path of [basePath, `${basePath}assets/`, `${basePath}signaling`, `${basePath}signaling/lp`, `${basePath}readyz`]) {
    const w = winners(path);
    if (w.length === 0) missing.push(path);
    else if (new Set(w.map((c) => backendText(c.backend))).size > 1) ambiguous.push(`${path} -> ${w.map(rule).join(' or ')}`);
    else if (page && backendText(w[0]!.backend) !== backendText(page.backend)) diverted.push(`${path} -> ${rule(w[0]!)}`);
  }
  const results: CheckResult[] = [];
  if (missing.length > 0) results.push({ group: 'kube', name: 'ingress-route', status: 'fail', evidence: `no Ingress rule on ${host} routes ${missing.join(', ')}`, fix: prefixRule(basePath) });
  if (ambiguous.length > 0) {
    results.push({ group: 'kube', name: 'ingress-route', status: 'fail', evidence: `${host}: ${ambiguous[0]}${ambiguous.length > 1 ? ` (and ${ambiguous.length - 1} more of Confab's paths)` : ''}, whichever the controller picks`, fix: 'see ingress-conflict: one Ingress must own the path' });
  }
  if (diverted.length > 0) {
    results.push({ group: 'kube', name: 'ingress-route', status: 'fail', evidence: `${host}: ${diverted.join('; ')}, but ${basePath} -> ${backendText(page!.backend)}`, fix: `everything under ${basePath} must reach Confab: remove those rules; ${prefixRule(basePath)}` });
  }
  if (results.length === 0 && page) {
    results.push({ group: 'kube', name: 'ingress-route', status: 'pass', evidence: `${host}${basePath} (page, assets, signaling, long-poll, readyz) -> ${rule(page)}` });
  }
  return results;
}

/** Rules whose backend Service, or its port, does not exist in the Ingress's namespace. */
export function backendChecks(ingresses: readonly K8sIngress[], services: readonly K8sService[]): CheckResult[] {
  const broken = new Map<string, { ingress: K8sIngress; backend: string; paths: string[]; reason: string }>();
  for (const ingress of ingresses) {
    const ns = ingress.metadata.namespace;
    const backends: [string, K8sBackend][] = claimsOf([ingress]).map((c) => [`${c.host === '*' ? '' : c.host}${c.path}`, c.backend]);
    if (ingress.spec?.defaultBackend) backends.push(['(default backend)', ingress.spec.defaultBackend]);
    for (const [where, backend] of backends) {
      if (!backend.service) continue;
      const service = services.find((s) => s.metadata.namespace === ns && s.metadata.name === backend.service!.name);
      const port = backend.service.port;
      let reason: string | undefined;
      if (!service) reason = `service ${backend.service.name} does not exist in namespace ${ns}`;
      else if (port && !(service.spec?.ports ?? []).some((p) => (port.number !== undefined ? p.port === port.number : p.name === port.name))) {
        reason = `service ${ns}/${backend.service.name} has no port ${port.number ?? port.name} (it has ${(service.spec?.ports ?? []).map((p) => `${p.name ? `${p.name}=` : ''}${p.port}`).join(', ') || 'none'})`;
      }
      if (!reason) continue;
      const key = `${ref(ingress.metadata)} ${reason}`;
      const entry = broken.get(key) ?? { ingress, backend: backendText(backend), paths: [], reason };
      entry.paths.push(where);
      broken.set(key, entry);
    }
  }
  if (broken.size === 0) return [{ group: 'kube', name: 'ingress-backends', status: 'pass', evidence: `every rule's backend Service and port exist (${ingresses.length} Ingress${ingresses.length === 1 ? '' : 'es'})` }];
  return [...broken.values()].map((b) => ({
    group: 'kube' as const,
    name: 'ingress-backends',
    status: 'fail' as const,
    evidence: `${ref(b.ingress.metadata)}: ${b.paths.join(', ')} -> ${b.backend}: ${b.reason}`,
    fix: `requests to ${b.paths.join(', ')} get 503 from the controller: point the rule at an existing Service and port, or delete it (Confab needs no /http-bind or /xmpp-websocket rules; its one prefix rule covers everything)`,
    data: { ingress: ref(b.ingress.metadata), paths: b.paths, backend: b.backend },
  }));
}
