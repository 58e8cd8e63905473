// End to end: runScan over a generated fleet of 2,500 clusters in 40 regions, through the simulator and the real SDK
// clients, checked finding by finding against the generator's ground truth and against the minimum number of calls.
import { RULES_BY_ID } from '../../src/rules/index';
import { runScan } from '../../src/scan/runScan';
import type { ScanReport } from '../../src/model';
import { DEFAULT_AS_OF, generateFleet, truthFor, type GeneratedFleet } from '../../sim/fleet/generator';
import { RULE_IDS, type GroundTruth } from '../../sim/fleet/truth';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';

jest.setTimeout(180_000);

const CLUSTERS = 2500;
const REGIONS = 40;
const RBAC_RULES = new Set([
  'aks_rbac_bindings_use_groups',
  'aks_admin_groups_valid',
  'aks_rbac_no_orphaned_assignments',
  'aks_rbac_no_guest_admins',
]);
const CLUSTER_RULES = RULE_IDS.filter((id) => !RBAC_RULES.has(id));
// The RBAC-subject rules are judged when the identity rules are part of the catalog.
const JUDGED_RULES: string[] = RULE_IDS.filter((id) => RULES_BY_ID.has(id));

interface Mismatch {
  cluster: string;
  rule: string;
  expected: string;
  actual: string;
  message?: string;
}

function compare(
  report: ScanReport,
  truth: GroundTruth,
  rules: readonly string[],
  skip = new Set<string>(),
): Mismatch[] {
  const mismatches: Mismatch[] = [];
  const seen = new Set<string>();
  for (const cluster of report.clusters) {
    const key = cluster.id.toLowerCase();
    seen.add(key);
    const expected = truth.get(key);
    if (!expected) {
      mismatches.push({ cluster: cluster.id, rule: '*', expected: 'not in the fleet', actual: 'reported' });
      continue;
    }
    const byRule = new Map(cluster.findings.map((f) => [f.ruleId, f]));
    for (const rule of rules) {
      const want = expected[rule];
      const got = byRule.get(rule);
      const wantText = want ? `${want.status}${want.severity ? `/${want.severity}` : ''}` : 'no truth';
      const gotText = got ? `${got.status}${want?.severity ? `/${got.severity}` : ''}` : 'no finding';
      if (wantText !== gotText) {
        mismatches.push({ cluster: cluster.id, rule, expected: wantText, actual: gotText, message: got?.message });
      }
    }
  }
  for (const key of truth.keys()) {
    if (!seen.has(key) && !skip.has(key)) {
      mismatches.push({ cluster: key, rule: '*', expected: 'reported', actual: 'missing' });
    }
  }
  return mismatches;
}

function explain(mismatches: Mismatch[]): string {
  const byRule = new Map<string, number>();
  for (const m of mismatches) byRule.set(m.rule, (byRule.get(m.rule) ?? 0) + 1);
  const head = mismatches
    .slice(0, 8)
    .map(
      (m) =>
        `  ${m.cluster}\n    ${m.rule}: expected ${m.expected}, got ${m.actual}${m.message ? ` (${m.message})` : ''}`,
    );
  return [`${mismatches.length} mismatches; by rule: ${JSON.stringify(Object.fromEntries(byRule))}`, ...head].join(
    '\n',
  );
}

function subscriptionOf(id: string): string {
  return id.split('/')[2].toLowerCase();
}

let generated: GeneratedFleet;

beforeAll(() => {
  generated = generateFleet({ seed: 2026, clusters: CLUSTERS, regions: REGIONS });
});

