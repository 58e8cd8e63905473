// Issue acceptance, end to end: scans of a generated 2,500-cluster fleet through the simulator, recorded in Azurite
// by the scan job; incremental writes counted; past reports rebuilt; Azurite killed in the middle of a run's writes.
import { InvocationContext, HttpRequest } from '@azure/functions';
import { handleGetReport } from '../../src/http/reports';
import { DEMO_USER } from '../../sim';
import { runScanJob, type ScanJobDeps, type ScanJobOptions } from '../../src/scan/job';
import { FindingStore } from '../../src/store/findingStore';
import { DEFAULT_AS_OF, generateFleet } from '../../sim/fleet/generator';
import type { Fleet } from '../../sim/fleet/types';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';

jest.setTimeout(600_000);

const generated = generateFleet({ seed: 2026, clusters: 2500, subscriptions: 60, regions: 12 });
let local: LocalAzure;
let store: FindingStore;
let deps: ScanJobDeps;
const logs: string[] = [];
const options: ScanJobOptions = { trigger: 'timer', asOf: DEFAULT_AS_OF, notify: false, keepReport: true };

/** A copy of the fleet with local accounts flipped on the given clusters (one finding changes on each). */
function flipLocalAccounts(fleet: Fleet, indices: number[]): Fleet {
  const next = structuredClone(fleet);
  for (const i of indices) {
    const props = next.clusters[i].properties;
    props.disableLocalAccounts = props.disableLocalAccounts !== true;
  }
  return next;
}

function stateWrites(): { latest: number; changes: number; history: number } {
  const t = store.counters.byTable;
  return { latest: t.latest.entities, changes: t.changes.entities, history: t.history.entities };
}

beforeAll(async () => {
  local = await startLocalAzure({ fleet: generated.fleet, azurite: { persistent: true } });
  store = new FindingStore(local.clients);
  deps = { settings: local.settings, clients: local.clients, store, log: (line) => logs.push(line) };
});
afterAll(async () => {
  await local?.stop();
});

