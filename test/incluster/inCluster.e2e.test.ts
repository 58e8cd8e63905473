// End to end: scans with in-cluster reads on, through the real @kubernetes/client-node, ContainerService and Graph
// clients against the simulator's API servers, checked finding by finding against the fleets' ground truth.
import { runScan, type ScanMetrics } from '../../src/scan/runScan';
import type { ScanReport } from '../../src/model';
import { DEFAULT_AS_OF, generateFleet } from '../../sim/fleet/generator';
import { sampleFleet } from '../../sim/fleet/sample';
import { ALL_RULE_IDS, IN_CLUSTER_RULE_IDS, type GroundTruth } from '../../sim/fleet/truth';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';

jest.setTimeout(240_000);

function mismatches(report: ScanReport, truth: GroundTruth, rules: readonly string[]): string[] {
  const out: string[] = [];
  for (const cluster of report.clusters) {
    const expected = truth.get(cluster.id.toLowerCase());
    if (!expected) {
      out.push(`${cluster.name}: not in the truth`);
      continue;
    }
    for (const rule of rules) {
      const want = expected[rule];
      const got = cluster.findings.find((f) => f.ruleId === rule);
      const w = want ? `${want.status}${want.severity ? `/${want.severity}` : ''}` : 'no truth';
      const g = got ? `${got.status}${want?.severity ? `/${got.severity}` : ''}` : 'no finding';
      if (w !== g) out.push(`${cluster.name} ${rule}: expected ${w}, got ${g} (${got?.message ?? ''})`);
    }
  }
  return out;
}

function finding(report: ScanReport, name: string, rule: string) {
  const cluster = report.clusters.find((c) => c.name === name);
  if (!cluster) throw new Error(`no cluster ${name}`);
  const f = cluster.findings.find((x) => x.ruleId === rule);
  if (!f) throw new Error(`no ${rule} on ${name}`);
  return f;
}

