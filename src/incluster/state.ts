// An InClusterState from raw Kubernetes list items (the live client's objects or `kubectl get -o json` files), and
// the InClusterView of a run (by cluster ID).
import type { ClusterRecord, InClusterRead, InClusterState, InClusterView, K8sList } from '../model';
import { normaliseId } from '../model';
import { parseBinding, parseClusterRole, parseDaemonSet, parseItems, parseNode } from './parse';

/** The five lists, as the Kubernetes API names its resources (and `evaluate --kube` names its files). */
export const IN_CLUSTER_KINDS = ['clusterrolebindings', 'rolebindings', 'clusterroles', 'daemonsets', 'nodes'] as const;
export type InClusterKind = (typeof IN_CLUSTER_KINDS)[number];

/** Raw items of one list, or why it could not be read. */
export type RawList = { items: unknown[] } | { reason: string };

function parsed<T>(raw: RawList, parse: (item: unknown) => T | undefined): K8sList<T> {
  return 'reason' in raw
    ? { readable: false, reason: raw.reason }
    : { readable: true, items: parseItems(raw.items, parse) };
}

export function stateFromLists(raw: Record<InClusterKind, RawList>): InClusterState {
  return {
    clusterRoleBindings: parsed(raw.clusterrolebindings, (i) => parseBinding(i, 'ClusterRoleBinding')),
    roleBindings: parsed(raw.rolebindings, (i) => parseBinding(i, 'RoleBinding')),
    clusterRoles: parsed(raw.clusterroles, parseClusterRole),
    daemonSets: parsed(raw.daemonsets, parseDaemonSet),
    nodes: parsed(raw.nodes, parseNode),
  };
}

/** The reads of a run by cluster ID (IDs compare case-insensitively, as ARM's do). */
export class InClusterReads implements InClusterView {
  private readonly byId = new Map<string, InClusterRead>();

  set(clusterId: string, read: InClusterRead): void {
    this.byId.set(normaliseId(clusterId), read);
  }

  read(cluster: ClusterRecord): InClusterRead | undefined {
    return this.byId.get(normaliseId(cluster.id));
  }

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<InClusterRead> {
    return this.byId.values();
  }
}
