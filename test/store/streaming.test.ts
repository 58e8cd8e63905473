// Recording a run cluster by cluster (FindingStore.openRun / RunWriter): what an unchanged night reads, alerts
// computed cluster by cluster against the previous runs, and when the per-cluster digests are not trusted; against
// Azurite through the real @azure/data-tables client.
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { AlertCollector } from '../../src/alerts/clusterAlerts';
import { computeAlertBatch } from '../../src/alerts/alerts';
import type { ClusterReport, ScanReport } from '../../src/model';
import { FindingStore, StoreBusyError } from '../../src/store/findingStore';
import { cluster, clusterId, finding, report, RULES, useAzurite } from './fixtures';

jest.setTimeout(120_000);

const { clients, newPrefix } = useAzurite();

/** A store whose reads of Latest are counted (queries and point reads), and whose Runs transactions can fail. */
function countingStore(prefix: string): {
  store: FindingStore;
  latestReads: () => number;
  reset: () => void;
  failCompletion: (on: boolean) => void;
} {
  const real = clients();
  let reads = 0;
  let failing = false;
  const tableClient = (name: string): TableClient => {
    const client = real.tableClient(name);
    return new Proxy(client, {
      get(target, prop) {
        if (name.endsWith('Latest') && (prop === 'listEntities' || prop === 'getEntity')) reads += 1;
        if (name.endsWith('Runs') && prop === 'submitTransaction') {
          return async (actions: TransactionAction[]) => {
            if (failing && actions.some((a) => a[1].rowKey === 'pointer.latestState')) {
              throw Object.assign(new Error('storage unavailable'), { statusCode: 503 });
            }
            return target.submitTransaction(actions);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  return {
    store: new FindingStore({ tableClient }, { tablePrefix: prefix }),
    latestReads: () => reads,
    reset: () => (reads = 0),
    failCompletion: (on) => (failing = on),
  };
}

const ALERT_OPTIONS = { minSeverity: 'low' as const, ownerTag: 'owner' };

let night = 0;

/** Records `r` cluster by cluster as runScanJob does, its alerts collected against the store's previous runs. */
async function stream(store: FindingStore, r: ScanReport) {
  // Runs are listed by their start: one night after the other.
  night += 1;
  r.startedAt = new Date(Date.parse('2026-11-01T02:00:00Z') + night * 86_400_000).toISOString();
  const runs = await store.alertBaselineRuns();
  const { clusters, ...shell } = r;
  const outline = { ...shell };
  const collector = new AlertCollector(outline, ALERT_OPTIONS);
  const writer = await store.openRun({
    runId: r.runId,
    startedAt: r.startedAt,
    scope: r.scope,
    complete: r.complete,
    trigger: 'timer',
    alerts: {
      sink: collector,
      ...(runs.previous ? { previous: runs.previous } : {}),
      ...(runs.older ? { older: runs.older } : {}),
      hasBefore: runs.hasBefore,
      sameScope: runs.previous !== undefined,
    },
  });
  for (const c of clusters) await writer.add(structuredClone(c));
  const result = await writer.finish(shell);
  return { result, batch: collector.finish() };
}

const fleet = Array.from({ length: 40 }, (_, i) => cluster(i));

/** The next night: every kind of transition, a cluster gone and one upgraded. */
function nextNight(base: ClusterReport[]): ClusterReport[] {
  const next = base.slice(0, 39).map((c) => structuredClone(c));
  // Finding k of cluster i fails when (i + k) % 3 === 0.
  next[3].findings[0] = finding(RULES[0], 'pass'); // resolved
  next[1].findings[0] = finding(RULES[0], 'fail'); // new_fail
  next[6].findings[0] = finding(RULES[0], 'fail', { severity: 'critical' }); // severity_raised
  next[4].findings[1] = finding(RULES[1], 'fail'); // exempt before: exemption_expired
  next[8].findings[2] = finding(RULES[2], 'unknown'); // unknown this night
  next[5].kubernetesVersion = '1.32.0';
  return next;
}

describe('streaming recording', () => {
  const night1 = fleet.map((c) => structuredClone(c));
  night1[4].findings[1] = finding(RULES[1], 'exempt');

  it('alerts cluster by cluster exactly as the whole reports compare, and reproduces every run', async () => {
    const { store } = countingStore(newPrefix());
    const r1 = report('n1', night1);
    const first = await stream(store, r1);
    // No previous run: every fail is new.
    expect(first.batch).toEqual(computeAlertBatch(undefined, r1, ALERT_OPTIONS));
    expect(first.batch.alerts.length).toBe(r1.summary.status.fail);

    const r2 = report('n2', nextNight(night1));
    const second = await stream(store, r2);
    expect(second.batch).toEqual(computeAlertBatch(r1, r2, { ...ALERT_OPTIONS, history: [] }));
    expect(new Set(second.batch.alerts.map((a) => a.transition))).toEqual(
      new Set(['resolved', 'new_fail', 'severity_raised', 'exemption_expired']),
    );
    expect(second.batch.alerts.some((a) => a.clusterName === 'aks-0039' && a.transition === 'resolved')).toBe(true);

    // A second unknown night of a finding known the night before that: `unreadable`, once.
    const r3 = report('n3', nextNight(night1));
    const third = await stream(store, r3);
    expect(third.batch).toEqual(computeAlertBatch(r2, r3, { ...ALERT_OPTIONS, history: [r1] }));
    expect(third.batch.alerts.map((a) => `${a.clusterName}|${a.transition}`)).toEqual(['aks-0008|unreadable']);
    const fourth = await stream(store, report('n4', nextNight(night1)));
    expect(fourth.batch.alerts).toEqual([]);

    expect(await store.getRunReport('n1')).toEqual(r1);
    expect(await store.getRunReport('n2')).toEqual(r2);
    expect(await store.getRunReport('n3')).toEqual(r3);
  });

  it('an unchanged night reads no finding and writes only its completion; a changed cluster reads its own rows', async () => {
    const counting = countingStore(newPrefix());
    const { store } = counting;
    await stream(store, report('u1', fleet));
    await stream(store, report('u2', fleet));

    counting.reset();
    store.resetCounters();
    const r3 = report('u3', fleet);
    const unchanged = await stream(store, r3);
    expect(unchanged.result.changedKeys).toBe(0);
    expect(unchanged.batch.alerts).toEqual([]);
    expect(counting.latestReads()).toBe(0);
    // Without markRunStarted (the job's first transaction) the completion is the run's only transaction.
    expect(store.counters.transactions).toBe(1);

    counting.reset();
    const flipped = fleet.map((c, i) => (i === 11 ? cluster(11, { [RULES[2]]: 'fail' }) : c));
    expect(flipped[11].findings[2].status).not.toBe(fleet[11].findings[2].status);
    const r4 = report('u4', flipped);
    const changed = await stream(store, r4);
    expect(changed.result.changedKeys).toBe(1);
    expect(changed.batch.alerts.map((a) => `${a.clusterName}|${a.ruleId}|${a.transition}`)).toEqual([
      `aks-0011|${RULES[2]}|new_fail`,
    ]);
    // That cluster's rows, once (what the previous runs reported of it is rebuilt from them).
    expect(counting.latestReads()).toBe(1);
    expect(await store.getRunReport('u4')).toEqual(r4);
    expect(await store.getRunReport('u3')).toEqual(r3);
  });

  it('a store without digests (recorded before them) is read bucket by bucket once, then trusted', async () => {
    const prefix = newPrefix();
    const counting = countingStore(prefix);
    const { store } = counting;
    await stream(store, report('d1', fleet));
    const digests = clients().tableClient(`${prefix}Digests`);
    let removed = 0;
    for await (const row of digests.listEntities()) {
      await digests.deleteEntity(row.partitionKey!, row.rowKey!);
      removed += 1;
    }
    expect(removed).toBe(32);

    counting.reset();
    const again = await stream(store, report('d2', fleet));
    expect(again.result.changedKeys).toBe(0);
    expect(again.batch.alerts).toEqual([]);
    // 32 buckets' keys, then each cluster's rows.
    expect(counting.latestReads()).toBeGreaterThanOrEqual(32 + fleet.length);

    counting.reset();
    // Cluster 21 fails rule 0 and passes rule 1: both turn.
    const flipped = fleet.map((c, i) => (i === 21 ? cluster(21, { [RULES[0]]: 'pass', [RULES[1]]: 'fail' }) : c));
    const r3 = report('d3', flipped);
    const changed = await stream(store, r3);
    expect(changed.result.changedKeys).toBe(2);
    expect(counting.latestReads()).toBe(1);
    expect(await store.getRunReport('d3')).toEqual(r3);
  });

  it('digests written by a run that never completed are not trusted: its changes are alerted by the next run', async () => {
    const counting = countingStore(newPrefix());
    const { store } = counting;
    const r1 = report('f1', fleet);
    await stream(store, r1);
    const flipped = fleet.map((c, i) => (i === 9 ? cluster(9, { [RULES[1]]: 'fail', [RULES[2]]: 'fail' }) : c));
    counting.failCompletion(true);
    await expect(stream(store, report('f2', flipped))).rejects.toThrow(/storage unavailable/);
    counting.failCompletion(false);
    // f2 wrote Latest and its digests, but no pointer names its state: the next run (another ID) compares
    // with f1 (the latest complete run) and alerts what changed since.
    const r3 = report('f3', flipped);
    const next = await stream(store, r3);
    expect(next.batch).toEqual(computeAlertBatch(r1, r3, { ...ALERT_OPTIONS, history: [] }));
    expect(next.batch.alerts.map((a) => `${a.clusterName}|${a.transition}`).sort()).toEqual(
      flipped[9].findings
        .filter((f, k) => f.status === 'fail' && fleet[9].findings[k].status !== 'fail')
        .map(() => 'aks-0009|new_fail'),
    );
    expect(await store.getRunReport('f3')).toEqual(r3);
    expect(await store.getRunReport('f1')).toEqual(r1);
    expect((await store.getClusterHistory(clusterId(9)))?.cluster.findings.map((f) => f.status)).toEqual(
      flipped[9].findings.map((f) => f.status),
    );
  });

  it('a streaming run whose lease another writer took before its first write fails, nothing of it written', async () => {
    const prefix = newPrefix();
    const { store } = countingStore(prefix);
    await stream(store, report('l1', fleet));
    const writer = await store.openRun({
      runId: 'l2',
      startedAt: '2026-11-27T02:00:00Z',
      scope: { subscriptions: [], managementGroups: [] },
      complete: true,
      trigger: 'timer',
    });
    // Another writer records between this run's open and its first write.
    const other = countingStore(prefix).store;
    const elsewhere = fleet.map((c, i) => (i === 2 ? cluster(2, { [RULES[3]]: 'fail' }) : c));
    await other.recordRun(report('l-other', elsewhere), { trigger: 'http' });
    const flipped = fleet.map((c, i) => (i === 6 ? cluster(6, { [RULES[0]]: 'pass' }) : c));
    expect(flipped[6].findings[0].status).not.toBe(fleet[6].findings[0].status);
    for (const c of flipped) await writer.add(structuredClone(c));
    const { clusters: _c, ...shell } = report('l2', flipped);
    await expect(writer.finish(shell)).rejects.toThrow(StoreBusyError);
    expect(await store.getRun('l2')).toBeUndefined();
    expect((await store.getClusterHistory(clusterId(6)))?.cluster.findings[0].status).toBe(fleet[6].findings[0].status);
    expect((await store.getLatestReport())?.runId).toBe('l-other');
  });
});
