// Past-report reconstruction (src/store/pastReports.ts): any run's report rebuilt exactly from Latest and the later
// change sets, against Azurite through the real @azure/data-tables client.

import { RULES, cluster, clusterId, finding, report, stateWrites, useAzurite } from './fixtures';

const { newStore } = useAzurite();

describe('past reports', () => {
  it('records runs incrementally and rebuilds any past report exactly', async () => {
    const store = newStore();
    const fleet = Array.from({ length: 120 }, (_, i) => cluster(i));
    const r1 = report('run-1', fleet);
    await store.recordRun(r1, { trigger: 'timer' });
    expect(store.counters.byTable.latest.entities).toBe(120 * (RULES.length + 1));
    expect(await store.getRunReport('run-1')).toEqual(r1);
    expect(await store.getLatestReport()).toEqual(r1);

    // Unchanged rescan: only the run record (and its index, pointers, lease) is written.
    store.resetCounters();
    const r2 = report(
      'run-2',
      fleet.map((c) => structuredClone(c)),
    );
    const result2 = await store.recordRun(r2, { trigger: 'timer' });
    expect(stateWrites(store)).toBe(0);
    expect(result2.changedKeys).toBe(0);
    expect(store.counters.byTable.runs.entities).toBeGreaterThan(0);

    // A change in 10 clusters writes exactly those clusters' rows.
    store.resetCounters();
    const changed = new Set([3, 14, 25, 36, 47, 58, 69, 80, 91, 102]);
    const fleet3 = fleet.map((c, i) =>
      changed.has(i)
        ? cluster(i, { aks_local_accounts_disabled: c.findings[1].status === 'fail' ? 'pass' : 'fail' })
        : c,
    );
    const r3 = report('run-3', fleet3);
    const result3 = await store.recordRun(r3, { trigger: 'http' });
    expect(result3.changedKeys).toBe(10);
    expect(result3.changedClusters).toBe(10);
    expect(store.counters.byTable.latest.entities).toBe(10);
    expect(store.counters.byTable.changes.entities).toBe(10);
    expect(store.counters.byTable.history.entities).toBe(10);

    expect(await store.getRunReport('run-1')).toEqual(r1);
    expect(await store.getRunReport('run-2')).toEqual(r2);
    expect(await store.getRunReport('run-3')).toEqual(r3);
    expect(await store.getRunReport('nope')).toBeUndefined();

    const runs = await store.listRuns(10);
    expect(runs.map((r) => r.runId).sort()).toEqual(['run-1', 'run-2', 'run-3']);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);

    const history = await store.getClusterHistory(clusterId(3).toLowerCase());
    expect(history?.cluster.name).toBe('aks-0003');
    expect(history?.history.map((h) => h.runId)).toEqual(['run-1', 'run-3']);
    expect(history?.history[1].transitions).toEqual([
      expect.objectContaining({ ruleId: 'aks_local_accounts_disabled' }),
    ]);
    expect(await store.getClusterHistory(clusterId(9999))).toBeUndefined();
  });
  it('removes clusters gone from a complete run and rolls them back for earlier reports', async () => {
    const store = newStore();
    const fleet = Array.from({ length: 30 }, (_, i) => cluster(i));
    const r1 = report('a1', fleet);
    await store.recordRun(r1, { trigger: 'timer' });
    const r2 = report('a2', fleet.slice(0, 20));
    await store.recordRun(r2, { trigger: 'timer' });
    expect(await store.getRunReport('a1')).toEqual(r1);
    expect(await store.getLatestReport()).toEqual(r2);
    expect(await store.getClusterHistory(clusterId(25))).toBeUndefined();
  });
  it('keeps large findings within entity limits', async () => {
    const store = newStore();
    const big = cluster(1);
    // A cluster with many pools: ~400 KB of details, kept exactly.
    big.findings[3] = finding('aks_node_image_current', 'fail', {
      details: {
        pools: Array.from({ length: 2000 }, (_, i) => ({
          name: `pool${i}`,
          image: `AKSUbuntu-2204gen2containerd-202405.27.${i}`,
          ageDays: 120 + i,
          note: 'x'.repeat(100),
        })),
      },
    });
    // Beyond the entity budget: details replaced by a marker, status kept.
    const huge = cluster(2);
    huge.findings[1] = finding('aks_local_accounts_disabled', 'fail', { details: { blob: 'y'.repeat(2_000_000) } });
    const r1 = report('big', [big, huge]);
    await store.recordRun(r1, { trigger: 'cli' });
    const back = await store.getRunReport('big');
    expect(back?.clusters[0]).toEqual(big);
    expect(back?.clusters[1].findings[1]).toMatchObject({ status: 'fail', details: { truncated: true } });
  });

  it('thins the passes of a run past thinPassesAbove findings (HTML at fleet scale), and only then', async () => {
    const store = newStore();
    const fleet = Array.from({ length: 30 }, (_, i) => cluster(i));
    const r = report('run-lean', fleet);
    await store.recordRun(r, { trigger: 'timer' });
    const total = fleet.length * RULES.length;

    // Under the limit: the report is whole.
    expect(await store.getRunReport('run-lean', { thinPassesAbove: total })).toEqual(r);

    // Past it: every pass keeps its rule, status, severity and place, and loses its texts; the rest is whole.
    const lean = await store.getRunReport('run-lean', { thinPassesAbove: total - 1 });
    expect(lean?.summary).toEqual(r.summary);
    expect(lean?.clusters.map((c) => c.id)).toEqual(r.clusters.map((c) => c.id));
    let passes = 0;
    lean?.clusters.forEach((c, ci) => {
      expect({ ...c, findings: [] }).toEqual({ ...r.clusters[ci], findings: [] });
      c.findings.forEach((f, fi) => {
        const whole = r.clusters[ci].findings[fi];
        if (whole.status !== 'pass') return expect(f).toEqual(whole);
        passes += 1;
        expect(f).toEqual({
          ruleId: whole.ruleId,
          status: 'pass',
          severity: whole.severity,
          title: '',
          message: '',
          remediation: '',
          details: {},
        });
      });
    });
    expect(passes).toBe(r.summary.status.pass);
    expect(passes).toBeGreaterThan(0);
  });

  it('reads chosen clusters of a past run whole, rolled back through the runs after it (a report page)', async () => {
    const store = newStore();
    const fleet = Array.from({ length: 40 }, (_, i) => cluster(i));
    const r1 = report('page-1', fleet);
    await store.recordRun(r1, { trigger: 'timer' });
    // A later run changes some of the clusters asked for: page-1's clusters are still as page-1 reported them.
    const later = fleet.map((c, i) =>
      i % 3 === 0 ? cluster(i, { [RULES[0]]: c.findings[0].status === 'fail' ? 'pass' : 'fail' }) : c,
    );
    await store.recordRun(report('page-2', later), { trigger: 'timer' });
    const ids = [
      fleet[9].id,
      fleet[3].id,
      fleet[30].id,
      '/subscriptions/none/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/gone',
    ];
    const read = await store.getRunClusters('page-1', ids);
    expect(read).toEqual([fleet[9], fleet[3], fleet[30]]);
    expect(await store.getRunClusters('page-2', [fleet[3].id])).toEqual([later[3]]);
    expect(await store.getRunClusters('no-such-run', [fleet[3].id])).toEqual([]);
  });

  it('keeps the findings of wholeRules whole when it thins the passes', async () => {
    const store = newStore();
    const fleet = Array.from({ length: 10 }, (_, i) => cluster(i));
    const r = report('lean-charts', fleet);
    await store.recordRun(r, { trigger: 'timer' });
    const lean = await store.getRunReport('lean-charts', { thinPassesAbove: 1, wholeRules: [RULES[0]] });
    lean?.clusters.forEach((c, ci) => {
      expect(c.findings[0]).toEqual(r.clusters[ci].findings[0]);
      const pass = c.findings.findIndex((f, fi) => fi > 0 && f.status === 'pass');
      if (pass > 0) expect(c.findings[pass].message).toBe('');
    });
    expect(lean?.clusters.some((c) => c.findings.some((f, fi) => fi > 0 && f.status === 'pass'))).toBe(true);
  });
});