describe('scan of a generated fleet (tenant scope)', () => {
  let local: LocalAzure;
  let report: ScanReport;
  let calls: Record<string, number>;
  let statuses: Record<string, number>;
  const progress: [number, number][] = [];

  beforeAll(async () => {
    local = await startLocalAzure({ fleet: generated.fleet });
    report = await runScan(
      { settings: local.settings, clients: local.clients, progress: (done, total) => progress.push([done, total]) },
      { asOf: DEFAULT_AS_OF, runId: 'e2e-tenant' },
    );
    calls = local.sim.counters.snapshot();
    statuses = local.sim.counters.byStatus();
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('reads every cluster, completely', () => {
    expect(report.problems ?? []).toEqual([]);
    expect(report.complete).toBe(true);
    expect(report.clusters).toHaveLength(CLUSTERS);
    expect(report.summary.clusters).toBe(CLUSTERS);
    expect(report.runId).toBe('e2e-tenant');
    expect(report.asOf).toBe(DEFAULT_AS_OF.toISOString());
    expect(progress[progress.length - 1]).toEqual([CLUSTERS, CLUSTERS]);
  });

  it('gives one finding per rule per cluster', () => {
    for (const cluster of report.clusters) {
      expect(cluster.findings.map((f) => f.ruleId).sort()).toEqual([...RULES_BY_ID.keys()].sort());
    }
  });

  it('matches the ground truth on the 13 cluster rules (status and severity of fails)', () => {
    const mismatches = compare(report, generated.truth, CLUSTER_RULES);
    if (mismatches.length > 0) console.log(explain(mismatches));
    expect(mismatches).toHaveLength(0);
  });

  it('matches the ground truth on the RBAC-subject rules', () => {
    const rbac = JUDGED_RULES.filter((id) => RBAC_RULES.has(id));
    expect(rbac).toHaveLength(4);
    const mismatches = compare(report, generated.truth, rbac);
    if (mismatches.length > 0) console.log(explain(mismatches));
    expect(mismatches).toHaveLength(0);
  });

  it('still matches when the clock moves on (images age, end of support comes closer)', async () => {
    const later = new Date(DEFAULT_AS_OF.getTime() + 45 * 86_400_000);
    const rescan = await runScan({ settings: local.settings, clients: local.clients }, { asOf: later });
    expect(rescan.complete).toBe(true);
    const truth = truthFor(generated, later);
    const mismatches = compare(rescan, truth, JUDGED_RULES);
    if (mismatches.length > 0) console.log(explain(mismatches));
    expect(mismatches).toHaveLength(0);
    // The later date changes verdicts, so this is not the first scan over again.
    expect(rescan.summary.status).not.toEqual(report.summary.status);
  });

  it('makes the minimum number of Resource Graph and catalog calls', () => {
    const chainPages = Math.ceil(generated.fleet.subscriptions.length / 1000);
    const clusterPages = Math.ceil(CLUSTERS / 1000);
    const assignmentPages = Math.ceil(generated.stats.relevantAssignments / 1000);
    expect(statuses['resourceGraph 429'] ?? 0).toBe(0);
    const eventPages = Math.max(1, Math.ceil(generated.stats.clusterEvents / 1000));
    expect(calls.resourceGraph).toBe(chainPages + clusterPages + eventPages + assignmentPages);
    const locations = new Set(generated.fleet.clusters.map((c) => c.location.toLowerCase().replace(/\s+/g, '')));
    expect(locations.size).toBe(REGIONS);
    expect(calls.kubernetesVersions).toBe(locations.size);
  });
});

describe('scan with one subscription refusing Resource Graph (explicit subscription scope)', () => {
  let local: LocalAzure;
  let report: ScanReport;
  let refused: string;

  beforeAll(async () => {
    const subscriptions = generated.fleet.subscriptions.map((s) => s.subscriptionId);
    const withClusters = new Set(generated.fleet.clusters.map((c) => subscriptionOf(c.id)));
    refused = subscriptions.find((s) => withClusters.has(s.toLowerCase()))!;
    local = await startLocalAzure({
      fleet: generated.fleet,
      env: { AKS_COMPLIANCE_SUBSCRIPTIONS: subscriptions.join(',') },
    });
    local.sim.faults.set('resourceGraph', { forbiddenSubscriptions: [refused] });
    report = await runScan({ settings: local.settings, clients: local.clients }, { asOf: DEFAULT_AS_OF });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('reports the run as incomplete and names the subscription', () => {
    expect(report.complete).toBe(false);
    expect(report.scope.subscriptions).toHaveLength(generated.fleet.subscriptions.length);
    const scopes = (report.problems ?? []).map((p) => p.scope);
    expect(scopes).toContain(`/subscriptions/${refused}`);
    expect(report.problems!.every((p) => p.scope === `/subscriptions/${refused}`)).toBe(true);
  });

  it("leaves that subscription's clusters out (never judged pass or fail) and judges every other cluster", () => {
    const refusedClusters = new Set(
      [...generated.truth.keys()].filter((id) => subscriptionOf(id) === refused.toLowerCase()),
    );
    expect(refusedClusters.size).toBeGreaterThan(0);
    for (const cluster of report.clusters) {
      if (refusedClusters.has(cluster.id.toLowerCase())) {
        for (const f of cluster.findings) expect(['unknown', 'not_applicable']).toContain(f.status);
      }
    }
    const others = report.clusters.filter((c) => !refusedClusters.has(c.id.toLowerCase()));
    expect(others).toHaveLength(CLUSTERS - refusedClusters.size);
    // All 17 rules: role assignments are read over the readable subscriptions only, so the refused one must not make
    // the others' RBAC-subject verdicts unknown.
    expect(JUDGED_RULES).toHaveLength(17);
    const mismatches = compare({ ...report, clusters: others }, generated.truth, JUDGED_RULES, refusedClusters);
    if (mismatches.length > 0) console.log(explain(mismatches));
    expect(mismatches).toHaveLength(0);
  });
});
