/**
 * Reads the cluster through the operator's own `kubectl` (their context,
 * their permissions): `kubectl get <kind> -o json`, nothing else, never a
 * write. Only the fields the kube checks read are typed.
 */
import { execFile } from 'node:child_process';

export interface K8sMeta {
  readonly name: string;
  readonly namespace: string;
  readonly creationTimestamp?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface K8sBackend {
  readonly service?: { readonly name: string; readonly port?: { readonly number?: number; readonly name?: string } };
}

export interface K8sIngress {
  readonly metadata: K8sMeta;
  readonly spec?: {
    readonly ingressClassName?: string;
    readonly defaultBackend?: K8sBackend;
    readonly rules?: readonly {
      readonly host?: string;
      readonly http?: { readonly paths?: readonly { readonly path?: string; readonly pathType?: string; readonly backend: K8sBackend }[] };
    }[];
  };
}

export interface K8sServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly nodePort?: number;
  readonly protocol?: string;
}

export interface K8sService {
  readonly metadata: K8sMeta;
  readonly spec?: { readonly type?: string; readonly selector?: Record<string, string>; readonly ports?: readonly K8sServicePort[] };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[] } };
}

export interface K8sContainerPort {
  readonly containerPort: number;
  readonly hostPort?: number;
  readonly protocol?: string;
  readonly name?: string;
}

export interface K8sContainer {
  readonly name: string;
  readonly image?: string;
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
  readonly envFrom?: readonly { readonly prefix?: string; readonly configMapRef?: { readonly name: string } }[];
  readonly ports?: readonly K8sContainerPort[];
}

export interface K8sPod {
  readonly metadata: K8sMeta;
  readonly spec?: {
    readonly hostNetwork?: boolean;
    readonly containers?: readonly K8sContainer[];
  };
}

export interface K8sConfigMap {
  readonly metadata: K8sMeta;
  readonly data?: Record<string, string>;
}

export interface K8sLabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

export interface K8sNetworkPolicyPort {
  readonly protocol?: string;
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface K8sNetworkPolicy {
  readonly metadata: K8sMeta;
  readonly spec?: {
    readonly podSelector?: K8sLabelSelector;
    readonly policyTypes?: readonly string[];
    readonly ingress?: readonly {
      readonly from?: readonly { readonly ipBlock?: { readonly cidr: string }; readonly podSelector?: K8sLabelSelector; readonly namespaceSelector?: K8sLabelSelector }[];
      readonly ports?: readonly K8sNetworkPolicyPort[];
    }[];
  };
}

export type Kubectl<T> = { ok: true; items: T[]; command: string } | { ok: false; error: string; command: string };

/** `kubectl get <kind> (-A | -n ns) -o json`; the items, or kubectl's own error. */
export function kubectlGet<T>(kind: string, namespace: string | undefined, timeoutMs: number): Promise<Kubectl<T>> {
  const args = ['get', kind, ...(namespace ? ['--namespace', namespace] : ['--all-namespaces']), '-o', 'json'];
  const command = `kubectl ${args.join(' ')}`;
  return new Promise((resolve) => {
    execFile('kubectl', args, { timeout: Math.max(timeoutMs, 15_000), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const reason = code === 'ENOENT' ? 'kubectl is not on PATH' : stderr.trim().split('\n')[0] || error.message;
        resolve({ ok: false, error: reason, command });
        return;
      }
      try {
        const list = JSON.parse(stdout) as { items?: T[] };
        resolve({ ok: true, items: list.items ?? [], command });
      } catch {
        resolve({ ok: false, error: `kubectl printed something other than JSON: ${stdout.slice(0, 80)}`, command });
      }
    });
  });
}

/** `namespace/name` */
export const ref = (m: K8sMeta): string => `${m.namespace}/${m.name}`;
