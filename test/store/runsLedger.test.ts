// The runs ledger (src/store/runs.ts): run records, their listing, the transactions a run costs there, runs with
// no report yet; against Azurite through the real @azure/data-tables client.
import { RunNotReadyError } from '../../src/store/findingStore';
import { cluster, report, useAzurite } from './fixtures';

const { newStore } = useAzurite();

describe('runs ledger', () => {
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
  it('reports a run that is not finished as not ready', async () => {
    const store = newStore();
    await store.markRunStarted({ runId: 'r-running', trigger: 'http' });
    await expect(store.getRunReport('r-running')).rejects.toBeInstanceOf(RunNotReadyError);
    await store.markRunFailed('r-running', 'storage unavailable');
    expect(await store.getRun('r-running')).toMatchObject({ status: 'failed', error: 'storage unavailable' });
    expect(await store.getLatestReport()).toBeUndefined();
  });
});
