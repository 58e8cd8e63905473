// Latest: the fleet's current state, one entity per finding (`<ck>.<rule>`) and per cluster's metadata
// (`<ck>.!meta`) in bucket partitions `bNN`. Read whole (reports), compact (change detection: status, severity and
// the metadata hash only) or for a few keys (the before-images a run writes).
import { odata } from '@azure/data-tables';
import { compactOf, entryFromEntity, type Entry } from './codec';
import { META_SUFFIX, allBuckets, bucketOf, bucketPk, clusterKey, rangeFilter } from './keys';
import { LeaseConflict } from './lease';
import { mapLimit, type Row, type StoreTables } from './tables';

/** State keyed by Latest row key: the entry and the Latest partition it lives in. */
export type StateMap = Map<string, { pk: string; entry: Entry }>;

/**
 * Latest as read by getLatestBaseline, for change detection: valid while the writer lease is as it was then (every
 * run that records changes it).
 */
export class LatestSnapshot {
  constructor(
    readonly lockEtag: string | undefined,
    /** @internal */
    readonly state: StateMap,
  ) {}
}

export class LatestState {
  constructor(private readonly tables: StoreTables) {}

  private filter(bucket: string, onlyCluster?: string): string {
    const pk = bucketPk(bucket);
    return onlyCluster ? rangeFilter(pk, `${clusterKey(onlyCluster)}.`) : odata`PartitionKey eq ${pk}`;
  }

  /**
   * Latest, every bucket in parallel (or one cluster's keys), read page by page: `visit` sees each entry (full) as
   * it is read and returns what to keep of it (undefined: nothing).
   */
  async read(
    onlyCluster?: string,
    visit: (rk: string, pk: string, entry: Entry) => Entry | undefined = (_rk, _pk, entry) => entry,
  ): Promise<StateMap> {
    const state: StateMap = new Map();
    const buckets = onlyCluster ? [bucketOf(onlyCluster)] : allBuckets();
    await mapLimit(buckets, this.tables.concurrency, async (bucket) => {
      const pk = bucketPk(bucket);
      await this.tables.each('latest', this.filter(bucket, onlyCluster), (row) => {
        const entry = entryFromEntity(row, 'v');
        if (!entry) return;
        const kept = visit(row.rowKey, pk, entry);
        if (kept) state.set(row.rowKey, { pk, entry: kept });
      });
    });
    return state;
  }

  /**
   * Latest as change detection needs it: status and severity of the findings and the hash of each cluster's
   * metadata, read as those properties only. A bucket with metadata written without its hash is read again whole
   * for its metadata.
   */
  async readCompact(onlyCluster?: string): Promise<StateMap> {
    const state: StateMap = new Map();
    const buckets = onlyCluster ? [bucketOf(onlyCluster)] : allBuckets();
    const select = ['partitionKey', 'rowKey', 'vn', 'vstatus', 'vseverity', 'vh'];
    await mapLimit(buckets, this.tables.concurrency, async (bucket) => {
      const pk = bucketPk(bucket);
      const filter = this.filter(bucket, onlyCluster);
      let unhashed = false;
      await this.tables.each(
        'latest',
        filter,
        (row) => {
          if (!Number(row.vn ?? 0)) return;
          if (row.rowKey.endsWith(META_SUFFIX)) {
            if (typeof row.vh === 'string') state.set(row.rowKey, { pk, entry: { hash: row.vh } });
            else unhashed = true;
            return;
          }
          const entry: Entry = {};
          if (typeof row.vstatus === 'string') entry.status = row.vstatus as Entry['status'];
          if (typeof row.vseverity === 'string') entry.severity = row.vseverity as Entry['severity'];
          state.set(row.rowKey, { pk, entry });
        },
        select,
      );
      if (!unhashed) return;
      await this.tables.each('latest', filter, (row) => {
        if (!row.rowKey.endsWith(META_SUFFIX) || state.has(row.rowKey)) return;
        const entry = entryFromEntity(row, 'v');
        if (entry) state.set(row.rowKey, { pk, entry: compactOf(entry, true) });
      });
    });
    return state;
  }

  /**
   * Reads whole the Latest entries of `keys` (compact in `state`) into `state`. A key gone since the compact read
   * means another writer changed the state: LeaseConflict (its lease makes this attempt fail anyway).
   */
  async fill(state: StateMap, keys: string[]): Promise<void> {
    const byPk = new Map<string, string[]>();
    for (const rk of keys) {
      const pk = state.get(rk)!.pk;
      byPk.set(pk, [...(byPk.get(pk) ?? []), rk]);
    }
    await mapLimit([...byPk], this.tables.concurrency, async ([pk, rks]) => {
      const wanted = new Set(rks);
      const put = (row: Row): void => {
        if (!wanted.has(row.rowKey)) return;
        const entry = entryFromEntity(row, 'v');
        if (!entry) throw new LeaseConflict();
        state.set(row.rowKey, { pk, entry });
        wanted.delete(row.rowKey);
      };
      // A few keys by point reads, many by one pass over the partition.
      if (rks.length <= 20) {
        for (const rk of rks) {
          const row = await this.tables.get('latest', pk, rk);
          if (row) put(row);
        }
      } else {
        await this.tables.each('latest', odata`PartitionKey eq ${pk}`, put);
      }
      if (wanted.size > 0) throw new LeaseConflict();
    });
  }
}