describe('in-cluster scan of the sample fleet', () => {
  const sample = sampleFleet();
  let local: LocalAzure;
  let report: ScanReport;
  let metrics: ScanMetrics | undefined;
  const lines: string[] = [];

  beforeAll(async () => {
    local = await startLocalAzure({ fleet: sample.fleet, env: { AKS_COMPLIANCE_IN_CLUSTER: 'true' } });
    report = await runScan(
      {
        settings: local.settings,
        clients: local.clients,
        log: (line) => lines.push(line),
        metrics: (m) => (metrics = m),
        // Small pages exercise `continue`; the firewalled cluster waits out the whole budget.
        inCluster: { pageSize: 2, timeoutInMs: 30_000 },
      },
      { asOf: DEFAULT_AS_OF, runId: 'incluster-sample' },
    );
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('matches the ground truth on every rule, the four in-cluster ones included', () => {
    expect(mismatches(report, sample.truth, ALL_RULE_IDS)).toEqual([]);
    expect(report.clusters).toHaveLength(sample.fleet.clusters.length);
  });

  it('reads through listClusterUserCredential and paged Kubernetes lists, and logs progress', () => {
    const calls = local.sim.counters.snapshot();
    const stats = metrics?.inCluster;
    expect(stats).toBeDefined();
    // Clusters without Entra ID or with legacy integration are not attempted.
    const attempted = sample.model.clusters.filter((c) => c.aad.kind === 'managed').length;
    expect(calls.listClusterUserCredential).toBe(attempted);
    expect(stats!.credentialCalls).toBe(attempted);
    // A private API server without a network path is never reached: its five calls end at name resolution.
    const noPath = sample.model.clusters.filter((c) => c.kube?.reach === 'privateNoPath').length;
    expect(noPath).toBe(1);
    expect(calls.kube).toBe(stats!.kubeCalls - 5 * noPath);
    // limit=2: every list of a readable cluster takes several pages (5 lists, most longer than 2 items).
    const readable = sample.model.clusters.filter((c) => c.aad.kind === 'managed' && (c.kube?.reach ?? 'ok') === 'ok');
    expect(stats!.readable).toBe(readable.length);
    expect(calls.kube).toBeGreaterThan(readable.length * 5 * 2);
    expect(lines.some((l) => /^inCluster: \d+ clusters \(\d+ read, \d+ unreadable\)/.test(l))).toBe(true);
  });

  it('names why a cluster could not be read', () => {
    const rule = 'aks_k8s_bindings_use_groups';
    expect(finding(report, 'aks-ledger-prod-weu', rule).message).toMatch(/private API server .*no network path/);
    expect(finding(report, 'aks-web-dr-neu', rule).message).toMatch(
      /no role: the Kubernetes API refused to list .*403/,
    );
    expect(finding(report, 'aks-observability-dev-neu', rule).message).toMatch(
      /no role: listClusterUserCredential was refused \(403 AuthorizationFailed\).*Cluster User Role/,
    );
    expect(finding(report, 'aks-gateway-dev-eus2', rule).message).toMatch(/local accounts only/);
    expect(finding(report, 'aks-orders-stg-uks', rule).message).toMatch(/legacy Entra ID integration/);
  });

  it('names users, guests and deleted IDs, system:masters and the cluster-admin holders', () => {
    const guest = finding(report, 'aks-fraud-prod-eus2', 'aks_k8s_bindings_use_groups');
    expect(guest).toMatchObject({ status: 'fail', severity: 'high' });
    expect(guest.message).toContain(
      'Dana Dubois (Fabrikam) (dana.dubois_fabrikam.com#EXT#@contoso.onmicrosoft.com), a guest',
    );
    const deleted = finding(report, 'aks-observability-dr-weu', 'aks_k8s_bindings_use_groups');
    expect(deleted.message).toContain('not in the directory (deleted, or a user of another tenant)');
    expect(finding(report, 'aks-gateway-stg-eus2', 'aks_k8s_bindings_use_groups')).toMatchObject({
      status: 'fail',
      severity: 'critical',
    });
    const holders = finding(report, 'aks-platform-stg-sec', 'aks_k8s_cluster_admin_holders');
    expect(holders).toMatchObject({ status: 'fail', severity: 'low' });
    expect(holders.message).toMatch(/^31 effective cluster-admin holders, more than 10: aks-developers/);
    expect(finding(report, 'aks-ledger-dev-weu', 'aks_node_reboot_pending').message).toMatch(
      /kured's lock \(kube-system\/kured\) is held by aks-system-00000000-vmss000001 since .* \(52 h\)/,
    );
    expect(finding(report, 'aks-api-stg-weu', 'aks_node_reboot_managed').message).toMatch(
      /no kured DaemonSet runs: patches install, nodes never reboot/,
    );
  });
});

describe('in-cluster scan of a generated fleet', () => {
  const generated = generateFleet({ seed: 15, clusters: 300, regions: 6 });
  let local: LocalAzure;
  let report: ScanReport;

  beforeAll(async () => {
    local = await startLocalAzure({ fleet: generated.fleet, env: { AKS_COMPLIANCE_IN_CLUSTER: 'true' } });
    report = await runScan(
      { settings: local.settings, clients: local.clients, inCluster: { timeoutInMs: 30_000 } },
      { asOf: DEFAULT_AS_OF, runId: 'incluster-generated' },
    );
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('0 mismatches with the ground truth on all 21 rules', () => {
    expect(mismatches(report, generated.truth, ALL_RULE_IDS)).toEqual([]);
  });

  it('names authorized IP ranges that leave the scanner out (its connections never answered)', () => {
    const firewalled = generated.model.clusters.filter(
      (c) => c.aad.kind === 'managed' && c.kube?.reach === 'ipRangesExclude',
    );
    expect(firewalled.length).toBeGreaterThan(0);
    for (const c of firewalled) {
      const f = finding(report, c.name, 'aks_k8s_bindings_use_groups');
      expect(f.message).toMatch(
        /authorized IP ranges \(.*\) do not let the scanner in: .*no answer from .* within 30000 ms/,
      );
    }
  });

  it('the fleet exercises every outcome of the in-cluster rules', () => {
    const seen = new Set<string>();
    for (const c of report.clusters)
      for (const f of c.findings)
        if ((IN_CLUSTER_RULE_IDS as readonly string[]).includes(f.ruleId)) seen.add(`${f.ruleId} ${f.status}`);
    for (const rule of IN_CLUSTER_RULE_IDS) {
      expect(seen).toContain(`${rule} fail`);
      expect(seen).toContain(`${rule} pass`);
      expect(seen).toContain(`${rule} unknown`);
    }
    expect(seen).toContain('aks_node_reboot_managed not_applicable');
  });
});

describe('in-cluster reads off', () => {
  it('every in-cluster rule is unknown, saying the reads are off, and nothing is asked of the clusters', async () => {
    const sample = sampleFleet();
    const local = await startLocalAzure({ fleet: sample.fleet });
    try {
      const report = await runScan({ settings: local.settings, clients: local.clients }, { asOf: DEFAULT_AS_OF });
      const calls = local.sim.counters.snapshot();
      expect(calls.kube).toBe(0);
      expect(calls.listClusterUserCredential).toBe(0);
      for (const c of report.clusters) {
        for (const rule of [
          'aks_k8s_bindings_use_groups',
          'aks_k8s_cluster_admin_holders',
          'aks_node_reboot_pending',
        ]) {
          const f = c.findings.find((x) => x.ruleId === rule)!;
          expect(f.status).toBe('unknown');
          expect(f.message).toMatch(/In-cluster reads are off \(set AKS_COMPLIANCE_IN_CLUSTER=true/);
        }
      }
    } finally {
      await local.stop();
    }
  });
});

describe('in-cluster reads under throttling and errors', () => {
  it('retries 429 (honouring Retry-After) and 5xx answers of the API server, then reads the cluster', async () => {
    const sample = sampleFleet();
    const local = await startLocalAzure({ fleet: sample.fleet });
    try {
      const { InClusterReader } = await import('../../src/incluster/reader');
      const { toClusterRecord } = await import('../../src/inventory/clusters');
      const row = sample.fleet.clusters.find((c) => c.name === 'aks-payments-prod-weu')!;
      const parsed = toClusterRecord(row);
      if ('error' in parsed) throw new Error(parsed.error);
      const reader = new InClusterReader(
        { credential: local.clients.credential, containerService: local.clients.containerService },
        { timeoutInMs: 30_000 },
      );
      local.sim.faults.set('kube', { failNext: { count: 2, kind: 'throttle' }, retryAfterSeconds: 0.2 });
      const first = await reader.readClusterState(parsed.record);
      local.sim.faults.set('kube', { failNext: { count: 2, kind: 'error' }, errorStatus: 503 });
      const second = await reader.readClusterState(parsed.record);
      reader.close();
      expect(first.readable && second.readable).toBe(true);
      const statuses = local.sim.counters.byStatus();
      expect(statuses['kube 429']).toBe(2);
      expect(statuses['kube 503']).toBe(2);
      expect(reader.stats.retries).toBe(4);
      // Five lists per read, each answered once it got through.
      expect(statuses['kube 200']).toBe(10);
    } finally {
      await local.stop();
    }
  });
});
