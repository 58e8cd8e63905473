import type { ClusterRecord } from '../model';
import { ClusterShelf } from './shelf';

function record(i: number): ClusterRecord {
  const sub = `0000000${i % 3}-0000-0000-0000-000000000000`;
  return {
    id: `/subscriptions/${sub}/resourceGroups/rg-${i}/providers/Microsoft.ContainerService/managedClusters/aks-${i}`,
    name: `aks-${i}`,
    subscriptionId: sub,
    resourceGroup: `rg-${i}`,
    location: i % 2 ? 'westeurope' : 'eastus',
    tags: { env: 'prod' },
    sku: { name: 'Base', tier: 'Standard' },
    ...(i % 4 === 0 ? { tenantId: '11111111-1111-1111-1111-111111111111' } : {}),
    properties: {
      kubernetesVersion: '1.31.2',
      ...(i % 5 ? { aadProfile: { managed: true, adminGroupObjectIDs: [`group-${i}`] } } : {}),
      agentPoolProfiles: [{ name: 'system', count: 3, nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202611.01.0' }],
    },
  };
}

describe('ClusterShelf', () => {
  it('gives back every record of every page in order, with heads for the catalog and access passes', () => {
    const shelf = new ClusterShelf();
    const all = Array.from({ length: 25 }, (_, i) => record(i));
    shelf.add(all.slice(0, 10));
    shelf.add([]);
    shelf.add(all.slice(10));
    expect(shelf.length).toBe(25);
    expect([...shelf]).toEqual(all);
    expect([...shelf.recordPages()].map((p) => p.length)).toEqual([10, 15]);
    // Fresh objects each pass: the rules may not keep what they were given.
    expect([...shelf][0]).not.toBe([...shelf][0]);
    expect(shelf.heads).toEqual(
      all.map((r) => ({
        id: r.id.toLowerCase(),
        subscriptionId: r.subscriptionId,
        location: r.location,
        ...(r.tenantId ? { tenantId: r.tenantId } : {}),
        properties: r.properties.aadProfile ? { aadProfile: r.properties.aadProfile } : {},
      })),
    );
    expect(shelf.size).toBeGreaterThan(0);
    expect(shelf.size).toBeLessThan(JSON.stringify(all).length);
  });

  it('leaves out the clusters of subscriptions dropped after they were shelved', () => {
    const shelf = new ClusterShelf();
    const all = Array.from({ length: 9 }, (_, i) => record(i));
    shelf.add(all.slice(0, 3));
    shelf.add(all.slice(3));
    shelf.dropSubscriptions(new Set(['00000001-0000-0000-0000-000000000000']));
    const kept = all.filter((r) => !r.subscriptionId.startsWith('00000001'));
    expect([...shelf]).toEqual(kept);
    expect(shelf.heads.map((h) => h.id)).toEqual(kept.map((r) => r.id.toLowerCase()));
    expect(shelf.length).toBe(6);
  });

  it('attaches each record its notifications as it comes off the shelf', () => {
    const shelf = new ClusterShelf();
    shelf.add([record(1), record(2)]);
    expect([...shelf].map((r) => r.notifications)).toEqual([undefined, undefined]);
    shelf.attachNotifications((c) =>
      c.name === 'aks-1' ? { readable: true, items: [] } : { readable: false, reason: 'page 2 failed' },
    );
    expect([...shelf].map((r) => r.notifications)).toEqual([
      { readable: true, items: [] },
      { readable: false, reason: 'page 2 failed' },
    ]);
  });
});
