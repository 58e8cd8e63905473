// FindingStore against Azurite through the real @azure/data-tables client built by the client factory.
import { createAzureClients } from '../../src/azure/clients';
import { loadSettings } from '../../src/config/settings';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { ClusterReport, Finding, ScanReport, Status } from '../../src/model';
import { buildReport } from '../../src/report/build';
import { FindingStore, RunNotReadyError, StoreBusyError, bucketOf, clusterKey } from '../../src/store/findingStore';
import { startAzurite, type Azurite } from '../harness/azurite';

const RULES = [
  'aks_version_supported',
  'aks_local_accounts_disabled',
  'aks_entra_id_enabled',
  'aks_node_image_current',
];

function clusterId(i: number): string {
  const sub = `00000000-0000-0000-0000-${String(i % 7).padStart(12, '0')}`;
  return `/subscriptions/${sub}/resourceGroups/rg-${i % 5}/providers/Microsoft.ContainerService/managedClusters/aks-${String(i).padStart(4, '0')}`;
}

function finding(ruleId: string, status: Status, extra: Partial<Finding> = {}): Finding {
  return {
    ruleId,
    status,
    severity: status === 'fail' ? 'high' : 'medium',
    title: `${ruleId} title`,
    message: `${ruleId} is ${status}`,
    remediation: `az aks update --name x --resource-group y`,
    details: { rule: ruleId },
    ...extra,
  };
}

function cluster(i: number, statuses: Partial<Record<string, Status>> = {}): ClusterReport {
  const id = clusterId(i);
  return {
    id,
    name: `aks-${String(i).padStart(4, '0')}`,
    subscriptionId: id.split('/')[2],
    resourceGroup: `rg-${i % 5}`,
    location: 'westeurope',
    kubernetesVersion: '1.31.2',
    tags: { env: i % 2 ? 'prod' : 'dev' },
    findings: RULES.map((r, k) => finding(r, statuses[r] ?? ((i + k) % 3 === 0 ? 'fail' : 'pass'))),
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

let azurite: Azurite;
let prefixCounter = 0;

function newPrefix(): string {
  prefixCounter += 1;
  return `t${Date.now() % 100000}n${prefixCounter}`;
}

function clients(): ReturnType<typeof createAzureClients> {
  return createAzureClients(loadSettings({ AKS_COMPLIANCE_STORAGE: azurite.connectionString }));
}

function newStore(): FindingStore {
  return new FindingStore(clients(), { tablePrefix: newPrefix() });
}

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.dispose();
});

function stateWrites(store: FindingStore): number {
  const t = store.counters.byTable;
  return t.latest.entities + t.changes.entities + t.history.entities;
}

