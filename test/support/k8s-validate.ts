/**
 * Validates rendered Kubernetes objects against the API's schemas, as
 * compiled by the kubernetes-models packages, and catches what those
 * validators let through: a field the API does not have (a typo such as
 * `readinessProbes`), which `kubectl apply` rejects under strict field
 * validation. Unknown fields are found by watching which properties the
 * schema validator reads: it reads every field the schema knows.
 */
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';

type Validator = { prototype: { validate(): void } };

const GROUPS: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'networking.k8s.io/v1': networking,
  'policy/v1': policy,
};

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Schema errors and unknown fields of one object; empty when it is valid. */
export function validateObject(object: K8sObject): string[] {
  const model = GROUPS[object.apiVersion]?.[object.kind] as Validator | undefined;
  if (!model) return [`${object.apiVersion} ${object.kind}: no schema for this kind (add its group to test/support/k8s-validate.ts)`];
  const unread: (() => string[])[] = [];
  const problems: string[] = [];
  try {
    model.prototype.validate.call(watchReads(object, '', unread));
  } catch (error) {
    problems.push(String((error as Error).message));
  }
  for (const check of unread) problems.push(...check().map((path) => `${path}: unknown field`));
  return problems;
}

/**
 * A view of `value` that records which keys are read. Objects the validator
 * enumerates (maps such as labels) accept any key; any other key nobody read
 * is one the schema does not have.
 */
function watchReads(value: unknown, path: string, unread: (() => string[])[]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const read = new Set<string>();
  const views = new Map<string, unknown>();
  let enumerated = false;
  if (!Array.isArray(value)) {
    unread.push(() => (enumerated ? [] : Object.keys(value).filter((k) => !read.has(k)).map((k) => `${path}/${k}`)));
  }
  return new Proxy(value, {
    get(target, key, receiver) {
      const v: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return v;
      read.add(key);
      if (!views.has(key)) views.set(key, watchReads(v, `${path}/${key}`, unread));
      return views.get(key);
    },
    ownKeys(target) {
      enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}
