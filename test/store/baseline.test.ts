// The alert baseline (FindingStore.getLatestBaseline / getRunBaseline) and recordRun's compact change detection,
// against Azurite through the real @azure/data-tables client.
import { computeAlertBatch } from '../../src/alerts/alerts';
import { createAzureClients } from '../../src/azure/clients';
import { loadSettings } from '../../src/config/settings';
import type { ClusterReport, Finding, ScanReport, Severity, Status } from '../../src/model';
import { buildReport } from '../../src/report/build';
import { FindingStore } from '../../src/store/findingStore';
import { startAzurite, type Azurite } from '../harness/azurite';

jest.setTimeout(120_000);

const RULES = [
  'aks_version_supported',
  'aks_local_accounts_disabled',
  'aks_entra_id_enabled',
  'aks_node_image_current',
];

function clusterId(i: number): string {
  const sub = `00000000-0000-0000-0000-${String(i % 3).padStart(12, '0')}`;
  return `/subscriptions/${sub}/resourceGroups/rg-${i % 4}/providers/Microsoft.ContainerService/managedClusters/aks-${String(i).padStart(3, '0')}`;
}

function finding(ruleId: string, status: Status, severity: Severity = status === 'fail' ? 'high' : 'medium'): Finding {
  return {
    ruleId,
    status,
    severity,
    title: `${ruleId} title`,
    message: `${ruleId} is ${status} (a long message ${'x'.repeat(200)})`,
    remediation: `az aks update --name x --resource-group y # ${ruleId}`,
    details: { rule: ruleId, list: [1, 2, 3] },
  };
}

function cluster(i: number, findings?: Finding[], version = '1.31.2'): ClusterReport {
  const id = clusterId(i);
  return {
    id,
    name: `aks-${String(i).padStart(3, '0')}`,
    subscriptionId: id.split('/')[2],
    resourceGroup: `rg-${i % 4}`,
    location: 'westeurope',
    kubernetesVersion: version,
    tags: { owner: `team${i}@example.com` },
    findings: findings ?? RULES.map((r, k) => finding(r, (i + k) % 3 === 0 ? 'fail' : 'pass')),
  };
}

function report(runId: string, clusters: ClusterReport[], complete = true): ScanReport {
  return buildReport({
    runId,
    asOf: new Date('2026-11-27T02:00:00Z'),
    startedAt: new Date('2026-11-27T02:00:00Z'),
    finishedAt: new Date('2026-11-27T02:01:00Z'),
    scope: { subscriptions: [], managementGroups: [] },
    complete,
    clusters,
    problems: complete ? [] : [{ source: 'resourceGraph', scope: '/subscriptions/x', message: 'forbidden' }],
  });
}

/** Every finding as `cluster|rule|status|severity`. */
function verdicts(r: ScanReport | undefined): string[] {
  return (r?.clusters ?? []).flatMap((c) =>
    c.findings.map((f) => `${c.id.toLowerCase()}|${f.ruleId}|${f.status}|${f.severity}`),
  );
}

let azurite: Azurite;
let counter = 0;

function clients(): ReturnType<typeof createAzureClients> {
  return createAzureClients(loadSettings({ AKS_COMPLIANCE_STORAGE: azurite.connectionString }));
}

function newStore(): { store: FindingStore; prefix: string } {
  counter += 1;
  const prefix = `bl${Date.now() % 100000}n${counter}`;
  return { store: new FindingStore(clients(), { tablePrefix: prefix }), prefix };
}

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.dispose();
});

const fleet = Array.from({ length: 40 }, (_, i) => cluster(i));

