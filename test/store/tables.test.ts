// The store's low-level I/O (src/store/tables.ts) against Azurite through the real @azure/data-tables client:
// transactions within the service's limits, counted writes, paged reads.
import { StoreTables, type Action } from '../../src/store/tables';
import { useAzurite } from './fixtures';

const { clients, newPrefix } = useAzurite();

async function newTables(): Promise<StoreTables> {
  const tables = new StoreTables(clients(), newPrefix(), 4);
  await tables.ensureTables();
  return tables;
}

describe('store tables', () => {
  it('refuses a table prefix Table Storage would not accept', () => {
    expect(() => new StoreTables(clients(), 'a-b', 1)).toThrow(/letters and digits/);
    expect(() => new StoreTables(clients(), '1abc', 1)).toThrow(/starting with a letter/);
  });

  it('writes in transactions of at most 100 entities per partition and counts every one', async () => {
    const tables = await newTables();
    let made = 0;
    const actions: Action[] = [];
    for (const pk of ['b00', 'b01']) {
      for (let i = 0; i < 150; i++) {
        actions.push({
          kind: 'upsert',
          pk,
          entity: () => {
            made += 1;
            return { partitionKey: pk, rowKey: String(i).padStart(4, '0'), n: i };
          },
        });
      }
    }
    await tables.write('latest', actions);
    expect(made).toBe(300);
    // 150 per partition: 100 + 50, in two partitions.
    expect(tables.counters.byTable.latest).toEqual({ transactions: 4, entities: 300 });
    expect(tables.counters.transactions).toBe(4);
    expect(await tables.partition('latest', 'b00')).toHaveLength(150);

    tables.resetCounters();
    await tables.write('latest', [
      { kind: 'delete', pk: 'b00', rk: '0000' },
      { kind: 'delete', pk: 'b01', rk: '0001' },
    ]);
    expect(tables.counters.byTable.latest).toEqual({ transactions: 2, entities: 2 });
    expect(await tables.get('latest', 'b00', '0000')).toBeUndefined();
    expect((await tables.get('latest', 'b00', '0001'))?.n).toBe(1);
  });

  it('splits a partition’s transactions by size before the 4 MiB limit', async () => {
    const tables = await newTables();
    const big = 'x'.repeat(30_000);
    const actions: Action[] = Array.from({ length: 80 }, (_, i) => ({
      kind: 'upsert',
      pk: 'b02',
      entity: { partitionKey: 'b02', rowKey: String(i).padStart(3, '0'), v0: big, v1: big },
    }));
    await tables.write('changes', actions);
    // 80 entities of ~120 KB: more than one transaction although under 100 entities.
    expect(tables.counters.byTable.changes.transactions).toBeGreaterThan(1);
    expect(tables.counters.byTable.changes.entities).toBe(80);
    expect(await tables.partition('changes', 'b02')).toHaveLength(80);
  });

  it('reads ranges without scanning, pages until told to stop, and deletes once', async () => {
    const tables = await newTables();
    await tables.write('runs', [
      ...['index.1', 'index.2', 'index.3', 'run.a', 'pointer.x'].map((rk): Action => ({
        kind: 'upsert',
        pk: 'runs',
        entity: { partitionKey: 'runs', rowKey: rk },
      })),
    ]);
    expect((await tables.range('runs', 'runs', 'index.')).map((r) => r.rowKey)).toEqual([
      'index.1',
      'index.2',
      'index.3',
    ]);
    const seen: string[] = [];
    await tables.eachUntil('runs', "PartitionKey eq 'runs'", 1, (row) => {
      seen.push(row.rowKey);
      return seen.length < 2;
    });
    expect(seen).toEqual(['index.1', 'index.2']);
    const selected: unknown[] = [];
    await tables.each('runs', "PartitionKey eq 'runs'", (row) => selected.push(Object.keys(row).sort()), [
      'partitionKey',
      'rowKey',
    ]);
    expect(selected).toHaveLength(5);
    expect(await tables.delete('runs', 'runs', 'run.a')).toBe(true);
    expect(await tables.delete('runs', 'runs', 'run.a')).toBe(false);
  });
});
