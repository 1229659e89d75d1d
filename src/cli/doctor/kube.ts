/**
 * Check 7 (--kube): what the cluster says about the route and the media
 * ports, read with the operator's kubectl. Ingresses are read across all
 * namespaces, since the conflicting one is usually someone else's. The
 * media ports are one UDP and one TCP port per media worker: MEDIA_WORKERS,
 * MEDIA_UDP_PORT and MEDIA_TCP_PORT come from the Confab pods' environment
 * (their env and envFrom ConfigMaps), unless --media-workers / --media-port
 * say otherwise.
 */
import { backendChecks, claimsOf, conflictChecks, hostMatches, routeChecks, type Claim } from './kube-ingress.js';
import { clusterReplicasCheck, confabPods, readReadyz } from './kube-cluster.js';
import { mediaPortChecks } from './kube-media.js';
import { mediaPortsOf, mediaWorkersCheck, podMediaEnv, usesConfigMaps } from './kube-media-env.js';
import { networkPolicyChecks } from './kube-netpol.js';
import { kubectlGet, type K8sConfigMap, type K8sIngress, type K8sNetworkPolicy, type K8sPod, type K8sService, type Kubectl } from './kubectl.js';
import type { DoctorContext, DoctorOptions, Report } from './types.js';

function failed(result: Kubectl<unknown>, report: Report): result is Extract<Kubectl<unknown>, { ok: false }> {
  if (result.ok) return false;
  const fix = result.error === 'kubectl is not on PATH' ? 'install kubectl, or run the doctor where kubectl and a context for the cluster are set up' : 'check the kubectl context (kubectl config current-context) and that it may list these resources';
  report({ group: 'kube', name: 'kubectl', status: 'fail', evidence: `${result.command}: ${result.error}`, fix });
  return true;
}

/**
 * Confab's namespace when --namespace is not given: where its pods run (image or
 * name says confab), else where the base path's rule points if only one namespace does.
 */
function confabNamespace(pods: readonly K8sPod[], claims: readonly Claim[], base: string): string | undefined {
  const unique = (names: string[]): string | undefined => (new Set(names).size === 1 ? names[0] : undefined);
  const ours = pods.filter((p) => /confab/i.test(p.metadata.name) || (p.spec?.containers ?? []).some((c) => /confab/i.test(c.image ?? '')));
  return unique(ours.map((p) => p.metadata.namespace)) ?? unique(claims.filter((c) => c.path.replace(/\/$/, '') === base.replace(/\/$/, '')).map((c) => c.ingress.metadata.namespace));
}

export async function kubeChecks(o: DoctorOptions, ctx: DoctorContext, report: Report): Promise<void> {
  const host = o.url.hostname;
  const base = o.url.pathname;
  let ingressList = await kubectlGet<K8sIngress>('ingresses', undefined, o.timeoutMs);
  if (!ingressList.ok && o.namespace) {
    // Listing all namespaces may be forbidden to a namespace-scoped operator: fall back, and say what is not covered.
    report({ group: 'kube', name: 'kubectl', status: 'warn', evidence: `${ingressList.command}: ${ingressList.error}`, fix: `conflicts with Ingresses outside ${o.namespace} cannot be seen; ask for cluster-wide read access to ingresses` });
    ingressList = await kubectlGet<K8sIngress>('ingresses', o.namespace, o.timeoutMs);
  }
  if (failed(ingressList, report)) return;
  const ingresses = ingressList.items;
  const claims = claimsOf(ingresses).filter((c) => hostMatches(c.host, host));
  const pods = await kubectlGet<K8sPod>('pods', o.namespace, o.timeoutMs);
  if (failed(pods, report)) return;
  const namespace = o.namespace ?? confabNamespace(pods.items, claims, base);
  // Services of every namespace: an Ingress elsewhere points at Services in its own namespace.
  let services = await kubectlGet<K8sService>('services', undefined, o.timeoutMs);
  let allServices = true;
  if (!services.ok && namespace) {
    services = await kubectlGet<K8sService>('services', namespace, o.timeoutMs);
    allServices = false;
  }
  if (failed(services, report)) return;
  const inScope = <T extends { metadata: { namespace: string } }>(items: T[]): T[] => (namespace ? items.filter((i) => i.metadata.namespace === namespace) : items);
  // Every Ingress that serves our host (wherever it lives) and every one in Confab's namespace.
  const checked = ingresses.filter(
    (i) => ((namespace !== undefined && i.metadata.namespace === namespace) || claims.some((c) => c.ingress === i)) && (allServices || i.metadata.namespace === namespace),
  );

  // Confab's pods say how many media workers, so how many ports, and which.
  const ours = confabPods(inScope(pods.items));
  const podNamespaces = [...new Set(ours.map((p) => p.metadata.namespace))];
  const podNamespace = podNamespaces.length === 1 ? podNamespaces[0] : undefined;
  const configMaps = usesConfigMaps(ours) ? await kubectlGet<K8sConfigMap>('configmaps', podNamespace, o.timeoutMs) : undefined;
  const env = podMediaEnv(ours, configMaps?.ok ? configMaps.items : configMaps === undefined ? [] : undefined);
  const media = mediaPortsOf(env, o, ctx.mediaUdpPort);
  const policies = ours.length > 0 ? await kubectlGet<K8sNetworkPolicy>('networkpolicies', podNamespace, o.timeoutMs) : undefined;

  const results = [
    ...conflictChecks(claims, host, namespace),
    ...routeChecks(claims, host, base),
    ...backendChecks(checked, services.items),
    ...mediaPortChecks(inScope(services.items), inScope(pods.items), media, namespace ? `namespace ${namespace}` : 'any namespace'),
    ...(policies ? networkPolicyChecks(policies.ok ? policies.items : undefined, ours, media, policies.ok ? undefined : `${policies.command}: ${policies.error}`) : []),
    ...mediaWorkersCheck(env, media, o.mediaWorkers !== undefined, configMaps && !configMaps.ok ? `${configMaps.command}: ${configMaps.error}` : undefined),
  ];
  // Several replicas must share one Redis (the split-class failure otherwise): asked of a replica only when there are several.
  results.push(clusterReplicasCheck(ours, ours.length > 1 ? await readReadyz(o.url, o.timeoutMs) : undefined, o.url.toString()));
  for (const result of results) report(result);
}