describe('FindingStore', () => {
  it('spreads clusters over buckets and keeps keys free of / \\ # ?', () => {
    const buckets = new Set(Array.from({ length: 200 }, (_, i) => bucketOf(clusterId(i))));
    expect(buckets.size).toBeGreaterThan(20);
    const key = clusterKey(
      '/subscriptions/s/resourceGroups/r#?/providers/Microsoft.ContainerService/managedClusters/a\\b',
    );
    expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(bucketOf(clusterId(3).toUpperCase())).toBe(bucketOf(clusterId(3)));
  });

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

  it('run bookkeeping: an unchanged rescan writes 2 transactions, both in Runs; a first run adds one', async () => {
    const store = newStore();
    const fleet = Array.from({ length: 40 }, (_, i) => cluster(i));
    const start = (runId: string) => store.markRunStarted({ runId, trigger: 'timer' });
    const runs = () => store.counters.byTable.runs;

    await store.ensureTables();
    await start('k1');
    await store.recordRun(report('k1', fleet), { trigger: 'timer' });
    // Start, lease + change set + run marker, completion.
    expect(runs().transactions).toBe(3);
    expect(store.counters.transactions - runs().transactions).toBeGreaterThan(0);

    store.resetCounters();
    await start('k2');
    expect(store.counters.transactions).toBe(1);
    const result = await store.recordRun(report('k2', structuredClone(fleet)), { trigger: 'timer' });
    expect(result.changedKeys).toBe(0);
    expect(store.counters.transactions).toBe(2);
    expect(runs()).toEqual({ transactions: 2, entities: store.counters.entities });
    // Start: run + index; completion: run + 3 pointers + lease.
    expect(store.counters.entities).toBe(7);
    expect(result.run).toMatchObject({ runId: 'k2', status: 'completed', stateSeq: 1 });
    expect((await store.getRun('k2'))?.status).toBe('completed');
    expect((await store.listRuns(5)).map((r) => r.runId)).toEqual(['k2', 'k1']);

    // Recorded without a start (the run record and its index come with the completion): one transaction.
    store.resetCounters();
    await store.recordRun(report('k3', structuredClone(fleet)), { trigger: 'cli' });
    expect(store.counters.transactions).toBe(1);
    expect(await store.getRunReport('k3')).toEqual(report('k3', fleet));
    expect(await store.getRunReport('k1')).toEqual(report('k1', fleet));
    // Listed by start time: k3's report started before the other two were marked started.
    expect((await store.listRuns(5)).map((r) => r.runId)).toEqual(['k2', 'k1', 'k3']);
  });

  it('waits while another run holds the writer lease, and takes an expired one', async () => {
    const prefix = newPrefix();
    const store = new FindingStore(clients(), { tablePrefix: prefix, leaseWaitMs: 1500 });
    await store.ensureTables();
    const runsTable = clients().tableClient(`${prefix}Runs`);
    const hold = (expiresAt: Date) =>
      runsTable.upsertEntity(
        { partitionKey: 'runs', rowKey: 'lock.writer', runId: 'other-run', expiresAt: expiresAt.toISOString() },
        'Replace',
      );
    const fleet = Array.from({ length: 10 }, (_, i) => cluster(i));
    await hold(new Date(Date.now() + 60_000));
    await expect(store.recordRun(report('w1', fleet), { trigger: 'timer' })).rejects.toBeInstanceOf(StoreBusyError);
    expect(await store.getRun('w1')).toBeUndefined();
    expect(store.counters.transactions).toBe(0);

    await hold(new Date(Date.now() - 1000));
    expect((await store.recordRun(report('w1', fleet), { trigger: 'timer' })).run.status).toBe('completed');
    // Given back: the next run does not wait.
    const t = Date.now();
    await store.recordRun(report('w2', fleet), { trigger: 'timer' });
    expect(Date.now() - t).toBeLessThan(1500);
    expect(await store.getRunReport('w1')).toEqual(report('w1', fleet));
  });

  it('a writer that records between an unchanged run’s read and its completion makes the run read again', async () => {
    const prefix = newPrefix();
    const real = clients();
    const fleet = Array.from({ length: 12 }, (_, i) => cluster(i));
    await new FindingStore(real, { tablePrefix: prefix }).recordRun(report('u1', fleet), { trigger: 'timer' });
    const other = new FindingStore(real, { tablePrefix: prefix });
    const flipped = fleet.map((c, i) => (i === 4 ? cluster(4, { aks_entra_id_enabled: 'pass' }) : c));
    expect(flipped[4].findings[2].status).not.toBe(fleet[4].findings[2].status);
    // The Runs table as the store sees it, with another writer recording just before the store's first completion.
    let interfere = true;
    const tableClient = (name: string): TableClient => {
      const client = real.tableClient(name);
      if (!name.endsWith('Runs')) return client;
      return new Proxy(client, {
        get(target, prop) {
          if (prop === 'submitTransaction') {
            return async (actions: TransactionAction[]) => {
              const completes = actions.some((a) => a[1].rowKey === 'pointer.latestState');
              if (interfere && completes) {
                interfere = false;
                await other.recordRun(report('u-other', flipped), { trigger: 'http' });
              }
              return target.submitTransaction(actions);
            };
          }
          const value: unknown = Reflect.get(target, prop, target);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
    };
    const store = new FindingStore({ tableClient }, { tablePrefix: prefix });
    const result = await store.recordRun(report('u2', fleet), { trigger: 'timer' });
    expect(interfere).toBe(false);
    // Unchanged against u1 when first read; against u-other (read again) it turns cluster 4 back.
    expect(result.changedKeys).toBe(1);
    expect(await store.getRunReport('u2')).toEqual(report('u2', fleet));
    expect(await store.getRunReport('u-other')).toEqual(report('u-other', flipped));
    expect((await store.getLatestReport())?.runId).toBe('u2');
    expect((await store.getClusterHistory(clusterId(4)))?.history.map((h) => h.runId)).toEqual(['u1', 'u-other', 'u2']);
  });

  it('concurrent writers never interleave: every run recorded, every report rebuilt exactly', async () => {
    const prefix = newPrefix();
    const stores = Array.from({ length: 4 }, () => new FindingStore(clients(), { tablePrefix: prefix }));
    const fleet = Array.from({ length: 60 }, (_, i) => cluster(i));
    await stores[0].recordRun(report('c0', fleet), { trigger: 'timer' });
    // Two unchanged rescans and two runs that each change other clusters, recorded at the same time.
    const variant = (flip: number[]) =>
      fleet.map((c, i) =>
        flip.includes(i)
          ? cluster(i, { aks_entra_id_enabled: c.findings[2].status === 'fail' ? 'pass' : 'fail' })
          : structuredClone(c),
      );
    const reports = [
      report('c1', variant([])),
      report('c2', variant([1, 2, 3])),
      report('c3', variant([])),
      report('c4', variant([10, 20])),
    ];
    const results = await Promise.all(reports.map((r, k) => stores[k].recordRun(r, { trigger: 'http' })));
    expect(results.map((r) => r.run.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const seqs = results.map((r) => r.run.ownSeq).filter((s) => s !== undefined);
    expect(new Set(seqs).size).toBe(seqs.length);
    for (const r of reports) expect(await stores[0].getRunReport(r.runId)).toEqual(r);
    expect(await stores[0].getRunReport('c0')).toEqual(report('c0', fleet));
    // The lease is free again.
    const lateRun = await stores[1].recordRun(report('c5', fleet), { trigger: 'timer' });
    expect(lateRun.run.status).toBe('completed');
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

  it('reports a run that is not finished as not ready', async () => {
    const store = newStore();
    await store.markRunStarted({ runId: 'r-running', trigger: 'http' });
    await expect(store.getRunReport('r-running')).rejects.toBeInstanceOf(RunNotReadyError);
    await store.markRunFailed('r-running', 'storage unavailable');
    expect(await store.getRun('r-running')).toMatchObject({ status: 'failed', error: 'storage unavailable' });
    expect(await store.getLatestReport()).toBeUndefined();
  });

  it('stores, lists and deletes exemptions', async () => {
    const store = newStore();
    const exemption = {
      id: 'ex-1',
      ruleId: 'aks_local_accounts_disabled',
      scope: 'tag:env=prod',
      justification: 'accepted',
      expiresOn: '2027-01-01T00:00:00.000Z',
      author: 'me@contoso.example',
      createdAt: '2026-11-27T00:00:00.000Z',
    };
    await store.putExemption(exemption);
    expect(await store.listExemptions()).toEqual([exemption]);
    expect(await store.getExemption('ex-1')).toEqual(exemption);
    expect(await store.deleteExemption('ex-1')).toBe(true);
    expect(await store.deleteExemption('ex-1')).toBe(false);
    expect(await store.listExemptions()).toEqual([]);
  });
});
