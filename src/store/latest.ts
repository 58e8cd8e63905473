// Latest: the fleet's current state, one entity per finding (`<ck>.<rule>`) and per cluster's metadata
// (`<ck>.!meta`) in bucket partitions `bNN`, read whole or for one cluster (reports). A run reads the rows of the
// clusters whose digest changed itself (RunWriter).
import { odata } from '@azure/data-tables';
import { entryFromEntity, type Entry } from './codec';
import { allBuckets, bucketOf, bucketPk, clusterKey, rangeFilter } from './keys';
import { mapLimit, type StoreTables } from './tables';

/** State keyed by Latest row key: the entry and the Latest partition it lives in. */
export type StateMap = Map<string, { pk: string; entry: Entry }>;

export class LatestState {
  constructor(private readonly tables: StoreTables) {}

  private filter(bucket: string, onlyCluster?: string): string {
    const pk = bucketPk(bucket);
    return onlyCluster ? rangeFilter(pk, `${clusterKey(onlyCluster)}.`) : odata`PartitionKey eq ${pk}`;
  }

  /**
   * Latest, every bucket in parallel (or one cluster's keys, or one bucket), read page by page: `visit` sees each
   * entry (full) as it is read and returns what to keep of it (undefined: nothing).
   */
  async read(
    onlyCluster?: string,
    visit: (rk: string, pk: string, entry: Entry) => Entry | undefined = (_rk, _pk, entry) => entry,
    onlyBucket?: string,
  ): Promise<StateMap> {
    const state: StateMap = new Map();
    const buckets = onlyCluster ? [bucketOf(onlyCluster)] : onlyBucket ? [onlyBucket] : allBuckets();
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
}
