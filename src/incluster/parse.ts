// Kubernetes API objects (RBAC v1, apps v1, core v1) reduced to what the in-cluster rules read. The same functions
// read the live client's objects and offline `kubectl get <kind> -A -o json` files, so both judge alike. Objects are
// read defensively: a field of the wrong shape is skipped or left undefined, never thrown on.
import type { K8sBinding, K8sClusterRole, K8sDaemonSet, K8sNode, K8sSubject } from '../model';

export const KURED_LOCK_ANNOTATION = 'weave.works/kured-node-lock';
const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(value))) if (typeof v === 'string') out[k] = v;
  return out;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function parseBinding(item: unknown, kind: K8sBinding['kind']): K8sBinding | undefined {
  const o = obj(item);
  const meta = obj(o.metadata);
  const name = str(meta.name);
  if (!name) return undefined;
  const roleRef = obj(o.roleRef);
  const subjects: K8sSubject[] = [];
  for (const s of list(o.subjects)) {
    const subject = obj(s);
    const sKind = str(subject.kind);
    const sName = str(subject.name);
    if (!sKind || sName === undefined) continue;
    const namespace = str(subject.namespace);
    subjects.push({ kind: sKind, name: sName, ...(namespace ? { namespace } : {}) });
  }
  const namespace = str(meta.namespace);
  return {
    kind,
    name,
    ...(kind === 'RoleBinding' && namespace ? { namespace } : {}),
    roleRef: { kind: str(roleRef.kind) ?? '', name: str(roleRef.name) ?? '' },
    subjects,
    builtIn: stringMap(meta.labels)[BOOTSTRAP_LABEL] === 'rbac-defaults',
  };
}

export function parseClusterRole(item: unknown): K8sClusterRole | undefined {
  const o = obj(item);
  const name = str(obj(o.metadata).name);
  if (!name) return undefined;
  const grantsAll = list(o.rules).some((r) => {
    const rule = obj(r);
    return list(rule.verbs).includes('*') && list(rule.resources).includes('*');
  });
  return { name, grantsAll };
}

function isKured(name: string, labels: Record<string, string>, images: string[]): boolean {
  if (/(^|-)kured($|-)/i.test(name)) return true;
  if (labels['app.kubernetes.io/name'] === 'kured' || labels.name === 'kured' || labels.app === 'kured') return true;
  return images.some((image) => /(^|\/)kured(:|@|$)/i.test(image));
}

export function parseDaemonSet(item: unknown): K8sDaemonSet | undefined {
  const o = obj(item);
  const meta = obj(o.metadata);
  const name = str(meta.name);
  if (!name) return undefined;
  const labels = stringMap(meta.labels);
  const annotations = stringMap(meta.annotations);
  const podSpec = obj(obj(obj(o.spec).template).spec);
  const images = list(podSpec.containers)
    .map((c) => str(obj(c).image))
    .filter((i): i is string => i !== undefined);
  const status = obj(o.status);
  const lock = annotations[KURED_LOCK_ANNOTATION];
  return {
    namespace: str(meta.namespace) ?? '',
    name,
    kured: isKured(name, labels, images),
    desired: num(status.desiredNumberScheduled),
    ready: num(status.numberReady),
    ...(lock !== undefined ? { kuredLock: lock } : {}),
  };
}

export function parseNode(item: unknown): K8sNode | undefined {
  const o = obj(item);
  const meta = obj(o.metadata);
  const name = str(meta.name);
  if (!name) return undefined;
  const labels = stringMap(meta.labels);
  const pool = labels['kubernetes.azure.com/agentpool'] ?? labels.agentpool;
  const os = labels['kubernetes.io/os'] ?? labels['beta.kubernetes.io/os'];
  const kernelVersion = str(obj(obj(o.status).nodeInfo).kernelVersion);
  return { name, ...(pool ? { pool } : {}), ...(os ? { os } : {}), ...(kernelVersion ? { kernelVersion } : {}) };
}

/** Items of a list, each parsed; items without a name are dropped. */
export function parseItems<T>(items: unknown[], parse: (item: unknown) => T | undefined): T[] {
  const out: T[] = [];
  for (const item of items) {
    const parsed = parse(item);
    if (parsed) out.push(parsed);
  }
  return out;
}

/** kured's lock annotation: the node holding it and since when (kured writes `{"nodeID":..,"created":..}`). */
export function parseKuredLock(value: string): { nodeID?: string; created?: Date } | undefined {
  try {
    const parsed = obj(JSON.parse(value));
    const created = str(parsed.created);
    const date = created ? new Date(created) : undefined;
    return {
      ...(str(parsed.nodeID) ? { nodeID: str(parsed.nodeID) } : {}),
      ...(date && !Number.isNaN(date.getTime()) ? { created: date } : {}),
    };
  } catch {
    return undefined;
  }
}