/** The next night: every kind of alert transition, a cluster gone and one upgraded. */
function nextNight(): ClusterReport[] {
  const next = fleet.slice(0, 39).map((c) => structuredClone(c));
  // A finding k of cluster i fails when (i + k) % 3 === 0.
  next[3].findings[0] = finding(RULES[0], 'pass'); // was fail: resolved
  next[1].findings[0] = finding(RULES[0], 'fail'); // was pass: new_fail
  next[6].findings[0] = finding(RULES[0], 'fail', 'critical'); // fail high -> critical: severity_raised
  next[4].findings[1] = finding(RULES[1], 'fail'); // exempt in night1 (pass in fleet): exemption_expired
  next[5].kubernetesVersion = '1.32.0';
  return next;
}

describe('alert baseline', () => {
  const night1 = fleet.map((c) => structuredClone(c));
  night1[4].findings[1] = finding(RULES[1], 'exempt');

  it('is the latest complete run, thin, and alerts exactly as the full report', async () => {
    const { store } = newStore();
    const r1 = report('n1', night1);
    await store.recordRun(r1, { trigger: 'timer' });
    // A later partial run: the baseline stays the complete one, rolled back through the partial run's changes.
    const partial = nextNight().slice(0, 20);
    partial[6].findings[2] = finding(RULES[2], 'unknown');
    await store.recordRun(report('n2', partial, false), { trigger: 'timer' });

    const { report: thin, snapshot } = await store.getLatestBaseline();
    expect(snapshot).toBeDefined();
    const full = await store.getLatestReport({ completeOnly: true });
    expect(full).toEqual(r1);
    expect(thin?.runId).toBe('n1');
    expect(thin?.scope).toEqual(r1.scope);
    expect(verdicts(thin)).toEqual(verdicts(r1));
    expect(thin?.clusters.map(({ findings: _f, ...meta }) => meta)).toEqual(
      r1.clusters.map(({ findings: _f, ...meta }) => meta),
    );
    // Only what the alerts use: no messages, remediation or details; titles of fails and exemptions.
    const thinFindings = thin!.clusters.flatMap((c) => c.findings);
    expect(thinFindings.every((f) => f.message === '' && f.remediation === '')).toBe(true);
    expect(thinFindings.every((f) => Object.keys(f.details).length === 0)).toBe(true);
    expect(thinFindings.filter((f) => f.status === 'fail' || f.status === 'exempt').every((f) => f.title !== '')).toBe(
      true,
    );
    expect(JSON.stringify(thin).length).toBeLessThan(JSON.stringify(r1).length / 2);

    const current = report('n3', nextNight());
    const options = { minSeverity: 'low' as const, ownerTag: 'owner', reportUrl: 'https://example.com/r' };
    const fromThin = computeAlertBatch(thin, current, options);
    expect(fromThin).toEqual(computeAlertBatch(full, current, options));
    expect(new Set(fromThin.alerts.map((a) => a.transition))).toEqual(
      new Set(['resolved', 'new_fail', 'severity_raised', 'exemption_expired']),
    );
    // The gone cluster's fails are resolved with their titles and its owner.
    const gone = fromThin.alerts.filter((a) => a.clusterName === 'aks-039');
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.every((a) => a.title.endsWith(' title') && a.ownerEmail === 'team39@example.com')).toBe(true);

    // getRunBaseline: any run, as its report returned it (the partial run's own view included).
    expect(verdicts(await store.getRunBaseline('n2'))).toEqual(verdicts(await store.getRunReport('n2')));
    expect(verdicts(await store.getRunBaseline('n1'))).toEqual(verdicts(r1));
    expect(await store.getRunBaseline('nope')).toBeUndefined();
  });

  it('is empty before any complete run', async () => {
    const { store } = newStore();
    expect((await store.getLatestBaseline()).report).toBeUndefined();
    await store.recordRun(report('p1', fleet.slice(0, 3), false), { trigger: 'timer' });
    expect((await store.getLatestBaseline()).report).toBeUndefined();
  });
});

