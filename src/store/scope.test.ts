import { byId, clusterOrder, coveredSubscriptions, inReportOrder, scopeFilter } from './scope';

const id = (sub: string, name: string): string =>
  `/subscriptions/${sub}/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/${name}`;

describe('store scope', () => {
  it('a tenant-wide run speaks for every cluster, a narrowed one for its subscriptions or its one cluster', () => {
    expect(scopeFilter({ subscriptions: [], managementGroups: [] })(id('s1', 'a'))).toBe(true);
    const bySub = scopeFilter({ subscriptions: [' S1 '] });
    expect(bySub(id('s1', 'a'))).toBe(true);
    expect(bySub(id('s2', 'a'))).toBe(false);
    const one = scopeFilter({ subscriptions: ['s1'] }, id('S1', 'A'));
    expect(one(id('s1', 'a'))).toBe(true);
    expect(one(id('s1', 'b'))).toBe(false);
    const byGroups = scopeFilter({ subscriptions: [], managementGroups: ['mg'] }, undefined, ['s2']);
    expect(byGroups(id('s2', 'x'))).toBe(true);
    expect(byGroups(id('s1', 'x'))).toBe(false);
  });

  it('a run narrowed to management groups covers the subscriptions found under them and those it reported', () => {
    const report = {
      scope: { subscriptions: [], managementGroups: ['mg-1'] },
      clusters: [{ subscriptionId: 'S3' }] as never[],
    };
    expect(coveredSubscriptions(report, { narrowed: true, coveredSubscriptions: ['s2', 'S1'] })).toEqual([
      's1',
      's2',
      's3',
    ]);
    expect(coveredSubscriptions(report, { narrowed: false })).toBeUndefined();
    expect(coveredSubscriptions(report, { narrowed: true, clusterId: id('s1', 'a') })).toBeUndefined();
    expect(
      coveredSubscriptions({ ...report, scope: { subscriptions: ['s1'], managementGroups: [] } }, { narrowed: true }),
    ).toBeUndefined();
  });

  it('stores no order for clusters in ID order and puts any other order back', () => {
    const sorted = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect(clusterOrder(sorted)).toBeUndefined();
    const reported = [{ id: 'c' }, { id: 'a' }, { id: 'b' }];
    const order = clusterOrder(reported);
    expect(order).toEqual([2, 0, 1]);
    expect(inReportOrder([...reported].sort(byId), order)).toEqual(reported);
    // An order that does not fit (the scope filtered clusters out) leaves ID order.
    expect(inReportOrder(sorted.slice(0, 2), order)).toEqual(sorted.slice(0, 2));
  });
});
