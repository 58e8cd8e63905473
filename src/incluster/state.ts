// An InClusterState from raw Kubernetes list items (the live client's objects or `kubectl get -o json` files), and
// the InClusterView of a run (by cluster ID).
import { deflateRawSync, inflateRawSync } from 'node:zlib';
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

/**
 * The reads of a run by cluster ID (IDs compare case-insensitively, as ARM's do), held compactly: a readable cluster's
 * state is kept as deflated JSON, with the first readable cluster's state as the deflate dictionary (every cluster
 * carries the same built-in roles and bindings, so each is stored as little more than how it differs). A read is
 * inflated when asked for (the rules of one cluster ask in turn: the last one is kept).
 */
export class InClusterReads implements InClusterView {
  private readonly byId = new Map<string, Buffer | InClusterRead>();
  private dictionary?: Buffer;
  private last?: { id: string; read: InClusterRead };

  set(clusterId: string, read: InClusterRead): void {
    const id = normaliseId(clusterId);
    if (this.last?.id === id) this.last = undefined;
    if (!read.readable) {
      this.byId.set(id, read);
      return;
    }
    const json = Buffer.from(JSON.stringify(read.state), 'utf8');
    // zlib looks back 32 KiB: the dictionary's end is what it can use.
    this.dictionary ??= Buffer.from(json.subarray(Math.max(0, json.length - 32 * 1024)));
    // Copied into memory of its own: zlib's output of a small input is a view of a 16 KiB chunk, and a small
    // Buffer.from() shares an 8 KiB pool slab with other allocations; either would be held whole.
    const deflated = deflateRawSync(json, { dictionary: this.dictionary });
    const own = Buffer.allocUnsafeSlow(deflated.length);
    deflated.copy(own);
    this.byId.set(id, own);
  }

  read(cluster: ClusterRecord): InClusterRead | undefined {
    const id = normaliseId(cluster.id);
    if (this.last?.id === id) return this.last.read;
    const held = this.byId.get(id);
    if (held === undefined) return undefined;
    const read = this.decode(held);
    this.last = { id, read };
    return read;
  }

  get size(): number {
    return this.byId.size;
  }

  /** Every read, each inflated as it is reached. */
  *values(): IterableIterator<InClusterRead> {
    for (const held of this.byId.values()) yield this.decode(held);
  }

  private decode(held: Buffer | InClusterRead): InClusterRead {
    if (!Buffer.isBuffer(held)) return held;
    const json = inflateRawSync(held, { dictionary: this.dictionary }).toString('utf8');
    return { readable: true, state: JSON.parse(json) as InClusterState };
  }
}
