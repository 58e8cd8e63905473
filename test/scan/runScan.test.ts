// runScan's scope handling, catalogs, exemptions and progress, against the simulator with a small generated fleet.
import { fetchRegionCatalogs } from '../../src/catalog/versionCatalog';
import type { ClusterRecord, Exemption, ScanReport } from '../../src/model';
import { validateReport } from '../../src/report/schema';
import { RULES_BY_ID } from '../../src/rules/index';
import { runScan, ScanOptionError, type ScanMetrics } from '../../src/scan/runScan';
import { DEFAULT_AS_OF, generateFleet, type GeneratedFleet } from '../../sim/fleet/generator';
import { ALL_RULE_IDS, RULE_IDS } from '../../sim/fleet/truth';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';

jest.setTimeout(120_000);

const VERSION_RULES = ['aks_version_supported', 'aks_version_patch_current'];

let generated: GeneratedFleet;
let local: LocalAzure;
/** The region whose version list answers 404 (the generator's last region). */
let dark: string;

function subOf(id: string): string {
  return id.split('/')[2].toLowerCase();
}

function locationKey(location: string): string {
  return location.toLowerCase().replace(/\s+/g, '');
}

function mismatchesOf(report: ScanReport): string[] {
  const out: string[] = [];
  for (const cluster of report.clusters) {
    const truth = generated.truth.get(cluster.id.toLowerCase());
    for (const f of cluster.findings) {
      const want = truth?.[f.ruleId];
      if (!want || !RULE_IDS.includes(f.ruleId as (typeof RULE_IDS)[number])) continue;
      const same = want.status === f.status && (!want.severity || want.severity === f.severity);
      if (!same)
        out.push(`${cluster.id} ${f.ruleId}: expected ${want.status}/${want.severity}, got ${f.status}/${f.severity}`);
    }
  }
  return out;
}

beforeAll(async () => {
  generated = generateFleet({ seed: 5, clusters: 120, subscriptions: 6, regions: 6, regionsWithoutCatalog: 1 });
  const withCatalog = new Set(Object.keys(generated.fleet.kubernetesVersions));
  dark = [...new Set(generated.fleet.clusters.map((c) => locationKey(c.location)))].find((l) => !withCatalog.has(l))!;
  local = await startLocalAzure({ fleet: generated.fleet });
});

afterAll(async () => {
  await local?.stop();
});

beforeEach(() => {
  local.sim.faults.clear();
  local.sim.counters.reset();
  local.sim.resetQuota();
});