describe('scan runs recorded in Table Storage (2,500 clusters)', () => {
  let first: Awaited<ReturnType<typeof runScanJob>>;
  let third: Awaited<ReturnType<typeof runScanJob>>;
  let fleet3: Fleet;

  it('records the first run completely and serves it back', async () => {
    const t = Date.now();
    first = await runScanJob(deps, { ...options, runId: 'night-1' });
    expect(first.report.clusters).toHaveLength(2500);
    expect(first.run.status).toBe('completed');
    const findings = first.report.clusters.reduce((n, c) => n + c.findings.length, 0);
    // Every finding and every cluster's metadata, once.
    expect(stateWrites().latest).toBe(findings + 2500);
    console.log(
      `first run: ${Date.now() - t} ms, ${store.counters.transactions} transactions, ${store.counters.entities} entities`,
    );
    const line = logs.map((l) => (l.startsWith('{') ? JSON.parse(l) : undefined)).find((l) => l?.runId === 'night-1');
    expect(line).toMatchObject({ event: 'scanRun', status: 'completed', clusters: 2500 });
    expect(typeof line.durationMs).toBe('number');
  });

  it('an unchanged rescan writes only its run record (at most 2 transactions, Runs table only)', async () => {
    store.resetCounters();
    const second = await runScanJob(deps, { ...options, runId: 'night-2' });
    expect(second.report.summary).toEqual(first.report.summary);
    expect(stateWrites()).toEqual({ latest: 0, changes: 0, history: 0 });
    // Its start and its completion: two transactions, both in the Runs table, nothing anywhere else.
    const { runs, ...others } = store.counters.byTable;
    expect(store.counters.transactions).toBeLessThanOrEqual(2);
    expect(runs).toEqual({ transactions: store.counters.transactions, entities: store.counters.entities });
    expect(runs.entities).toBeGreaterThan(0);
    for (const table of Object.values(others)) expect(table).toEqual({ transactions: 0, entities: 0 });
    console.log(
      `unchanged rescan: ${store.counters.transactions} transactions, ${store.counters.entities} entities (runs table only)`,
    );
  });

  it('a change in 10 clusters writes exactly those clusters’ changed rows', async () => {
    const changed = [5, 250, 480, 777, 1000, 1234, 1500, 1999, 2222, 2499];
    fleet3 = flipLocalAccounts(generated.fleet, changed);
    local.sim.setFleet(fleet3);
    store.resetCounters();
    third = await runScanJob(deps, { ...options, runId: 'night-3' });
    expect(stateWrites()).toEqual({ latest: 10, changes: 10, history: 10 });
    expect(third.run.writes).toEqual({ latest: 10, changes: 10, history: 10, views: 0 });
    for (const i of changed) {
      const history = await store.getClusterHistory(generated.fleet.clusters[i].id);
      expect(history?.history.map((h) => h.runId)).toEqual(['night-1', 'night-3']);
      expect(history?.history[1].transitions).toEqual([
        expect.objectContaining({ ruleId: 'aks_local_accounts_disabled' }),
      ]);
    }
    const untouched = await store.getClusterHistory(generated.fleet.clusters[6].id);
    expect(untouched?.history.map((h) => h.runId)).toEqual(['night-1']);
  });

  it('the first run’s report, fetched after the third, equals what the first run returned', async () => {
    expect(await store.getRunReport('night-1')).toEqual(first.report);
    expect(await store.getRunReport('night-3')).toEqual(third.report);
  });

  it('Azurite killed during a run’s writes: the previous run is still served, the run is recorded as failed, a rerun completes it', async () => {
    const azurite = local.azurite!;
    const fleet4 = flipLocalAccounts(
      fleet3,
      Array.from({ length: 800 }, (_, k) => k * 3),
    );
    local.sim.setFleet(fleet4);
    store.resetCounters();
    logs.length = 0;

    let settled = false;
    const job = runScanJob(deps, { ...options, runId: 'night-4' }).then(
      () => {
        settled = true;
        return undefined;
      },
      (error: unknown) => {
        settled = true;
        return error;
      },
    );
    // Kill the emulator once a few change-set transactions went through (the run is mid-way through its writes).
    while (store.counters.byTable.changes.transactions < 3 && !settled) await new Promise((r) => setTimeout(r, 2));
    await azurite.stop({ abrupt: true });
    const writtenBeforeKill = store.counters.transactions;
    // Bring storage back once the job has found it down while recording the failure.
    while (!settled && !logs.some((l) => l.includes('could not be recorded as failed')))
      await new Promise((r) => setTimeout(r, 50));
    await azurite.start();
    const error = await job;
    expect(error).toBeInstanceOf(Error);
    console.log(`killed after ${writtenBeforeKill} transactions of run night-4`);

    expect(await store.getRun('night-4')).toMatchObject({ status: 'failed' });
    const latest = await handleGetReport(
      new HttpRequest({
        method: 'GET',
        // One page holds the whole 2,500-cluster report (the default page is 1,000 clusters).
        url: 'http://localhost/api/reports/latest?top=5000',
        params: { runId: 'latest' },
        headers: { authorization: `Bearer ${local.sim.signIn.userToken(DEMO_USER)}` },
      }),
      new InvocationContext({ logHandler: () => undefined }),
      { settings: local.settings, clients: local.clients, store },
    );
    expect(latest.status).toBe(200);
    const { page, ...served } = JSON.parse(String(latest.body)) as Record<string, unknown>;
    expect(page).toEqual({ top: 5000, offset: 0, totalClusters: third.report.clusters.length });
    expect(served).toEqual(JSON.parse(JSON.stringify(third.report)));

    // The timer's retry: the same run ID completes.
    const rerun = await runScanJob(deps, { ...options, runId: 'night-4' });
    expect(rerun.run.status).toBe('completed');
    expect(await store.getRunReport('night-4')).toEqual(rerun.report);
    expect((await store.getLatestReport())?.runId).toBe('night-4');
    expect(await store.getRunReport('night-3')).toEqual(third.report);
    expect(await store.getRunReport('night-1')).toEqual(first.report);
    const fails = (r: typeof rerun.report) =>
      r.clusters.filter((c) =>
        c.findings.some((f) => f.ruleId === 'aks_local_accounts_disabled' && f.status === 'fail'),
      ).length;
    expect(fails(rerun.report)).not.toBe(fails(third.report));
  });
});
