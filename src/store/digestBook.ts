// A run's view of the cluster digests (src/store/digest.ts): read when the run opens, trusted bucket by bucket,
// updated as clusters are recorded, and written back (the buckets that changed) before the run completes.
import { odata } from '@azure/data-tables';
import type { ClusterReport } from '../model';
import type { Entry } from './codec';
import {
  digestActions,
  digestOf,
  digestOfCluster,
  readDigests,
  type BucketDigests,
  type ClusterDigest,
} from './digest';
import { META_SUFFIX, allBuckets, bucketPk, clusterIdOfKey } from './keys';
import { mapLimit, type Action, type StoreTables } from './tables';

function emptyBucket(): BucketDigests {
  return { seq: 0, parts: 0, clusters: new Map<string, ClusterDigest>() };
}

export class DigestBook {
  private readonly dirty = new Set<string>();
  /** Clusters whose digest this run decided (the others of an untrusted bucket are marked mixed). */
  private readonly handled = new Set<string>();
  /** Digest parts each bucket had before this run (the surplus is removed when it writes fewer). */
  private readonly oldParts = new Map<string, number>();

  private constructor(
    private readonly digests: Map<string, BucketDigests>,
    /** Buckets whose digests are not trusted: the cluster keys their Latest rows hold. */
    private readonly untrusted: Map<string, Set<string>>,
    /** The store has recorded nothing yet: every bucket gets its (empty) entity. */
    private readonly fresh: boolean,
    /** This run becomes the alert baseline (complete, fleet-wide): its digests say what it reported. */
    private readonly owner: boolean,
  ) {
    for (const [bucket, d] of digests) this.oldParts.set(bucket, d.parts);
    for (const bucket of untrusted.keys()) digests.delete(bucket);
  }

  /**
   * The digests as a run finds them. They are trusted when written by a run whose state is the store's (`stateSeq`:
   * what the latestState pointer names; a run that did not complete wrote its digests after a state no pointer
   * names); an untrusted bucket's cluster keys are read from Latest instead. A new store has nothing to read.
   */
  static async read(
    tables: StoreTables,
    options: { fresh: boolean; stateSeq: number; owner: boolean },
  ): Promise<DigestBook> {
    const digests = options.fresh ? new Map<string, BucketDigests>() : await readDigests(tables);
    const untrusted = new Map<string, Set<string>>();
    if (!options.fresh) {
      const distrusted = allBuckets().filter((b) => {
        const d = digests.get(b);
        return !d || d.seq < 0 || d.seq > options.stateSeq;
      });
      await mapLimit(distrusted, tables.concurrency, async (bucket) => {
        const keys = new Set<string>();
        await tables.each(
          'latest',
          odata`PartitionKey eq ${bucketPk(bucket)}`,
          (row) => {
            if (row.rowKey.endsWith(META_SUFFIX)) keys.add(row.rowKey.slice(0, row.rowKey.indexOf('.')));
          },
          ['PartitionKey', 'RowKey'],
        );
        untrusted.set(bucket, keys);
      });
    }
    return new DigestBook(digests, untrusted, options.fresh, options.owner);
  }

  /** Nothing about this cluster changed since the alert baseline: it needs no read and no write. */
  unchanged(bucket: string, ck: string, cluster: ClusterReport): boolean {
    if (this.untrusted.has(bucket)) return false;
    const stored = this.digests.get(bucket)?.clusters.get(ck);
    return (
      stored !== undefined &&
      stored !== 'mixed' &&
      stored.hash === digestOfCluster(cluster) &&
      // An unknown finding known in the run before the baseline still has its `unreadable` alert to raise.
      (stored.settled || cluster.findings.every((f) => f.status !== 'unknown'))
    );
  }

  /** The cluster has Latest rows to read. */
  hasRows(bucket: string, ck: string): boolean {
    return this.untrusted.get(bucket)?.has(ck) ?? this.digests.get(bucket)?.clusters.has(ck) === true;
  }

  /**
   * Records a cluster's digest once its writes are planned: `state` its entries as Latest now holds them (none:
   * gone), `fresh` the digest of what this run reported ('' when it did not report it), `settled` as in
   * ClusterDigest.
   */
  set(bucket: string, ck: string, state: Array<[string, Entry]>, fresh: string, settled: boolean): void {
    this.handled.add(ck);
    const digests = this.digests.get(bucket) ?? emptyBucket();
    this.digests.set(bucket, digests);
    const before = digests.clusters.get(ck);
    let next: ClusterDigest | undefined;
    if (state.length === 0) next = undefined;
    else {
      const hash = digestOf(state);
      if (this.owner) next = hash === fresh ? { hash, settled } : 'mixed';
      // A narrowed or partial run leaves the alert baseline as it was: a cluster it changed is compared row by row.
      else next = before !== undefined && before !== 'mixed' && before.hash === hash ? before : 'mixed';
    }
    const same =
      before === next ||
      (before !== undefined &&
        next !== undefined &&
        before !== 'mixed' &&
        next !== 'mixed' &&
        before.hash === next.hash &&
        before.settled === next.settled);
    if (same && !this.untrusted.has(bucket)) return;
    if (next === undefined) digests.clusters.delete(ck);
    else digests.clusters.set(ck, next);
    this.dirty.add(bucket);
  }

  /** Clusters the state holds that are not in `seen` and are in scope (or touched by an interrupted attempt). */
  unseen(
    seen: Set<string>,
    prior: Map<string, string>,
    inScope: (normalisedId: string) => boolean,
  ): Array<{ ck: string; bucket: string }> {
    const all = new Map<string, string>();
    for (const [bucket, d] of this.digests) for (const ck of d.clusters.keys()) all.set(ck, bucket);
    for (const [bucket, keys] of this.untrusted) for (const ck of keys) all.set(ck, bucket);
    const list: Array<{ ck: string; bucket: string }> = [];
    for (const [ck, bucket] of all) {
      if (!seen.has(ck) && (prior.has(ck) || inScope(clusterIdOfKey(ck)))) list.push({ ck, bucket });
    }
    for (const [ck, bucket] of prior) if (!all.has(ck) && !seen.has(ck)) list.push({ ck, bucket });
    return list;
  }

  /** The writes of the buckets whose digests changed (an untrusted bucket's are written whole). */
  actions(stateSeq: number): Action[] {
    for (const [bucket, keys] of this.untrusted) {
      const digests = this.digests.get(bucket) ?? emptyBucket();
      this.digests.set(bucket, digests);
      for (const ck of keys) if (!this.handled.has(ck)) digests.clusters.set(ck, 'mixed');
      this.dirty.add(bucket);
    }
    if (this.fresh) for (const bucket of allBuckets()) this.dirty.add(bucket);
    const actions: Action[] = [];
    for (const bucket of [...this.dirty].sort()) {
      const d = this.digests.get(bucket) ?? emptyBucket();
      actions.push(...digestActions(bucket, d.clusters, stateSeq, this.oldParts.get(bucket) ?? 0));
    }
    return actions;
  }
}
