// The Entra ID object IDs the in-cluster rules need resolved through Microsoft Graph: user subjects of any binding,
// and groups bound to cluster-admin (whose transitive members are counted).
import type { InClusterRead } from '../model';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function subjectIds(reads: Iterable<InClusterRead>): { principals: Set<string>; memberCounts: Set<string> } {
  const principals = new Set<string>();
  const memberCounts = new Set<string>();
  for (const read of reads) {
    if (!read.readable) continue;
    const { clusterRoleBindings, roleBindings } = read.state;
    for (const list of [clusterRoleBindings, roleBindings]) {
      if (!list.readable) continue;
      for (const b of list.items) {
        const clusterAdmin =
          b.kind === 'ClusterRoleBinding' && b.roleRef.kind === 'ClusterRole' && b.roleRef.name === 'cluster-admin';
        for (const s of b.subjects) {
          if (!GUID.test(s.name)) continue;
          if (s.kind === 'User') principals.add(s.name.toLowerCase());
          else if (s.kind === 'Group' && clusterAdmin) memberCounts.add(s.name.toLowerCase());
        }
      }
    }
  }
  return { principals, memberCounts };
}
