// Recording a run (src/store/recorder.ts, src/store/changeSet.ts): partial and narrowed runs, idempotent retries,
// against Azurite through the real @azure/data-tables client.
import { RULES, cluster, clusterId, finding, report, stateWrites, useAzurite } from './fixtures';

const { newStore } = useAzurite();

describe('recording runs', () => {
  it('a partial run never resolves a fail, and its own report is what it returned', async () => {
    const store = newStore();
    const fleet = Array.from({ length: 20 }, (_, i) => cluster(i, { aks_entra_id_enabled: 'fail' }));
    const r1 = report('p1', fleet);
    await store.recordRun(r1, { trigger: 'timer' });
    // Partial: clusters 10.. missing, cluster 0's fail reads unknown, cluster 1's fail reads pass.
    const partial = fleet.slice(0, 10).map((c) => structuredClone(c));
    partial[0].findings[2] = finding('aks_entra_id_enabled', 'unknown');
    partial[1].findings[2] = finding('aks_entra_id_enabled', 'pass');
    partial[2].findings[0] = finding('aks_version_supported', 'fail', { severity: 'critical' });
    const r2 = report('p2', partial, false);
    await store.recordRun(r2, { trigger: 'timer' });

    expect(await store.getRunReport('p2')).toEqual(r2);
    expect((await store.getRun('p2'))?.status).toBe('partial');
    // The latest complete report is still the first run; the latest finished one is the partial run.
    expect(await store.getLatestReport({ completeOnly: true })).toEqual(r1);
    expect((await store.getLatestReport())?.runId).toBe('p2');
    // Latest status: the fails stay fails, a missing cluster keeps its findings, a new fail is recorded.
    const c0 = await store.getClusterHistory(clusterId(0));
    expect(c0?.cluster.findings[2].status).toBe('fail');
    const c1 = await store.getClusterHistory(clusterId(1));
    expect(c1?.cluster.findings[2].status).toBe('fail');
    const c2 = await store.getClusterHistory(clusterId(2));
    expect(c2?.cluster.findings[0]).toMatchObject({ status: 'fail', severity: 'critical' });
    const c15 = await store.getClusterHistory(clusterId(15));
    expect(c15?.cluster.findings).toHaveLength(RULES.length);

    // The next complete run resolves for real.
    const r3 = report(
      'p3',
      fleet.map((c) => cluster(Number(c.name.slice(4)), { aks_entra_id_enabled: 'pass' })),
    );
    await store.recordRun(r3, { trigger: 'timer' });
    expect((await store.getClusterHistory(clusterId(0)))?.cluster.findings[2].status).toBe('pass');
    expect(await store.getRunReport('p1')).toEqual(r1);
    expect(await store.getRunReport('p2')).toEqual(r2);
    expect(await store.getRunReport('p3')).toEqual(r3);
  });
  it('a run narrowed to one cluster or subscription leaves the rest of the fleet alone', async () => {
    const store = newStore();
    const fleet = Array.from({ length: 21 }, (_, i) => cluster(i, { aks_entra_id_enabled: 'fail' }));
    const r1 = report('n1', fleet);
    await store.recordRun(r1, { trigger: 'timer' });
    const one = cluster(4, { aks_entra_id_enabled: 'pass' });
    const r2 = { ...report('n2', [one]), scope: { subscriptions: [one.subscriptionId], managementGroups: [] } };
    await store.recordRun(r2, { trigger: 'http', narrowed: true, clusterId: one.id });
    expect(await store.getRunReport('n2')).toEqual(r2);
    expect(await store.getLatestReport()).toEqual(r1);
    expect((await store.getClusterHistory(one.id))?.cluster.findings[2].status).toBe('pass');
    expect((await store.getClusterHistory(clusterId(5)))?.cluster.findings[2].status).toBe('fail');
    // A subscription-narrowed run: clusters 0, 7 and 14 share a subscription.
    const sub = fleet[0].subscriptionId;
    const inSub = fleet.filter((c) => c.subscriptionId === sub).slice(1);
    const r3 = { ...report('n3', inSub), scope: { subscriptions: [sub], managementGroups: [] } };
    await store.recordRun(r3, { trigger: 'http', narrowed: true });
    expect(await store.getClusterHistory(clusterId(0))).toBeUndefined();
    expect(await store.getClusterHistory(clusterId(1))).toBeDefined();
    expect(await store.getRunReport('n3')).toEqual(r3);
    expect(await store.getRunReport('n1')).toEqual(r1);
  });
  it('re-recording the same run ID is idempotent', async () => {
    const store = newStore();
    const fleet = Array.from({ length: 15 }, (_, i) => cluster(i));
    await store.recordRun(report('i1', fleet), { trigger: 'timer' });
    const r2 = report('i2', [...fleet.slice(1), cluster(40)]);
    await store.recordRun(r2, { trigger: 'timer' });
    store.resetCounters();
    await store.recordRun(r2, { trigger: 'timer' });
    expect(stateWrites(store)).toBe(0);
    expect(await store.getRunReport('i2')).toEqual(r2);
    expect((await store.listRuns(5)).map((r) => r.runId)).toHaveLength(2);
  });
});