describe('recordRun with the baseline snapshot', () => {
  it('records exactly what a fresh read records, and an unchanged rescan in its completing transaction only', async () => {
    const a = newStore().store;
    const b = newStore().store;
    const r1 = report('s1', fleet);
    const r2 = report('s2', nextNight());
    await a.recordRun(r1, { trigger: 'timer' });
    await b.recordRun(r1, { trigger: 'timer' });
    const { snapshot } = await a.getLatestBaseline();
    const withSnapshot = await a.recordRun(r2, { trigger: 'timer', snapshot });
    const fresh = await b.recordRun(r2, { trigger: 'timer' });
    expect(withSnapshot.changedKeys).toBe(fresh.changedKeys);
    expect(withSnapshot.changedKeys).toBe(4 + 5 + 1); // findings, the gone cluster's findings and metadata, the upgrade
    expect(withSnapshot.run.writes).toEqual(fresh.run.writes);
    expect(await a.getRunReport('s1')).toEqual(r1);
    expect(await a.getRunReport('s2')).toEqual(r2);
    const history = await a.getClusterHistory(clusterId(5));
    expect(history?.history.at(-1)?.transitions).toEqual([
      { ruleId: 'cluster', from: 'present', to: 'present', kubernetesVersion: { from: '1.31.2', to: '1.32.0' } },
    ]);
    const untimed = (h: typeof history) => ({
      ...h,
      history: h?.history.map(({ recordedAt: _r, ...entry }) => entry),
    });
    expect(untimed(history)).toEqual(untimed(await b.getClusterHistory(clusterId(5))));

    a.resetCounters();
    const again = await a.getLatestBaseline();
    const unchanged = await a.recordRun(report('s3', nextNight()), { trigger: 'timer', snapshot: again.snapshot });
    expect(unchanged.changedKeys).toBe(0);
    // Without markRunStarted (the job's first transaction) the run record is written by the completing one alone.
    expect(a.counters.transactions).toBe(1);
    expect(a.counters.byTable.runs.transactions).toBe(1);
  });

  it('is not used once another run recorded since it was read', async () => {
    const { store } = newStore();
    await store.recordRun(report('t1', fleet), { trigger: 'timer' });
    const { snapshot } = await store.getLatestBaseline();
    const r2 = report('t2', nextNight());
    await store.recordRun(r2, { trigger: 'http' });
    // The snapshot holds t1's state: taken for current, t3 (t1 again) would look unchanged.
    const r3 = report('t3', fleet);
    const result = await store.recordRun(r3, { trigger: 'timer', snapshot });
    expect(result.changedKeys).toBe(4 + 5 + 1);
    expect(await store.getRunReport('t2')).toEqual(r2);
    expect(await store.getRunReport('t3')).toEqual(r3);
  });

  it('compares cluster metadata written without its hash by reading it', async () => {
    const { store, prefix } = newStore();
    await store.recordRun(report('u1', fleet), { trigger: 'timer' });
    // Metadata as stored before the hash was written alongside it.
    const latest = clients().tableClient(`${prefix}Latest`);
    let stripped = 0;
    for await (const row of latest.listEntities<Record<string, unknown>>()) {
      if (!row.rowKey!.endsWith('.!meta')) continue;
      expect(typeof row.vh).toBe('string');
      const { etag: _e, timestamp: _t, vh: _h, ...rest } = row;
      await latest.upsertEntity({ ...rest, partitionKey: row.partitionKey!, rowKey: row.rowKey! }, 'Replace');
      stripped += 1;
    }
    expect(stripped).toBe(fleet.length);

    const unchanged = await store.recordRun(report('u2', fleet), { trigger: 'timer' });
    expect(unchanged.changedKeys).toBe(0);
    const upgraded = fleet.map((c, i) => (i === 7 ? cluster(7, c.findings, '1.32.1') : c));
    const r3 = report('u3', upgraded);
    const result = await store.recordRun(r3, { trigger: 'timer' });
    expect(result.changedKeys).toBe(1);
    expect(await store.getRunReport('u2')).toEqual(report('u2', fleet));
    expect(await store.getRunReport('u3')).toEqual(r3);
  });
});