describe('runScan over the tenant', () => {
  let report: ScanReport;
  const progress: [number, number][] = [];
  const lines: string[] = [];
  let metrics: ScanMetrics | undefined;
  let calls: Record<string, number>;

  beforeAll(async () => {
    local.sim.counters.reset();
    report = await runScan(
      {
        settings: local.settings,
        clients: local.clients,
        log: (line) => lines.push(line),
        metrics: (m) => (metrics = m),
        progress: (done, total) => progress.push([done, total]),
      },
      { asOf: DEFAULT_AS_OF },
    );
    calls = local.sim.counters.snapshot();
  });

  it('hands out its figures: Resource Graph requests as the service counted them, regions, timings', () => {
    expect(metrics).toBeDefined();
    expect(metrics!.clusters).toBe(120);
    expect(metrics!.regions).toBe(6);
    expect(metrics!.resourceGraph.calls).toBe(calls.resourceGraph);
    expect(metrics!.resourceGraph.throttled).toBe(0);
    expect(metrics!.rulesCpuMs).toBeGreaterThanOrEqual(0);
    expect(lines).toContain(
      `resourceGraph: ${calls.resourceGraph} requests (0 retries, 0 throttled), 0 quota waits (0 ms)`,
    );
  });

  it('produces a report that validates against the published schema', () => {
    expect(validateReport(report)).toEqual([]);
    expect(report.schemaVersion).toBe(1);
    expect(report.runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(report.scope).toEqual({ subscriptions: [], managementGroups: [] });
  });

  it('matches the ground truth, the region without a version list included', () => {
    expect(report.clusters).toHaveLength(120);
    expect(mismatchesOf(report)).toEqual([]);
    const inDark = report.clusters.filter((c) => locationKey(c.location) === dark);
    expect(inDark.length).toBeGreaterThan(0);
    for (const cluster of inDark) {
      for (const rule of VERSION_RULES) {
        const finding = cluster.findings.find((f) => f.ruleId === rule);
        // AKS's own out-of-support notice is evidence without the catalog.
        if (rule === 'aks_version_supported' && finding?.details.notifiedOutOfSupport) {
          expect(finding.status).toBe('fail');
          continue;
        }
        expect(finding?.status).toBe('unknown');
      }
    }
  });

  it('names the unreadable region as a problem without calling the inventory incomplete', () => {
    expect(report.complete).toBe(true);
    const problems = report.problems ?? [];
    expect(problems).toHaveLength(1);
    expect(problems[0].source).toBe('containerService');
    expect(problems[0].scope).toBe(dark);
    expect(problems[0].message).toMatch(/404/);
  });

  it('reports progress up to the total', () => {
    expect(progress.length).toBeGreaterThan(1);
    expect(progress[progress.length - 1]).toEqual([120, 120]);
    for (let i = 1; i < progress.length; i++) expect(progress[i][0]).toBeGreaterThan(progress[i - 1][0]);
    expect(lines.some((l) => l.startsWith('rules: 120 clusters evaluated'))).toBe(true);
  });
});

describe('runScan narrowed', () => {
  it('scans one cluster: its subscription is queried and only that cluster is reported', async () => {
    const target = generated.fleet.clusters.find((c) => locationKey(c.location) !== dark)!;
    const report = await runScan(
      { settings: local.settings, clients: local.clients },
      { asOf: DEFAULT_AS_OF, clusterId: target.id.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/') },
    );
    expect(report.clusters.map((c) => c.id)).toEqual([target.id]);
    expect(report.scope.subscriptions.map((s) => s.toLowerCase())).toEqual([subOf(target.id)]);
    expect(report.complete).toBe(true);
    expect(mismatchesOf(report)).toEqual([]);
    const calls = local.sim.counters.snapshot();
    // chain + clusters + AKS notifications + role assignments, one page each; one version list.
    expect(calls.resourceGraph).toBe(4);
    expect(calls.kubernetesVersions).toBe(1);
  });

  it('refuses a clusterId that is not a managed cluster ID, before any call', async () => {
    await expect(
      runScan({ settings: local.settings, clients: local.clients }, { clusterId: '/subscriptions/x/resourceGroups/y' }),
    ).rejects.toThrow(ScanOptionError);
    await expect(
      runScan({ settings: local.settings, clients: local.clients }, { clusterId: 'not-an-id' }),
    ).rejects.toThrow(/clusterId/);
    expect(local.sim.counters.snapshot().resourceGraph).toBe(0);
  });

  it('takes subscriptions from the options over the settings', async () => {
    const subs = [...new Set(generated.fleet.clusters.map((c) => c.id.split('/')[2]))].slice(0, 2);
    const settings = { ...local.settings, subscriptions: ['00000000-0000-0000-0000-0000000000aa'] };
    const report = await runScan({ settings, clients: local.clients }, { asOf: DEFAULT_AS_OF, subscriptions: subs });
    const expected = generated.fleet.clusters.filter((c) => subs.some((s) => subOf(c.id) === s.toLowerCase()));
    expect(report.clusters.map((c) => c.id).sort()).toEqual(expected.map((c) => c.id).sort());
    expect(report.scope.subscriptions).toEqual(subs);
    expect(report.complete).toBe(true);
  });

  it('reads the configured subscriptions when the options name none', async () => {
    const sub = generated.fleet.clusters[0].id.split('/')[2];
    const settings = { ...local.settings, subscriptions: [sub] };
    const report = await runScan({ settings, clients: local.clients }, { asOf: DEFAULT_AS_OF });
    expect(report.clusters.length).toBeGreaterThan(0);
    expect(report.clusters.every((c) => subOf(c.id) === sub.toLowerCase())).toBe(true);
    expect(report.scope.subscriptions).toEqual([sub]);
  });

  it('reads a management group scope', async () => {
    const group = generated.fleet.subscriptions[0].managementGroupAncestorsChain[0].name;
    const under = new Set(
      generated.fleet.subscriptions
        .filter((s) => s.managementGroupAncestorsChain.some((g) => g.name === group))
        .map((s) => s.subscriptionId.toLowerCase()),
    );
    const report = await runScan(
      { settings: local.settings, clients: local.clients },
      { asOf: DEFAULT_AS_OF, managementGroups: [group] },
    );
    const expected = generated.fleet.clusters.filter((c) => under.has(subOf(c.id)));
    expect(report.clusters.map((c) => c.id).sort()).toEqual(expected.map((c) => c.id).sort());
    expect(report.scope.managementGroups).toEqual([group]);
    expect(mismatchesOf(report)).toEqual([]);
  });
});

describe('runScan exemptions', () => {
  it('turns only the covered fail into exempt while the exemption is active', async () => {
    const base = await runScan({ settings: local.settings, clients: local.clients }, { asOf: DEFAULT_AS_OF });
    const cluster = base.clusters.find((c) => c.findings.some((f) => f.status === 'fail'))!;
    const fail = cluster.findings.find((f) => f.status === 'fail')!;
    const exemption = (expiresOn: string): Exemption => ({
      id: 'ex-1',
      ruleId: fail.ruleId,
      scope: cluster.id,
      justification: 'accepted until the platform migration',
      expiresOn,
      author: 'platform-team@example.com',
      createdAt: '2026-11-01T00:00:00Z',
    });

    const active = await runScan(
      { settings: local.settings, clients: local.clients },
      { asOf: DEFAULT_AS_OF, exemptions: [exemption('2027-03-01T00:00:00Z')] },
    );
    expect(active.summary.status.exempt).toBe(1);
    expect(active.summary.status.fail).toBe(base.summary.status.fail - 1);
    const exempted = active.clusters.find((c) => c.id === cluster.id)!.findings.find((f) => f.ruleId === fail.ruleId)!;
    expect(exempted.status).toBe('exempt');

    const expired = await runScan(
      { settings: local.settings, clients: local.clients },
      { asOf: DEFAULT_AS_OF, exemptions: [exemption('2026-11-26T00:00:00Z')] },
    );
    expect(expired.summary.status).toEqual(base.summary.status);
  });
});

describe('fetchRegionCatalogs', () => {
  function clusterRecords(): ClusterRecord[] {
    return generated.fleet.clusters.map((c) => ({
      id: c.id,
      name: c.name,
      subscriptionId: c.id.split('/')[2],
      resourceGroup: c.id.split('/')[4],
      location: c.location,
      tags: {},
      properties: c.properties,
    }));
  }

  it('asks once per distinct location and returns the wire form the simulator served', async () => {
    const clusters = clusterRecords();
    const locations = new Set(clusters.map((c) => locationKey(c.location)));
    const catalogs = await fetchRegionCatalogs(local.clients, clusters);
    expect([...catalogs.keys()].sort()).toEqual([...locations].sort());
    for (const [location, catalog] of catalogs) {
      if (location === dark) {
        expect(catalog.readable).toBe(false);
        continue;
      }
      expect(catalog).toEqual({
        readable: true,
        location,
        values: generated.fleet.kubernetesVersions[location].values,
      });
    }
    // The region without a version list is tried in up to three subscriptions that have clusters there.
    const darkSubs = new Set(clusters.filter((c) => locationKey(c.location) === dark).map((c) => subOf(c.id)));
    expect(local.sim.counters.snapshot().kubernetesVersions).toBe(locations.size - 1 + Math.min(3, darkSubs.size));
  });

  it('asks another subscription with a cluster in the region when the first refuses', async () => {
    const clusters = clusterRecords().filter((c) => locationKey(c.location) !== dark);
    const first = clusters[0];
    const location = locationKey(first.location);
    const others = clusters.filter((c) => locationKey(c.location) === location && subOf(c.id) !== subOf(first.id));
    expect(others.length).toBeGreaterThan(0);
    local.sim.faults.set('kubernetesVersions', { forbiddenSubscriptions: [first.subscriptionId] });
    const catalogs = await fetchRegionCatalogs(local.clients, [first, others[0]]);
    expect(catalogs.get(location)?.readable).toBe(true);
    expect(local.sim.counters.snapshot().kubernetesVersions).toBe(2);
  });

  it('reports a region unreadable when every subscription is refused', async () => {
    const first = clusterRecords().find((c) => locationKey(c.location) !== dark)!;
    local.sim.faults.set('kubernetesVersions', { forbidden: true });
    const catalogs = await fetchRegionCatalogs(local.clients, [first]);
    const catalog = catalogs.get(locationKey(first.location))!;
    expect(catalog.readable).toBe(false);
    if (!catalog.readable) expect(catalog.reason).toMatch(/403/);
  });

  it('reuses a run cache instead of asking again', async () => {
    const clusters = clusterRecords().filter((c) => locationKey(c.location) !== dark);
    const cache = new Map();
    await fetchRegionCatalogs(local.clients, clusters, { cache });
    const after = local.sim.counters.snapshot().kubernetesVersions;
    await fetchRegionCatalogs(local.clients, clusters, { cache });
    expect(local.sim.counters.snapshot().kubernetesVersions).toBe(after);
  });
});

it('every rule of the catalog is known to the ground truth', () => {
  for (const id of RULES_BY_ID.keys()) expect(ALL_RULE_IDS).toContain(id);
});
