// Keeps `npm run bench` working: the benchmark's own function at 200 clusters (the simulator in-process), checked
// for the shape of bench/results.json and the targets that do not depend on the machine.
import { runBench, formatResults, lowerBoundOf, quotaCriticalPathMs, type BenchResults } from './run';

jest.setTimeout(300_000);

let results: BenchResults;

beforeAll(async () => {
  results = await runBench({ clusters: 200, simulator: 'in-process', output: null });
}, 300_000);

it('produces results in the shape of bench/results.json', () => {
  expect(results.fleet).toMatchObject({ clusters: 200, poolsPerCluster: 3 });
  expect(results.scans.map((s) => s.name)).toEqual(['full', 'rescan-unchanged', 'rescan-1pct-changed']);
  for (const s of results.scans) {
    for (const key of [
      'wallMs',
      'cpuMs',
      'peakRssMb',
      'lowerBound',
      'callsPerLowerBound',
      'tableTransactions',
      'entitiesWritten',
      'alertsSent',
      'quotaCriticalPathMs',
    ] as const) {
      expect(typeof s[key]).toBe('number');
    }
    expect(s.calls).toEqual(expect.objectContaining({ resourceGraph: expect.any(Number) }));
    expect(s.complete).toBe(true);
    expect(s.clusters).toBe(200);
  }
  expect(formatResults(results)).toMatch(/PASS|MISS/);
  expect(results.reportHtmlBytes).toBeGreaterThan(10_000);
  expect(results.unchangedOverQuotaPathMs).toBe(results.scans[1].wallMs - results.scans[1].quotaCriticalPathMs);
  expect(results.exemptionMatching).toMatchObject({
    exemptions: 100_000,
    findings: results.scans[0].clusters * results.ruleEvaluation.rules,
  });
  expect(results.exemptionMatching.exempted).toBeGreaterThan(0);
  expect(results.exemptionMatching.exempted).toBeLessThanOrEqual(results.exemptionMatching.fails);
});

it('makes at most 1.10 x the lower bound of calls on every scan', () => {
  for (const s of results.scans)
    expect(`${s.name} ${s.callsPerLowerBound}`).toBe(`${s.name} ${Math.min(s.callsPerLowerBound, 1.1)}`);
});

it('writes at most 2 table transactions on an unchanged rescan', () => {
  const unchanged = results.scans.find((s) => s.name === 'rescan-unchanged')!;
  expect(unchanged.tableTransactions).toBeLessThanOrEqual(2);
});

it('writes only the changed rows on the 1% rescan, and alerts on a first scan', () => {
  const full = results.scans[0];
  const changed = results.scans[2];
  expect(full.alertsSent).toBeGreaterThan(0);
  expect(changed.writesByTable.latest.entities).toBe(changed.expectedChangedFindings);
  expect(changed.writesByTable.history.entities).toBe(changed.expectedChangedClusters);
});

it('computes the lower bound and the quota critical path as the issue defines them', () => {
  expect(quotaCriticalPathMs(15)).toBe(0);
  expect(quotaCriticalPathMs(16)).toBe(5000);
  expect(quotaCriticalPathMs(31)).toBe(10_000);
  const bound = lowerBoundOf({
    env: {},
    caPem: '',
    teamsWebhookUrl: '',
    generateMs: 0,
    adminGroupsResolvingAsGroups: 1840,
    stats: {
      clusters: 10_000,
      subscriptions: 500,
      regions: 40,
      pools: 30_000,
      roleAssignments: 60_000,
      relevantAssignments: 20_000,
      principals: 15_000,
      resolvablePrincipals: 15_000,
      directoryObjects: 14_000,
      adminGroups: 2000,
      compliantClusters: 3000,
      clusterEvents: 1500,
    },
  });
  // ... + 2 pages of AKS notifications (1500 rows).
  expect(bound.total).toBe(10 + 20 + 1 + 40 + 15 + 92 + 2);
});

it('runs the in-cluster pass over every cluster and reports its calls per cluster', () => {
  const ic = results.inCluster!;
  expect(ic.clusters).toBe(200);
  expect(ic.readable + ic.unreadable).toBe(ic.clusters);
  expect(ic.readable).toBeGreaterThan(100);
  // One listClusterUserCredential per attempted cluster, then five lists (one page each at the default limit).
  expect(ic.callsPerCluster).toBeGreaterThan(4);
  expect(ic.callsPerCluster).toBeLessThan(7);
  for (const rule of ['aks_k8s_bindings_use_groups', 'aks_node_reboot_pending']) {
    expect(Object.keys(ic.findings[rule]).sort()).toEqual(expect.arrayContaining(['fail', 'pass', 'unknown']));
  }
  expect(results.targets.map((t) => t.name)).toContain('in-cluster pass (200 clusters, concurrency 16)');
});
