// Kubernetes objects for the in-cluster rule tests, in the wire form of the Kubernetes API reference (the builders the
// simulated API servers use), run through the same parsers as live reads and `evaluate --kube`.
import type { ClusterRecord, InClusterRead, InClusterView } from '../../src/model';
import { stateFromLists, type InClusterKind, type RawList } from '../../src/incluster/state';
import {
  bindingWire,
  clusterRoleWire,
  daemonSetWire,
  KURED_LOCK,
  nodeWire,
  type WireObject,
} from '../../sim/fleet/kube';
import { BOOTSTRAP_BINDINGS } from '../../sim/fleet/inCluster';
import type { KubeBindingSpec } from '../../sim/fleet/model';

export const BOOTSTRAP = BOOTSTRAP_BINDINGS.map(bindingWire);

export function crb(name: string, role: string, subjects: KubeBindingSpec['subjects']): WireObject {
  return bindingWire({ kind: 'ClusterRoleBinding', name, role, subjects });
}

export function rb(namespace: string, name: string, role: string, subjects: KubeBindingSpec['subjects']): WireObject {
  return bindingWire({ kind: 'RoleBinding', name, namespace, role, subjects });
}

export const ROLES = [
  clusterRoleWire('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], true),
  clusterRoleWire('edit', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'create'] }], true),
  clusterRoleWire('superuser', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], false),
];

export function kured(desired: number, ready: number, lock?: { node: string; created: string }): WireObject {
  const annotations: Record<string, string> = lock
    ? {
        [KURED_LOCK]: JSON.stringify({
          nodeID: lock.node,
          metadata: { unschedulable: false },
          created: lock.created,
          TTL: 0,
        }),
      }
    : {};
  return daemonSetWire('kube-system', 'kured', 'ghcr.io/kubereboot/kured:1.17.1', desired, ready, annotations);
}

export const KUBE_PROXY = daemonSetWire(
  'kube-system',
  'kube-proxy',
  'mcr.microsoft.com/oss/kubernetes/kube-proxy:v1.35.4',
  3,
  3,
);

export function node(name: string, pool: string, kernel: string, os: 'linux' | 'windows' = 'linux'): WireObject {
  return nodeWire(name, pool, os, kernel, 'AKSUbuntu-2204gen2containerd-202611.01.0');
}

export type Lists = Partial<Record<InClusterKind, WireObject[] | { reason: string }>>;

/** An InClusterView that answers `lists` for every cluster (a list left out is an empty list). */
export function viewOf(lists: Lists): InClusterView {
  const raw = {} as Record<InClusterKind, RawList>;
  for (const kind of ['clusterrolebindings', 'rolebindings', 'clusterroles', 'daemonsets', 'nodes'] as const) {
    const value = lists[kind] ?? [];
    raw[kind] = Array.isArray(value) ? { items: JSON.parse(JSON.stringify(value)) } : value;
  }
  const read: InClusterRead = { readable: true, state: stateFromLists(raw) };
  return { read: () => read };
}

export function unreadableView(reason: string): InClusterView {
  return { read: () => ({ readable: false, reason }) };
}

export function clusterName(cluster: ClusterRecord): string {
  return cluster.name;
}
