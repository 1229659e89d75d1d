/**
 * What Confab's pods bind for media, read from their environment as
 * Kubernetes builds it (the envFrom ConfigMaps, then env values, which win):
 * MEDIA_WORKERS and the first UDP and TCP ports. In `single` mode media
 * worker i listens on MEDIA_UDP_PORT+i and MEDIA_TCP_PORT+i and browsers are
 * told their worker's port, so every worker's port must be reachable from
 * outside with the same number. A pod without MEDIA_WORKERS runs
 * os.availableParallelism() workers: in a container that is the node's core
 * count, not the pod's cpu request, so it binds ports no manifest lists.
 */
import { ref, type K8sConfigMap, type K8sContainer, type K8sPod } from './kubectl.js';
import type { CheckResult } from './types.js';

/** Confab's defaults (src/config/schema.ts) for what a pod does not set. */
export const DEFAULT_UDP_PORT = 10000;
export const DEFAULT_TCP_PORT = 4443;

/** The media ports to look for: worker i's are udpPort+i and tcpPort+i. */
export interface MediaPorts {
  /** The first UDP port (worker 0's), MEDIA_UDP_PORT. */
  readonly udpPort: number;
  /** The first ICE-TCP port, MEDIA_TCP_PORT; undefined when off. */
  readonly tcpPort: number | undefined;
  /** Media workers (MEDIA_WORKERS): one UDP and one TCP port each. */
  readonly workers: number;
}

/** What the Confab pods' environment says about media. */
export interface PodMediaEnv {
  /** The pods read. */
  readonly pods: readonly string[];
  /** Every pod's environment was read in full (no ConfigMap or Secret left unread). */
  readonly complete: boolean;
  /** The largest MEDIA_WORKERS a pod sets (the ports it binds are the most to expose). */
  readonly workers?: number;
  readonly udpPort?: number;
  readonly tcpPort?: number | 'off';
  /** Pods whose environment was read in full and has no MEDIA_WORKERS. */
  readonly workersUnset: readonly string[];
  /** ConfigMaps (or Secrets) a pod takes its environment from that were not read. */
  readonly unread: readonly string[];
}

/** The Confab container of a pod: named confab, else with a confab image, else the first. */
export function confabContainer(pod: K8sPod): K8sContainer | undefined {
  const containers = pod.spec?.containers ?? [];
  return containers.find((c) => c.name === 'confab') ?? containers.find((c) => /confab/i.test(c.image ?? '')) ?? containers[0];
}

/** Whether a pod takes part of its environment from ConfigMaps (the doctor then reads them). */
export const usesConfigMaps = (pods: readonly K8sPod[]): boolean => pods.some((p) => (confabContainer(p)?.envFrom ?? []).some((e) => e.configMapRef));

const int = (text: string | undefined): number | undefined => (text !== undefined && /^\s*\d+\s*$/.test(text) ? Number(text) : undefined);

/** One container's environment; `opaque`: names set from somewhere not read (secrets, field refs). */
function containerEnv(pod: K8sPod, c: K8sContainer, configMaps: readonly K8sConfigMap[] | undefined): { env: Record<string, string>; opaque: Set<string>; unread: string[] } {
  const env: Record<string, string> = {};
  const opaque = new Set<string>();
  const unread: string[] = [];
  for (const from of c.envFrom ?? []) {
    const name = from.configMapRef?.name;
    const cm = name === undefined ? undefined : configMaps?.find((m) => m.metadata.namespace === pod.metadata.namespace && m.metadata.name === name);
    if (!cm) {
      unread.push(name === undefined ? `a Secret (envFrom) of ${ref(pod.metadata)}` : `ConfigMap ${pod.metadata.namespace}/${name}`);
      continue;
    }
    for (const [key, value] of Object.entries(cm.data ?? {})) env[`${from.prefix ?? ''}${key}`] = value;
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else opaque.add(e.name);
  }
  return { env, opaque, unread };
}

