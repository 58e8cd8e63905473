// The writer lease (src/store/lease.ts): waiting for another writer, taking an expired lease, reading again after a
// writer came in between, concurrent writers; against Azurite through the real @azure/data-tables client.
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { FindingStore, StoreBusyError } from '../../src/store/findingStore';
import { cluster, clusterId, report, useAzurite } from './fixtures';

const { clients, newPrefix } = useAzurite();

describe('writer lease', () => {
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
});
