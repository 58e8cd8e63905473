// Cluster digests: one short hash per cluster of what change detection compares (each finding's rule, status and
// severity, and the hash of the cluster's metadata), kept a few entities per bucket in the Digests table (one partition, `digest`).
// A run compares each evaluated cluster's digest with the stored one and reads that cluster's rows only when they
// differ, so a night where nothing changed reads no findings. docs/store.md explains when a digest is trusted.
import { createHash } from 'node:crypto';
import { odata } from '@azure/data-tables';
import type { ClusterReport } from '../model';
import { boundedJson, getChunks, hashOf, putChunks, CHUNK, MAX_CHUNKS, type Entry } from './codec';
import { META, bucketOf, clusterKey, ruleKey } from './keys';
import type { Action, Entity, Row, StoreTables } from './tables';

/** The Digests table's partition (row keys `<bucket>-<part>`). */
export const DIGEST_PK = 'digest';
/** Clusters per digest entity (each entry is at most ~420 characters: the chunks of one entity hold ~1,100). */
const PER_PART = 1000;

/**
 * What the digest says of a cluster: `hash` of its state, which is also what the latest complete fleet-wide run
 * reported for it (the alert baseline); `settled` when that run's unknown findings were already unknown in the run
 * before it (so an unknown again raises no `unreadable` alert). `mixed`: the state and the alert baseline differ
 * (a narrowed or partial run changed it since, or the run reported something other than the state it left): the
 * cluster is always compared row by row.
 */
export type ClusterDigest = { hash: string; settled: boolean } | 'mixed';

/** The digest of a cluster's entries (row-key suffix: the rule key or META; an entry as Latest holds it). */
export function digestOf(entries: Iterable<[string, Entry]>): string {
  const parts: string[] = [];
  for (const [rule, entry] of entries) {
    parts.push(rule === META ? `${META}=${hashOf(entry)}` : `${rule}=${entry.status ?? ''}/${entry.severity ?? ''}`);
  }
  parts.sort();
  return createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 16);
}

/** A reported cluster's entries as Latest would hold them (the metadata's JSON as ChangeSetPlan writes it). */
export function reportedEntries(cluster: ClusterReport): Array<[string, Entry]> {
  const { findings, ...meta } = cluster;
  const out: Array<[string, Entry]> = [[META, { json: boundedJson(meta) }]];
  for (const f of findings) out.push([ruleKey(f.ruleId), { status: f.status, severity: f.severity }]);
  return out;
}

export function digestOfCluster(cluster: ClusterReport): string {
  return digestOf(reportedEntries(cluster));
}

function encode(d: ClusterDigest): string {
  return d === 'mixed' ? '*' : `${d.hash}${d.settled ? '+' : '-'}`;
}

function decode(text: string): ClusterDigest | undefined {
  if (text === '*') return 'mixed';
  const flag = text.slice(-1);
  if (text.length < 2 || (flag !== '+' && flag !== '-')) return undefined;
  return { hash: text.slice(0, -1), settled: flag === '+' };
}

/** One bucket's digests: cluster key -> digest, valid when written by a run whose state is the store's. */
export interface BucketDigests {
  seq: number;
  parts: number;
  clusters: Map<string, ClusterDigest>;
}

/**
 * The stored digests by bucket. A bucket with no entity has no digests: either the store is new (nothing in Latest)
 * or it predates them; the caller tells which.
 */
export async function readDigests(tables: StoreTables): Promise<Map<string, BucketDigests>> {
  const rowsByBucket = new Map<string, Row[]>();
  await tables.each('digests', odata`PartitionKey eq ${DIGEST_PK}`, (row) => {
    const bucket = row.rowKey.split('-')[0];
    rowsByBucket.set(bucket, [...(rowsByBucket.get(bucket) ?? []), row]);
  });
  const byBucket = new Map<string, BucketDigests>();
  for (const [bucket, rows] of rowsByBucket) {
    const seq = Number(rows[0].seq);
    const parts = Number(rows[0].parts ?? 1);
    // Parts of one bucket are written together: parts of different runs, or a part missing, mean an interrupted
    // write, and the bucket's digests are not trusted (seq -1).
    const whole = rows.length === parts && rows.every((r) => Number(r.seq) === seq && Number(r.parts) === parts);
    const clusters = new Map<string, ClusterDigest>();
    for (const row of rows) {
      for (const [ck, value] of Object.entries(JSON.parse(getChunks(row, 'd') ?? '{}') as Record<string, string>)) {
        const d = decode(value);
        if (d) clusters.set(ck, d);
      }
    }
    byBucket.set(bucket, { seq: whole ? seq : -1, parts, clusters });
  }
  return byBucket;
}

/** The writes that store one bucket's digests (its parts, and the removal of parts no longer needed). */
export function digestActions(bucket: string, clusters: Map<string, ClusterDigest>, seq: number, before = 0): Action[] {
  const entries = [...clusters].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const parts = Math.max(1, Math.ceil(entries.length / PER_PART));
  const actions: Action[] = [];
  for (let p = 0; p < parts; p++) {
    const slice = entries.slice(p * PER_PART, (p + 1) * PER_PART);
    const text = JSON.stringify(Object.fromEntries(slice.map(([ck, d]) => [ck, encode(d)])));
    if (text.length > CHUNK * MAX_CHUNKS) throw new Error(`digest part of bucket ${bucket} exceeds an entity`);
    const entity: Record<string, unknown> = { partitionKey: DIGEST_PK, rowKey: `${bucket}-${p}`, seq, parts };
    putChunks(entity, 'd', text);
    actions.push({ kind: 'upsert', pk: DIGEST_PK, entity: entity as Entity });
  }
  for (let p = parts; p < before; p++) actions.push({ kind: 'delete', pk: DIGEST_PK, rk: `${bucket}-${p}` });
  return actions;
}

/** The bucket and key of a cluster, as the digests file it. */
export function digestSlot(clusterId: string): { bucket: string; ck: string } {
  return { bucket: bucketOf(clusterId), ck: clusterKey(clusterId) };
}