/** MEDIA_WORKERS, MEDIA_UDP_PORT (JVB_PORT) and MEDIA_TCP_PORT (JVB_TCP_PORT) of Confab's pods; `configMaps` undefined: not readable. */
export function podMediaEnv(pods: readonly K8sPod[], configMaps: readonly K8sConfigMap[] | undefined): PodMediaEnv {
  let workers: number | undefined;
  let udpPort: number | undefined;
  let tcpPort: number | 'off' | undefined;
  const workersUnset: string[] = [];
  const unread: string[] = [];
  for (const pod of pods) {
    const c = confabContainer(pod);
    if (!c) continue;
    const { env, opaque, unread: missing } = containerEnv(pod, c, configMaps);
    unread.push(...missing);
    const w = int(env.MEDIA_WORKERS);
    if (w !== undefined && w >= 1) workers = Math.max(workers ?? 0, w);
    else if (env.MEDIA_WORKERS === undefined && !opaque.has('MEDIA_WORKERS') && missing.length === 0) workersUnset.push(ref(pod.metadata));
    udpPort ??= int(env.MEDIA_UDP_PORT ?? env.JVB_PORT);
    const tcp = env.MEDIA_TCP_PORT ?? env.JVB_TCP_PORT;
    tcpPort ??= tcp?.trim() === 'off' ? 'off' : int(tcp);
  }
  return { pods: pods.map((p) => ref(p.metadata)), complete: pods.length > 0 && unread.length === 0, workers, udpPort, tcpPort, workersUnset, unread: [...new Set(unread)] };
}

/**
 * The ports to look for: the doctor's options first (--media-port, --media-workers), then the
 * pods' environment, then (only when that could not be read) the UDP port the media
 * check's bots were offered, which is worker 0's only with one worker.
 */
export function mediaPortsOf(env: PodMediaEnv, options: { mediaUdpPort?: number; mediaWorkers?: number }, offeredUdpPort: number | undefined): MediaPorts {
  const udpPort = options.mediaUdpPort ?? env.udpPort ?? (env.complete ? DEFAULT_UDP_PORT : (offeredUdpPort ?? DEFAULT_UDP_PORT));
  const tcpPort = env.tcpPort === 'off' ? undefined : (env.tcpPort ?? DEFAULT_TCP_PORT);
  return { udpPort, tcpPort, workers: options.mediaWorkers ?? env.workers ?? 1 };
}

/** `10000` or `10000-10001`. */
export const span = (first: number, count: number): string => (count === 1 ? `${first}` : `${first}-${first + count - 1}`);

/** Worker i's ports of one protocol, first+i for each worker (none when that protocol is off). */
export const workerPorts = (first: number | undefined, workers: number): number[] => (first === undefined ? [] : Array.from({ length: workers }, (_, i) => first + i));

/** `UDP 10000` or `UDP 10000-10001 (2 media workers)` */
export const udpText = (m: MediaPorts): string => `UDP ${span(m.udpPort, m.workers)}${m.workers > 1 ? ` (${m.workers} media workers)` : ''}`;

/**
 * A warning for pods that leave MEDIA_WORKERS to the node's core count, and for a
 * MEDIA_WORKERS that could not be read (then only the ports of `m` were checked);
 * nothing when every pod sets it or --media-workers (`given`) says it.
 */
export function mediaWorkersCheck(env: PodMediaEnv, m: MediaPorts, given: boolean, unreadReason?: string): CheckResult[] {
  const checked = `${m.workers === 1 ? 'the one UDP port' : `the ${m.workers} UDP ports`} checked here (${span(m.udpPort, m.workers)})`;
  const results: CheckResult[] = [];
  if (env.workersUnset.length > 0) {
    results.push({
      group: 'kube',
      name: 'media-workers',
      status: 'warn',
      evidence: `MEDIA_WORKERS is not set for ${env.workersUnset.join(', ')}: Confab then runs one media worker per core it sees (os.availableParallelism(): in a container the node's cores, not the pod's cpu request), each on its own ports MEDIA_UDP_PORT+i and MEDIA_TCP_PORT+i, likely more than ${checked}`,
      fix: 'set MEDIA_WORKERS in the pod\'s ConfigMap or env (deploy/kubernetes/base: 2, with a cpu request of "2"; MEDIA_WORKERS=1 for one UDP and one TCP port), and expose one UDP and one TCP port per worker',
      data: { pods: env.workersUnset },
    });
  } else if (env.workers === undefined && env.unread.length > 0 && !given) {
    results.push({
      group: 'kube',
      name: 'media-workers',
      status: 'warn',
      evidence: `MEDIA_WORKERS unknown: ${env.unread.join(', ')} not read${unreadReason ? ` (${unreadReason})` : ''}; checked ${checked} only`,
      fix: 'give --media-workers <n> (the pods\' MEDIA_WORKERS) and --media-port <first UDP port>, or read access to the ConfigMap',
      data: { unread: env.unread },
    });
  }
  return results;
}
