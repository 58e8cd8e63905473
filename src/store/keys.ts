// Keys of every table: partitions (buckets, change sets, views, the run ledger) and row keys, all free of
// `/ \ # ?` and control characters (the real IDs are inside the entities). The layout is drawn in docs/store.md.
import { createHash } from 'node:crypto';
import { odata } from '@azure/data-tables';
import { normaliseId } from '../model';

/** Latest and History partitions: clusters spread by a hash of their normalised ID. */
export const BUCKETS = 32;

/** Row key suffix of a cluster's metadata entry (`<ck>.!meta`). */
export const META = '!meta';
export const META_SUFFIX = `.${META}`;

// The run bookkeeping: one partition of the Runs table, row keys by kind.
export const RUNS_PK = 'runs';
export const RUN_PREFIX = 'run.';
export const INDEX_PREFIX = 'index.';
export const CHANGESET_PREFIX = 'changeset.';
export const POINTER_PREFIX = 'pointer.';
export const LOCK_RK = 'lock.writer';

/** The Exemptions table's one partition. */
export const EXEMPTIONS_PK = 'exemption';

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/**
 * Table Storage keys are at most 1 KiB (UTF-16: 512 characters). A part of a key made from a name longer than this
 * many characters once encoded is replaced by a hash, so that any input (long non-ASCII names) stays within it.
 */
export const MAX_KEY_PART = 400;

function longHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}

/** A run ID as a key: itself when it is made of safe characters, otherwise `~` + base64url, or `~~` + a hash. */
export function runKey(runId: string): string {
  if (/^[A-Za-z0-9_.:-]{1,200}$/.test(runId)) return runId;
  const encoded = base64url(runId);
  return encoded.length + 1 <= MAX_KEY_PART ? `~${encoded}` : `~~${longHash(runId)}`;
}

/**
 * A cluster as a key: the base64url of its normalised ID; an ID too long for that (long non-ASCII resource group
 * names) becomes `~<subscription>~<hash>`, which still says its subscription (what a run's scope is judged by).
 */
export function clusterKey(clusterId: string): string {
  const id = normaliseId(clusterId);
  const encoded = base64url(id);
  if (encoded.length <= MAX_KEY_PART) return encoded;
  const sub = /^\/subscriptions\/([0-9a-z-]{1,64})\//.exec(id)?.[1] ?? '';
  return `~${sub}~${longHash(id)}`;
}

/**
 * The cluster ID (normalised) a cluster key encodes. A hashed key gives `/subscriptions/<sub>/~<hash>`: enough to
 * tell its subscription, not the cluster (its entities hold the real ID).
 */
export function clusterIdOfKey(ck: string): string {
  if (ck.startsWith('~')) {
    const [, sub, hash] = ck.split('~');
    return `/subscriptions/${sub}/~${hash}`;
  }
  return Buffer.from(ck, 'base64url').toString('utf8');
}

export function ruleKey(ruleId: string): string {
  if (/^[A-Za-z0-9_-]{1,200}$/.test(ruleId)) return ruleId;
  const encoded = base64url(ruleId);
  // Rule IDs come from the catalog (short, safe); a long one is hashed like any other name.
  return encoded.length < 100 ? `~${encoded}` : `~~${longHash(ruleId)}`;
}

/** The rule ID a rule key encodes. */
export function ruleIdOfKey(rule: string): string {
  if (rule.startsWith('~~')) return rule;
  return rule.startsWith('~') ? Buffer.from(rule.slice(1), 'base64url').toString('utf8') : rule;
}

export function runRow(runId: string): string {
  return `${RUN_PREFIX}${runKey(runId)}`;
}

/** Rows of one partition whose RowKey starts with `prefix` (ending with '.'): a range query, never a scan. */
export function rangeFilter(pk: string, prefix: string): string {
  // '/' follows '.': every key starting with the prefix sorts in between.
  const upper = `${prefix.slice(0, -1)}/`;
  return odata`PartitionKey eq ${pk} and RowKey ge ${prefix} and RowKey lt ${upper}`;
}

export function bucketOf(clusterId: string): string {
  // FNV-1a: cheap, stable across versions and platforms.
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(normaliseId(clusterId), 'utf8')) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return String(h % BUCKETS).padStart(2, '0');
}

export function allBuckets(): string[] {
  return Array.from({ length: BUCKETS }, (_, i) => String(i).padStart(2, '0'));
}

export function pad(seq: number): string {
  return String(seq).padStart(10, '0');
}

export function invertedSeq(seq: number): string {
  return pad(9_999_999_999 - seq);
}

/** Latest and History partition of a bucket. */
export function bucketPk(bucket: string): string {
  return `b${bucket}`;
}

/** Changes partition holding change set `seq`'s before-images of one bucket. */
export function changePk(seq: number, bucket: string): string {
  return `c${pad(seq)}-${bucket}`;
}

/** Changes partition holding what run `runId` reported where it differs from the state (one bucket). */
export function viewPk(runId: string, bucket: string): string {
  return `v-${runKey(runId)}-${bucket}`;
}

/** The Latest partition a Changes row (before-image or view) belongs to: its bucket ends its partition key. */
export function latestPkOfChangeRow(changesPk: string): string {
  return bucketPk(changesPk.slice(-2));
}

export interface KeyInfo {
  pk: string;
  ck: string;
  ruleId: string;
}

/** A Latest row key `<ck>.<rule key>` taken apart. */
export function keyInfo(rk: string, pk: string): KeyInfo {
  const dot = rk.indexOf('.');
  return { pk, ck: rk.slice(0, dot), ruleId: rk.slice(dot + 1) };
}

/** A hash for callers that need a short stable key of a long ID. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}
