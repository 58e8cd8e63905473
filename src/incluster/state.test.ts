import type { ClusterRecord, InClusterRead, InClusterState, K8sBinding } from '../model';
import { InClusterReads } from './state';

const BUILT_IN: K8sBinding[] = Array.from({ length: 40 }, (_, i) => ({
  kind: 'ClusterRoleBinding',
  name: `system:controller:built-in-${i}`,
  roleRef: { kind: 'ClusterRole', name: `system:controller:built-in-${i}` },
  subjects: [{ kind: 'ServiceAccount', name: `controller-${i}`, namespace: 'kube-system' }],
  builtIn: true,
}));

function state(i: number): InClusterState {
  return {
    clusterRoleBindings: {
      readable: true,
      items: [
        ...BUILT_IN,
        {
          kind: 'ClusterRoleBinding',
          name: `team-${i}-admin`,
          roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [{ kind: 'Group', name: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}` }],
          builtIn: false,
        },
      ],
    },
    roleBindings: { readable: false, reason: 'HTTP 403: rolebindings is forbidden' },
    clusterRoles: { readable: true, items: [{ name: 'cluster-admin', grantsAll: true }] },
    daemonSets: {
      readable: true,
      items: [{ namespace: 'kube-system', name: 'kured', kured: true, desired: 3, ready: i % 3, kuredLock: '{"nodeID":"n1"}' }],
    },
    nodes: { readable: true, items: [{ name: `aks-system-${i}`, pool: 'system', os: 'linux', kernelVersion: '5.15.0-1075-azure' }] },
  };
} // prettier-ignore

const cluster = (i: number, upper = false): ClusterRecord => {
  const id = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-${i}`;
  return { id: upper ? id.toUpperCase() : id, name: `aks-${i}`, subscriptionId: 's', resourceGroup: 'rg', location: 'x', tags: {}, properties: {} };
}; // prettier-ignore

describe('InClusterReads', () => {
  it('gives back every read as it was set, by cluster ID in any case, and iterates them all', () => {
    const reads = new InClusterReads();
    const expected = new Map<number, InClusterRead>();
    for (let i = 0; i < 50; i++) {
      const read: InClusterRead =
        i % 7 === 3 ? { readable: false, reason: `API server of aks-${i} did not answer within 5 s` } : { readable: true, state: state(i) };
      reads.set(cluster(i).id, read);
      expected.set(i, read);
    }
    expect(reads.size).toBe(50);
    for (let i = 49; i >= 0; i--) expect(reads.read(cluster(i, i % 2 === 0))).toEqual(expected.get(i));
    // Asked twice in a row (the rules of one cluster): the same answer.
    expect(reads.read(cluster(5))).toBe(reads.read(cluster(5)));
    expect(reads.read(cluster(99))).toBeUndefined();
    expect([...reads.values()]).toEqual([...expected.values()]);
    // A read set again replaces the one held.
    reads.set(cluster(5).id, { readable: false, reason: 'gone' });
    expect(reads.read(cluster(5))).toEqual({ readable: false, reason: 'gone' });
  });
}); // prettier-ignore
