// FindingStore: scan runs, the latest status per cluster and rule, each run's changes (the history) and exemptions,
// on Azure Table Storage (@azure/data-tables; Azurite locally).
//
// Design
// - Five tables (names `<prefix>Runs|Latest|Changes|History|Exemptions`).
// - Clusters are spread over BUCKETS partitions by a hash of their normalised ID (a partition takes ~2,000
//   entities/s; 32 buckets let a 10,000-cluster first run write in parallel and in 100-entity transactions).
// - Latest: PK `bNN`, RK `<ck>.<ruleId>` (one finding) and `<ck>.!meta` (the cluster's name, version, tags...), where
//   `<ck>` is the base64url of the normalised cluster ID (no `/ \ # ?` or control characters in keys; the real ID is
//   inside the entity). It holds the fleet's current state and is written ONLY where a finding's status or severity
//   (or a cluster's metadata) changed: an unchanged rescan writes nothing here. A finding's text (message, details) is
//   the text recorded at its last status or severity change; writing fresh wording every night would turn every
//   night into a full rewrite of the fleet.
// - Every run that changes the state gets a change set number `seq` (a registry row per change set in Runs, RK
//   `changeset.<inverted seq>` so the newest comes first). Before touching Latest, the run writes one Changes
//   entity per changed key holding what Latest held before (PK `cSEQ-NN`, RK as in Latest). A run's state is "Latest
//   rolled back through every later change set, newest first": any past run's report is rebuilt exactly from Latest
//   plus the later change sets, each read by partition key (no table scan). Because the before-images are written
//   before Latest, a reader that reads Latest first and the change sets second always sees a consistent past.
// - Partial runs (`complete: false`) never resolve a fail in Latest, and a cluster missing from a partial run keeps
//   its last known findings. Where what the partial run reported differs from that state, a view entity (PK
//   `v-RUN-NN`) keeps what the run reported, so its report is rebuilt as it was returned.
// - History: PK `bNN`, RK `<ck>.SEQ`, one entity per changed cluster per change set with its transitions: a cluster's
//   history is one range query.
// - Runs: all run bookkeeping in ONE partition (PK `runs`), so that it can change in entity-group transactions:
//   RK `run.<run key>` (status running/completed/partial/failed, trigger, scope, summary, problems, timings, the
//   change set it ends at), `index.<inverted start time>-<run key>` (listing newest first), `changeset.<inverted
//   seq>` (above), `pointer.latestFinished` (completed or partial) and `pointer.latestCompleted` (complete runs only),
//   both for fleet-wide runs, `pointer.latestState` (any finished run, for the clusters' latest status), and
//   `lock.writer` (the writer lease). One partition is ample for this load: a run a night and a few on demand write
//   a handful of transactions each, far below a partition's ~2,000 entities/s.
// - A run costs two transactions here when it changes nothing: its start (the run record as running plus its index
//   entry) and its completion (the run record completed/partial, the pointers and the lease). A run that changes
//   the state adds one before its state writes (the lease taken, its change set registered and its position marked)
//   and still completes in one. A run becomes completed/partial only after all its writes succeeded, and the
//   pointers move last: in that completing transaction.
// - A run narrowed to subscriptions, management groups (the subscriptions found under them) or one cluster asserts
//   nothing about clusters outside its scope: they keep their state, and its report is the state restricted to its
//   scope.
// - Re-running a run ID that was interrupted (running or failed, nothing recorded after it) continues its change set:
//   the before-images already written are kept, so the retry converges on the same state (idempotent upserts).
// - Large values (finding JSON, problems) are split over properties of at most CHUNK characters; a finding whose JSON
//   exceeds the entity budget keeps its status and severity and has its details replaced by a truncation marker.
// - Writers are expected one at a time (the nightly timer and on-demand scans of one deployment). The lease row is
//   only ever changed under its ETag, inside the transactions above: a run that writes state takes it first (and a
//   second writer waits, up to leaseWaitMs, instead of interleaving change sets); a run that writes nothing but its
//   records makes its completing transaction conditional on the lease's ETag as read before it read the state, so a
//   writer that came in between makes it fail whole, and the run reads the new state and tries again. The lease is
//   held while a run records (seconds), not while it scans (minutes).
import { createHash } from 'node:crypto';
import { odata, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import type { AzureClients } from '../azure/clients';
import {
  normaliseId,
  type ClusterReport,
  type Exemption,
  type Finding,
  type ScanProblem,
  type ScanReport,
  type Severity,
  type Status,
} from '../model';

export const BUCKETS = 32;
/** Characters per string property (Table Storage strings are at most 64 KiB in UTF-16). */
const CHUNK = 30_000;
/** Chunks per value: 480,000 UTF-16 characters keep an entity under 1 MiB. */
const MAX_CHUNKS = 16;
/** Bytes per transaction (the service limit is 4 MiB). */
const MAX_TRANSACTION_BYTES = 3_500_000;
const MAX_TRANSACTION_ENTITIES = 100;
const LOCK_TTL_MS = 30 * 60 * 1000;

export type RunStatus = 'running' | 'completed' | 'partial' | 'failed';
export type RunTrigger = 'timer' | 'http' | 'cli';
export type TableRole = 'runs' | 'latest' | 'changes' | 'history' | 'exemptions';
const TABLE_ROLES: TableRole[] = ['runs', 'latest', 'changes', 'history', 'exemptions'];

export interface RunRecord {
  runId: string;
  status: RunStatus;
  trigger: RunTrigger;
  scope: { subscriptions: string[]; managementGroups: string[]; clusterId?: string };
  startedAt: string;
  finishedAt?: string;
  asOf?: string;
  complete?: boolean;
  summary?: ScanReport['summary'];
  durationMs?: number;
  error?: string;
  /** What the run wrote to the state: keys changed in Latest, change and history entities. */
  writes?: { latest: number; changes: number; history: number; views: number };
  /** The change set the run's state ends at (set once the run is recorded). */
  stateSeq?: number;
  /** The change set this run wrote, if any. */
  ownSeq?: number;
}

export interface StoreCounters {
  transactions: number;
  entities: number;
  byTable: Record<TableRole, { transactions: number; entities: number }>;
}

export interface RecordRunOptions {
  trigger: RunTrigger;
  /**
   * The run was narrowed by its caller (to subscriptions, management groups or one cluster): the fleet-wide pointers
   * stay.
   */
  narrowed?: boolean;
  /** The run scanned only this cluster. */
  clusterId?: string;
  /**
   * A run narrowed to management groups: the subscriptions its inventory found under them. It speaks for these
   * subscriptions' clusters (and those it reported) only; without the list, only for the subscriptions it reported.
   */
  coveredSubscriptions?: string[];
  /** Latest as getLatestBaseline read it: used instead of reading Latest again when no run recorded since. */
  snapshot?: LatestSnapshot;
}

/**
 * Latest as read by getLatestBaseline, for change detection: valid while the writer lease is as it was then (every
 * run that records changes it).
 */
export class LatestSnapshot {
  constructor(
    readonly lockEtag: string | undefined,
    /** @internal */
    readonly state: Map<string, { pk: string; entry: Entry }>,
  ) {}
}

export interface LatestBaseline {
  /** The latest complete fleet-wide run's report, thin (see FindingStore.getRunBaseline); undefined when none. */
  report: ScanReport | undefined;
  snapshot: LatestSnapshot;
}

export interface RecordRunResult {
  run: RunRecord;
  /** Keys (findings and cluster metadata) whose state changed. */
  changedKeys: number;
  changedClusters: number;
}

export interface StatusTransition {
  /** A rule ID, or `cluster` for the cluster's own appearance or metadata. */
  ruleId: string;
  from: Status | 'absent' | 'present' | null;
  to: Status | 'absent' | 'present' | null;
  fromSeverity?: Severity;
  toSeverity?: Severity;
  kubernetesVersion?: { from: string | null; to: string | null };
}

export interface ClusterHistoryEntry {
  runId: string;
  seq: number;
  recordedAt: string;
  transitions: StatusTransition[];
}

export interface ClusterHistory {
  /** The latest known state of the cluster (as of the latest finished run). */
  cluster: ClusterReport;
  runId: string | null;
  history: ClusterHistoryEntry[];
}

/** The run exists but has no report (still running, or failed before it was recorded). */
export class RunNotReadyError extends Error {
  override name = 'RunNotReadyError';
  constructor(
    readonly runId: string,
    readonly status: RunStatus,
  ) {
    super(`run ${runId} is ${status} and has no report`);
  }
}

/** Another run holds the writer lease. */
export class StoreBusyError extends Error {
  override name = 'StoreBusyError';
}

export interface FindingStoreOptions {
  /** Table name prefix (letters and digits). Default `akscompliance`. */
  tablePrefix?: string;
  /** Parallel transactions in flight. Default 8. */
  concurrency?: number;
  now?: () => Date;
  /** How long recordRun waits for another run to finish recording. Default 120 s. */
  leaseWaitMs?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Keys

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A run ID as a key: itself when it is made of safe characters, otherwise `~` + base64url. */
export function runKey(runId: string): string {
  return /^[A-Za-z0-9_.:-]{1,200}$/.test(runId) ? runId : `~${base64url(runId)}`;
}

export function clusterKey(clusterId: string): string {
  return base64url(normaliseId(clusterId));
}

function ruleKey(ruleId: string): string {
  return /^[A-Za-z0-9_-]{1,200}$/.test(ruleId) ? ruleId : `~${base64url(ruleId)}`;
}

const META = '!meta';

// The run bookkeeping: one partition of the Runs table (see the design comment), row keys by kind.
const RUNS_PK = 'runs';
const RUN_PREFIX = 'run.';
const INDEX_PREFIX = 'index.';
const CHANGESET_PREFIX = 'changeset.';
const POINTER_PREFIX = 'pointer.';
const LOCK_RK = 'lock.writer';

function runRow(runId: string): string {
  return `${RUN_PREFIX}${runKey(runId)}`;
}

/** Rows of one partition whose RowKey starts with `prefix` (ending with '.'): a range query, never a scan. */
function rangeFilter(pk: string, prefix: string): string {
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

function pad(seq: number): string {
  return String(seq).padStart(10, '0');
}

function invertedSeq(seq: number): string {
  return pad(9_999_999_999 - seq);
}

// ---------------------------------------------------------------------------------------------------------------
// Values split over properties

function putChunks(entity: Record<string, unknown>, prefix: string, text: string | undefined): void {
  if (text === undefined) {
    entity[`${prefix}n`] = 0;
    return;
  }
  const count = Math.max(1, Math.ceil(text.length / CHUNK));
  entity[`${prefix}n`] = count;
  for (let i = 0; i < count; i++) entity[`${prefix}${i}`] = text.slice(i * CHUNK, (i + 1) * CHUNK);
}

function getChunks(entity: Record<string, unknown>, prefix: string): string | undefined {
  const count = Number(entity[`${prefix}n`] ?? 0);
  if (!count) return undefined;
  let text = '';
  for (let i = 0; i < count; i++) text += String(entity[`${prefix}${i}`] ?? '');
  return text;
}

/** A finding's JSON within the entity budget: oversized details are replaced by a marker (status kept). */
function findingJson(finding: Finding, pos: number): string {
  const text = JSON.stringify({ ...finding, pos });
  if (text.length <= CHUNK * MAX_CHUNKS) return text;
  const truncated: Finding = {
    ...finding,
    message: finding.message.length > 8000 ? `${finding.message.slice(0, 8000)} [truncated]` : finding.message,
    details: { truncated: true, note: `details of ${text.length} characters exceeded the storage limit` },
  };
  return JSON.stringify({ ...truncated, pos });
}

function boundedJson(value: unknown, limit = CHUNK * MAX_CHUNKS): string {
  const text = JSON.stringify(value);
  return text.length <= limit ? text : JSON.stringify({ truncated: true, size: text.length });
}

// ---------------------------------------------------------------------------------------------------------------
// State entries

/**
 * One key of the state: a finding of a cluster, or the cluster's metadata. Read for change detection, an entry is
 * compact (status, severity and, for metadata, a hash of its JSON); its JSON is read only where it is written again
 * (a before-image). An entry of the report being recorded builds its JSON only when it is written.
 */
export interface Entry {
  status?: Status;
  severity?: Severity;
  json?: string;
  /** shortHash of the JSON (metadata entries: what a metadata change is detected by). */
  hash?: string;
  build?: () => string;
}

/** The entry's JSON; built ones are not kept (they are written once and dropped). */
function jsonOf(entry: Entry): string {
  if (entry.json !== undefined) return entry.json;
  if (!entry.build) throw new Error('state entry read without its value');
  return entry.build();
}

function hashOf(entry: Entry): string {
  entry.hash ??= shortHash(jsonOf(entry));
  return entry.hash;
}

/** The entry's JSON is not in memory (read compact from Latest). */
function isCompact(entry: Entry | undefined): boolean {
  return entry !== undefined && entry.json === undefined && entry.build === undefined;
}

/** What change detection keeps of a Latest entry. */
function compactOf(entry: Entry, isMeta: boolean): Entry {
  if (isMeta) return { hash: hashOf(entry) };
  return {
    ...(entry.status ? { status: entry.status } : {}),
    ...(entry.severity ? { severity: entry.severity } : {}),
  };
}

/**
 * What the alert baseline keeps of a state entry: a finding's rule, status and severity (and its title where the
 * alerts can name it: fail and exempt); a cluster's metadata whole (it is small).
 */
function thinOf(entry: Entry, isMeta: boolean, rk: string): Entry {
  if (isMeta) return entry;
  const json = jsonOf(entry);
  // Most findings pass: their rule is in the key, status and severity in columns and the position ends the JSON
  // (findingJson writes it last), so only fails and exemptions are parsed for their titles.
  if (entry.status && entry.severity && entry.status !== 'fail' && entry.status !== 'exempt') {
    const at = json.lastIndexOf('"pos":');
    const pos = at > 0 ? /^"pos":(\d+)\}$/.exec(json.slice(at)) : null;
    if (pos) {
      const rule = rk.slice(rk.indexOf('.') + 1);
      const thin = {
        ruleId: rule.startsWith('~') ? Buffer.from(rule.slice(1), 'base64url').toString('utf8') : rule,
        status: entry.status,
        severity: entry.severity,
        title: '',
        message: '',
        remediation: '',
        details: {},
        pos: Number(pos[1]),
      };
      return { status: entry.status, severity: entry.severity, json: JSON.stringify(thin) };
    }
  }
  const f = JSON.parse(json) as Finding & { pos: number };
  const keepTitle = f.status === 'fail' || f.status === 'exempt';
  const thin = {
    ruleId: f.ruleId,
    status: f.status,
    severity: f.severity,
    title: keepTitle ? f.title : '',
    message: '',
    remediation: '',
    details: {},
    pos: f.pos,
  };
  return { ...compactOf(entry, false), json: JSON.stringify(thin) };
}

const META_SUFFIX = '.!meta';

interface KeyInfo {
  pk: string;
  ck: string;
  ruleId: string;
}

function keyInfo(rk: string, pk: string): KeyInfo {
  const dot = rk.indexOf('.');
  return { pk, ck: rk.slice(0, dot), ruleId: rk.slice(dot + 1) };
}

function sameEntry(a: Entry | undefined, b: Entry | undefined, isMeta: boolean): boolean {
  if (!a || !b) return a === b;
  if (isMeta) return a.json !== undefined && b.json !== undefined ? a.json === b.json : hashOf(a) === hashOf(b);
  return a.status === b.status && a.severity === b.severity;
}

function entryFromEntity(entity: Record<string, unknown>, prefix: string): Entry | undefined {
  const json = getChunks(entity, prefix);
  if (json === undefined) return undefined;
  const status = entity[`${prefix}status`];
  const severity = entity[`${prefix}severity`];
  return {
    json,
    ...(typeof status === 'string' ? { status: status as Status } : {}),
    ...(typeof severity === 'string' ? { severity: severity as Severity } : {}),
  };
}

function entryProps(entry: Entry | undefined, prefix: string): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  putChunks(props, prefix, entry && jsonOf(entry));
  if (entry?.status) props[`${prefix}status`] = entry.status;
  if (entry?.severity) props[`${prefix}severity`] = entry.severity;
  return props;
}

function entitySize(entity: Record<string, unknown>): number {
  let size = 200;
  for (const [k, v] of Object.entries(entity)) size += k.length * 2 + (typeof v === 'string' ? v.length * 2 : 16);
  return size;
}

/** A row as read back: keys always present. */
type Row = Record<string, unknown> & { partitionKey: string; rowKey: string; etag: string };

/** An upsert's entity may be made only when its transaction is (a first run writes the whole fleet). */
type Action =
  | {
      kind: 'upsert';
      pk: string;
      entity: TableEntity<Record<string, unknown>> | (() => TableEntity<Record<string, unknown>>);
    }
  | { kind: 'delete'; pk: string; rk: string };

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && failed === undefined) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (error) {
        failed ??= error;
      }
    }
  });
  await Promise.all(workers);
  if (failed !== undefined) throw failed;
}

function statusOfReport(report: ScanReport): RunStatus {
  return report.complete ? 'completed' : 'partial';
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number })?.statusCode === 404;
}

/** A conditional write lost: the entity was created (409) or changed (412) since it was read. */
function isConflict(error: unknown): boolean {
  const code = (error as { statusCode?: number })?.statusCode;
  return code === 409 || code === 412;
}

/** The lease changed between the read and a transaction conditional on it; nothing was written. */
class LeaseConflict extends Error {
  override name = 'LeaseConflict';
}

function upsertAction(entity: TableEntity<Record<string, unknown>>): TransactionAction {
  return ['upsert', entity, 'Replace'];
}

/** A row as written back: without the service's etag and timestamp. */
function withoutMeta(row: Row): TableEntity<Record<string, unknown>> {
  const entity: Record<string, unknown> = { ...row };
  delete entity.etag;
  delete entity.timestamp;
  return entity as TableEntity<Record<string, unknown>>;
}

function runScope(scope: Partial<RunRecord['scope']> | undefined): RunRecord['scope'] {
  return {
    subscriptions: scope?.subscriptions ?? [],
    managementGroups: scope?.managementGroups ?? [],
    ...(scope?.clusterId ? { clusterId: scope.clusterId } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------

export class FindingStore {
  readonly counters: StoreCounters;
  private readonly tables: Record<TableRole, TableClient>;
  private readonly concurrency: number;
  private readonly now: () => Date;
  private readonly leaseWaitMs: number;
  private readonly pendingFailures = new Map<string, { error: string; trigger: RunTrigger }>();
  private flushing = false;
  private ready?: Promise<void>;

  constructor(clients: Pick<AzureClients, 'tableClient'>, options: FindingStoreOptions = {}) {
    const prefix = options.tablePrefix ?? 'akscompliance';
    if (!/^[A-Za-z][A-Za-z0-9]{2,40}$/.test(prefix)) {
      throw new Error(`table prefix "${prefix}" must be 3..41 letters and digits, starting with a letter`);
    }
    const name = (role: TableRole): string => `${prefix}${role[0].toUpperCase()}${role.slice(1)}`;
    this.tables = Object.fromEntries(TABLE_ROLES.map((role) => [role, clients.tableClient(name(role))])) as Record<
      TableRole,
      TableClient
    >;
    this.concurrency = options.concurrency ?? 8;
    this.now = options.now ?? (() => new Date());
    this.leaseWaitMs = options.leaseWaitMs ?? 120_000;
    this.counters = FindingStore.emptyCounters();
  }

  private static emptyCounters(): StoreCounters {
    return {
      transactions: 0,
      entities: 0,
      byTable: Object.fromEntries(
        TABLE_ROLES.map((r) => [r, { transactions: 0, entities: 0 }]),
      ) as StoreCounters['byTable'],
    };
  }

  resetCounters(): void {
    Object.assign(this.counters, FindingStore.emptyCounters());
  }

  /** Tables ready, and failures that could not be recorded while storage was down recorded now. */
  private async prepare(): Promise<void> {
    await this.ensureTables();
    if (this.pendingFailures.size === 0 || this.flushing) return;
    this.flushing = true;
    try {
      for (const [runId, { error, trigger }] of [...this.pendingFailures]) {
        await this.markRunFailedNow(runId, error, trigger);
        this.pendingFailures.delete(runId);
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Creates the tables when missing (once per store instance). */
  ensureTables(): Promise<void> {
    this.ready ??= Promise.all(TABLE_ROLES.map((role) => this.tables[role].createTable())).then(
      () => undefined,
      (error: unknown) => {
        this.ready = undefined;
        throw error;
      },
    );
    return this.ready;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Low-level I/O (every write is counted)

  private count(role: TableRole, entities: number): void {
    this.counters.transactions += 1;
    this.counters.entities += entities;
    this.counters.byTable[role].transactions += 1;
    this.counters.byTable[role].entities += entities;
  }

  private async upsert(role: TableRole, entity: TableEntity<Record<string, unknown>>): Promise<void> {
    await this.tables[role].upsertEntity(entity, 'Replace');
    this.count(role, 1);
  }

  private async get(role: TableRole, pk: string, rk: string): Promise<Row | undefined> {
    try {
      return (await this.tables[role].getEntity<Record<string, unknown>>(pk, rk)) as Row;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async query(role: TableRole, filter: string): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const row of this.tables[role].listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      rows.push(row as Row);
    }
    return rows;
  }

  /** Calls `fn` on each row page by page, so a page is dropped once handled (with `select`: those properties only). */
  private async each(role: TableRole, filter: string, fn: (row: Row) => void, select?: string[]): Promise<void> {
    const pages = this.tables[role]
      .listEntities<Record<string, unknown>>({ queryOptions: { filter, ...(select ? { select } : {}) } })
      .byPage({ maxPageSize: 1000 });
    for await (const page of pages) for (const row of page) fn(row as Row);
  }

  private partition(role: TableRole, pk: string): Promise<Row[]> {
    return this.query(role, odata`PartitionKey eq ${pk}`);
  }

  /** Rows of one partition whose RowKey starts with `prefix` (a range query, never a scan). */
  private range(role: TableRole, pk: string, prefix: string): Promise<Row[]> {
    return this.query(role, rangeFilter(pk, prefix));
  }

  /** One entity-group transaction (one partition, at most 100 entities, each once). */
  private async transact(role: TableRole, actions: TransactionAction[]): Promise<void> {
    await this.tables[role].submitTransaction(actions);
    this.count(role, actions.length);
  }

  /**
   * Writes actions in transactions of at most 100 entities (and 3.5 MB) per partition, partitions in parallel and
   * each partition's transactions in order. Entities are made as their transaction is, so only the transactions in
   * flight are in memory.
   */
  private async write(role: TableRole, actions: Action[]): Promise<void> {
    const byPartition = new Map<string, Action[]>();
    for (const action of actions) {
      const list = byPartition.get(action.pk) ?? [];
      list.push(action);
      byPartition.set(action.pk, list);
    }
    await mapLimit([...byPartition.values()], this.concurrency, async (list) => {
      let batch: TransactionAction[] = [];
      let bytes = 0;
      const submit = async (): Promise<void> => {
        await this.tables[role].submitTransaction(batch);
        this.count(role, batch.length);
        batch = [];
        bytes = 0;
      };
      for (const action of list) {
        const entity =
          action.kind === 'upsert'
            ? typeof action.entity === 'function'
              ? action.entity()
              : action.entity
            : undefined;
        const size = entity ? entitySize(entity) : 200;
        if (batch.length > 0 && (batch.length >= MAX_TRANSACTION_ENTITIES || bytes + size > MAX_TRANSACTION_BYTES)) {
          await submit();
        }
        batch.push(
          action.kind === 'upsert'
            ? ['upsert', entity!, 'Replace']
            : ['delete', { partitionKey: action.pk, rowKey: action.rk }],
        );
        bytes += size;
      }
      if (batch.length > 0) await submit();
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Runs

  private runFromEntity(entity: Record<string, unknown>): RunRecord {
    const json = (name: string): unknown => {
      const text = getChunks(entity, name);
      return text === undefined ? undefined : JSON.parse(text);
    };
    const num = (name: string): number | undefined =>
      typeof entity[name] === 'number' ? (entity[name] as number) : undefined;
    const str = (name: string): string | undefined =>
      typeof entity[name] === 'string' ? (entity[name] as string) : undefined;
    const run: RunRecord = {
      runId: String(entity.runId),
      status: entity.status as RunStatus,
      trigger: entity.trigger as RunTrigger,
      scope: (json('scope') as RunRecord['scope']) ?? { subscriptions: [], managementGroups: [] },
      startedAt: String(entity.startedAt),
    };
    const finishedAt = str('finishedAt');
    if (finishedAt) run.finishedAt = finishedAt;
    const asOf = str('asOf');
    if (asOf) run.asOf = asOf;
    if (typeof entity.complete === 'boolean') run.complete = entity.complete;
    const summary = json('summary');
    if (summary) run.summary = summary as ScanReport['summary'];
    const durationMs = num('durationMs');
    if (durationMs !== undefined) run.durationMs = durationMs;
    const error = str('error');
    if (error) run.error = error;
    const writes = json('writes');
    if (writes) run.writes = writes as RunRecord['writes'];
    const stateSeq = num('stateSeq');
    if (stateSeq !== undefined) run.stateSeq = stateSeq;
    const ownSeq = num('ownSeq');
    if (ownSeq !== undefined) run.ownSeq = ownSeq;
    return run;
  }

  private async runEntity(runId: string): Promise<Row | undefined> {
    return this.get('runs', RUNS_PK, runRow(runId));
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    await this.prepare();
    const entity = await this.runEntity(runId);
    return entity ? this.runFromEntity(entity) : undefined;
  }

  /** Runs, newest first. */
  async listRuns(limit = 20): Promise<RunRecord[]> {
    await this.prepare();
    const keys: string[] = [];
    const pages = this.tables.runs
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: rangeFilter(RUNS_PK, INDEX_PREFIX) } })
      .byPage({ maxPageSize: Math.min(Math.max(limit, 1), 1000) });
    for await (const page of pages) {
      for (const row of page) if (keys.length < limit) keys.push(String(row.runId));
      if (keys.length >= limit) break;
    }
    const runs = await Promise.all(keys.map((id) => this.getRun(id)));
    return runs.filter((r): r is RunRecord => r !== undefined);
  }

  /**
   * A run's record as running: a new run (with its index entry, to be written in the same transaction) or a failed
   * run starting again (its start time, index entry and change set kept).
   */
  private runningEntity(
    input: { runId: string; trigger: RunTrigger; scope?: Partial<RunRecord['scope']>; startedAt?: Date },
    existing: Row | undefined,
  ): { entity: TableEntity<Record<string, unknown>>; index?: TableEntity<Record<string, unknown>> } {
    const startedAt = (existing?.startedAt as string | undefined) ?? (input.startedAt ?? this.now()).toISOString();
    const indexKey =
      (existing?.indexKey as string | undefined) ??
      `${pad(9_999_999_999_999 - Date.parse(startedAt))}-${runKey(input.runId)}`;
    const entity: Record<string, unknown> = {
      ...(existing ?? {}),
      partitionKey: RUNS_PK,
      rowKey: runRow(input.runId),
      runId: input.runId,
      status: 'running',
      trigger: input.trigger,
      startedAt,
      indexKey,
      error: '',
    };
    delete entity.etag;
    delete entity.timestamp;
    // A failed run that starts again is running, not finished.
    delete entity.finishedAt;
    putChunks(entity, 'scope', JSON.stringify(runScope(input.scope)));
    return {
      entity: entity as TableEntity<Record<string, unknown>>,
      ...(existing
        ? {}
        : { index: { partitionKey: RUNS_PK, rowKey: `${INDEX_PREFIX}${indexKey}`, runId: input.runId } }),
    };
  }

  /**
   * Records that a run started (status running): one transaction (the run record and, for a new run, its index
   * entry). A run that already finished keeps its status; a run already running with the same trigger and scope is
   * not written again.
   */
  async markRunStarted(input: {
    runId: string;
    trigger: RunTrigger;
    scope?: Partial<RunRecord['scope']>;
    startedAt?: Date;
  }): Promise<RunRecord> {
    await this.prepare();
    const existing = await this.runEntity(input.runId);
    if (existing && (existing.status === 'completed' || existing.status === 'partial')) {
      return this.runFromEntity(existing);
    }
    if (
      existing?.status === 'running' &&
      existing.trigger === input.trigger &&
      getChunks(existing, 'scope') === JSON.stringify(runScope(input.scope))
    ) {
      return this.runFromEntity(existing);
    }
    const { entity, index } = this.runningEntity(input, existing);
    await this.transact('runs', [['upsert', entity, 'Replace'], ...(index ? [upsertAction(index)] : [])]);
    return this.runFromEntity(entity);
  }

  /** Records a run as failed (a run that already finished is left as it is). */
  async markRunFailed(runId: string, error: string, trigger: RunTrigger = 'timer'): Promise<void> {
    try {
      await this.prepare();
      await this.markRunFailedNow(runId, error, trigger);
      this.pendingFailures.delete(runId);
    } catch (storageError) {
      // Storage is down: the next operation of this store that reaches storage records it.
      this.pendingFailures.set(runId, { error, trigger });
      throw storageError;
    }
  }

  /** One transaction: the run record as failed (with its index entry if it had none) and the run's lease released. */
  private async markRunFailedNow(runId: string, error: string, trigger: RunTrigger): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const existing = await this.runEntity(runId);
      if (existing && (existing.status === 'completed' || existing.status === 'partial')) return;
      const { entity, index } = existing
        ? { entity: withoutMeta(existing), index: undefined }
        : this.runningEntity({ runId, trigger }, undefined);
      entity.status = 'failed';
      entity.error = error.slice(0, 4000);
      entity.finishedAt = this.now().toISOString();
      const actions: TransactionAction[] = [upsertAction(entity)];
      if (index) actions.push(upsertAction(index));
      // A retry under the same run ID may take the lease again anyway; other runs must not wait for it to expire.
      const lock = await this.readLock();
      if (lock && String(lock.runId) === runId) actions.push(this.lockAction(lock, runId, 'release'));
      try {
        await this.transact('runs', actions);
        return;
      } catch (failure) {
        // The lease changed hands since it was read: read it again.
        if (!isConflict(failure) || attempt >= 3) throw failure;
      }
    }
  }

  private async pointer(
    name: 'latestFinished' | 'latestCompleted' | 'latestState',
  ): Promise<{ runId: string; stateSeq: number } | undefined> {
    const entity = await this.get('runs', RUNS_PK, `${POINTER_PREFIX}${name}`);
    return entity ? { runId: String(entity.runId), stateSeq: Number(entity.stateSeq) } : undefined;
  }

  private async changesets(): Promise<{ seq: number; runId: string; buckets: string[]; skipped: boolean }[]> {
    const rows = await this.query('runs', rangeFilter(RUNS_PK, CHANGESET_PREFIX));
    return rows
      .map((r) => ({
        seq: Number(r.seq),
        runId: String(r.runId),
        buckets: String(r.buckets ?? '')
          .split(',')
          .filter((b) => b.length > 0),
        skipped: r.skipped === true,
      }))
      .sort((a, b) => b.seq - a.seq);
  }

  // -------------------------------------------------------------------------------------------------------------
  // The writer lease: a row of the run bookkeeping partition, only ever changed under its ETag (or created when
  // missing), inside the same transactions as the run records; it is never deleted, so its ETag is its version.

  private readLock(): Promise<Row | undefined> {
    return this.get('runs', RUNS_PK, LOCK_RK);
  }

  /** Another run holds the lease and it has not expired. */
  private heldByOther(lock: Row | undefined, runId: string): boolean {
    const holder = String(lock?.runId ?? '');
    return holder !== '' && holder !== runId && Date.parse(String(lock?.expiresAt)) > this.now().getTime();
  }

  /** Takes or gives back the lease, conditional on the lease as read (`lock`; undefined: it must not exist yet). */
  private lockAction(lock: Row | undefined, runId: string, kind: 'acquire' | 'release'): TransactionAction {
    const now = this.now();
    const entity = {
      partitionKey: RUNS_PK,
      rowKey: LOCK_RK,
      runId: kind === 'acquire' ? runId : '',
      expiresAt: kind === 'acquire' ? new Date(now.getTime() + LOCK_TTL_MS).toISOString() : '',
      lastRunId: runId,
      changedAt: now.toISOString(),
    };
    return lock ? ['update', entity, 'Replace', { etag: lock.etag }] : ['create', entity];
  }

  /** Gives the lease back if this run holds it (after a failure; the completing transaction does it otherwise). */
  private async releaseLease(runId: string): Promise<void> {
    const lock = await this.readLock();
    if (!lock || String(lock.runId) !== runId) return;
    try {
      await this.transact('runs', [this.lockAction(lock, runId, 'release')]);
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
  // -------------------------------------------------------------------------------------------------------------
  // Reading the state

  private latestFilter(bucket: string, onlyCluster?: string): string {
    const pk = `b${bucket}`;
    return onlyCluster ? rangeFilter(pk, `${clusterKey(onlyCluster)}.`) : odata`PartitionKey eq ${pk}`;
  }

  /**
   * Latest, every bucket in parallel (or one cluster's keys), read page by page: `visit` sees each entry (full) as
   * it is read and returns what to keep of it (undefined: nothing). Map RK -> [PK, entry].
   */
  private async readLatest(
    onlyCluster?: string,
    visit: (rk: string, pk: string, entry: Entry) => Entry | undefined = (_rk, _pk, entry) => entry,
  ): Promise<Map<string, { pk: string; entry: Entry }>> {
    const state = new Map<string, { pk: string; entry: Entry }>();
    const buckets = onlyCluster ? [bucketOf(onlyCluster)] : allBuckets();
    await mapLimit(buckets, this.concurrency, async (bucket) => {
      const pk = `b${bucket}`;
      await this.each('latest', this.latestFilter(bucket, onlyCluster), (row) => {
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
  private async readLatestCompact(onlyCluster?: string): Promise<Map<string, { pk: string; entry: Entry }>> {
    const state = new Map<string, { pk: string; entry: Entry }>();
    const buckets = onlyCluster ? [bucketOf(onlyCluster)] : allBuckets();
    const select = ['partitionKey', 'rowKey', 'vn', 'vstatus', 'vseverity', 'vh'];
    await mapLimit(buckets, this.concurrency, async (bucket) => {
      const pk = `b${bucket}`;
      const filter = this.latestFilter(bucket, onlyCluster);
      let unhashed = false;
      await this.each(
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
          if (typeof row.vstatus === 'string') entry.status = row.vstatus as Status;
          if (typeof row.vseverity === 'string') entry.severity = row.vseverity as Severity;
          state.set(row.rowKey, { pk, entry });
        },
        select,
      );
      if (!unhashed) return;
      await this.each('latest', filter, (row) => {
        if (!row.rowKey.endsWith(META_SUFFIX) || state.has(row.rowKey)) return;
        const entry = entryFromEntity(row, 'v');
        if (entry) state.set(row.rowKey, { pk, entry: compactOf(entry, true) });
      });
    });
    return state;
  }

  /** Reads whole the Latest entries of `keys` (compact in `state`) into `state`. */
  private async fillLatest(state: Map<string, { pk: string; entry: Entry }>, keys: string[]): Promise<void> {
    const byPk = new Map<string, string[]>();
    for (const rk of keys) {
      const pk = state.get(rk)!.pk;
      byPk.set(pk, [...(byPk.get(pk) ?? []), rk]);
    }
    await mapLimit([...byPk], this.concurrency, async ([pk, rks]) => {
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
          const row = await this.get('latest', pk, rk);
          if (row) put(row);
        }
      } else {
        await this.each('latest', odata`PartitionKey eq ${pk}`, put);
      }
      // Gone since the compact read: another writer changed the state (its lease makes this attempt fail anyway).
      if (wanted.size > 0) throw new LeaseConflict();
    });
  }

  /**
   * Latest rolled back to the end of change set `stateSeq` (`latest`: Latest as already read; `keep`: what to keep
   * of each entry, as in readLatest).
   */
  private async stateAt(
    stateSeq: number,
    onlyCluster?: string,
    latest?: Map<string, { pk: string; entry: Entry }>,
    keep: (entry: Entry, isMeta: boolean, rk: string) => Entry = (entry) => entry,
  ): Promise<Map<string, { pk: string; entry: Entry }>> {
    // Latest first, the change sets second: their before-images are written before Latest changes.
    const state =
      latest ?? (await this.readLatest(onlyCluster, (rk, _pk, entry) => keep(entry, rk.endsWith(META_SUFFIX), rk)));
    const later = (await this.changesets()).filter((c) => c.seq > stateSeq);
    for (const set of later) {
      if (set.skipped) {
        throw new Error(
          `change set ${set.seq} of run ${set.runId} kept no before-images: state ${stateSeq} cannot be rebuilt`,
        );
      }
      const buckets = onlyCluster ? set.buckets.filter((b) => b === bucketOf(onlyCluster)) : set.buckets;
      const rows: Row[] = [];
      await mapLimit(buckets, this.concurrency, async (bucket) => {
        const pk = `c${pad(set.seq)}-${bucket}`;
        rows.push(
          ...(onlyCluster
            ? await this.range('changes', pk, `${clusterKey(onlyCluster)}.`)
            : await this.partition('changes', pk)),
        );
      });
      for (const row of rows) {
        const before = entryFromEntity(row, 'v');
        const pk = `b${String(row.partitionKey).slice(-2)}`;
        if (before) state.set(row.rowKey, { pk, entry: keep(before, row.rowKey.endsWith(META_SUFFIX), row.rowKey) });
        else state.delete(row.rowKey);
      }
    }
    return state;
  }

  private clustersFromState(state: Map<string, { pk: string; entry: Entry }>): ClusterReport[] {
    const byCluster = new Map<
      string,
      { meta?: Omit<ClusterReport, 'findings'>; findings: (Finding & { pos: number })[] }
    >();
    for (const [rk, { pk, entry }] of state) {
      const { ck, ruleId } = keyInfo(rk, pk);
      const cluster = byCluster.get(ck) ?? { findings: [] };
      if (ruleId === META) cluster.meta = JSON.parse(jsonOf(entry)) as Omit<ClusterReport, 'findings'>;
      else cluster.findings.push(JSON.parse(jsonOf(entry)) as Finding & { pos: number });
      byCluster.set(ck, cluster);
    }
    const clusters: ClusterReport[] = [];
    for (const { meta, findings } of byCluster.values()) {
      if (!meta) continue;
      findings.sort((a, b) => a.pos - b.pos);
      clusters.push({
        ...meta,
        findings: findings.map(({ pos: _pos, ...finding }) => finding),
      });
    }
    return clusters.sort(byId);
  }

  /** The report of a run as it returned it; undefined for an unknown run; RunNotReadyError while it has none. */
  async getRunReport(runId: string): Promise<ScanReport | undefined> {
    await this.prepare();
    return this.runReport(runId, false);
  }

  /**
   * A run's report thinned to what the alerts compare: each finding's rule, status and severity (with its title for
   * fail and exempt), each cluster's metadata; messages, remediation and details empty. Read page by page, so the
   * whole report is never in memory. Undefined for an unknown run; RunNotReadyError while it has none.
   */
  async getRunBaseline(runId: string): Promise<ScanReport | undefined> {
    await this.prepare();
    return this.runReport(runId, true);
  }

  /**
   * The alert baseline: the latest complete fleet-wide run's report, thin as getRunBaseline's (undefined when there
   * is none), and from the same read of Latest a snapshot for recordRun's change detection (it spares recordRun its
   * own read of Latest while no other run has recorded since).
   */
  async getLatestBaseline(): Promise<LatestBaseline> {
    await this.prepare();
    // The lease first: any run recording after it changes its ETag, which tells recordRun the snapshot is stale.
    const lock = await this.readLock();
    const pointer = await this.pointer('latestCompleted');
    const entity = pointer ? await this.runEntity(pointer.runId) : undefined;
    const compact = new Map<string, { pk: string; entry: Entry }>();
    const thin = await this.readLatest(undefined, (rk, pk, entry) => {
      const isMeta = rk.endsWith(META_SUFFIX);
      compact.set(rk, { pk, entry: compactOf(entry, isMeta) });
      return entity ? thinOf(entry, isMeta, rk) : undefined;
    });
    const snapshot = new LatestSnapshot(lock?.etag, compact);
    if (!pointer || !entity) return { report: undefined, snapshot };
    return { report: await this.runReport(pointer.runId, true, { entity, latest: thin }), snapshot };
  }

  private async runReport(
    runId: string,
    thin: boolean,
    read?: { entity: Row; latest: Map<string, { pk: string; entry: Entry }> },
  ): Promise<ScanReport | undefined> {
    const entity = read?.entity ?? (await this.runEntity(runId));
    if (!entity) return undefined;
    const keep = thin ? thinOf : (entry: Entry): Entry => entry;
    const run = this.runFromEntity(entity);
    if (run.stateSeq === undefined || (run.status !== 'completed' && run.status !== 'partial')) {
      throw new RunNotReadyError(runId, run.status);
    }
    const runScope = run.scope;
    const state = await this.stateAt(run.stateSeq, undefined, read?.latest, keep);
    const viewBuckets = String(entity.viewBuckets ?? '')
      .split(',')
      .filter((b) => b.length > 0);
    if (viewBuckets.length > 0) {
      const rows: Row[] = [];
      await mapLimit(viewBuckets, this.concurrency, async (bucket) => {
        rows.push(...(await this.partition('changes', `v-${runKey(runId)}-${bucket}`)));
      });
      for (const row of rows) {
        const view = entryFromEntity(row, 'v');
        const pk = `b${String(row.partitionKey).slice(-2)}`;
        if (view) state.set(row.rowKey, { pk, entry: keep(view, row.rowKey.endsWith(META_SUFFIX), row.rowKey) });
        else state.delete(row.rowKey);
      }
    }
    const report: ScanReport = {
      schemaVersion: 1,
      runId: run.runId,
      asOf: String(entity.asOf),
      startedAt: String(entity.reportStartedAt ?? run.startedAt),
      finishedAt: String(entity.reportFinishedAt ?? run.finishedAt),
      scope: JSON.parse(
        getChunks(entity, 'reportScope') ?? '{"subscriptions":[],"managementGroups":[]}',
      ) as ScanReport['scope'],
      complete: run.complete ?? false,
      summary: run.summary ?? {
        clusters: 0,
        status: {} as ScanReport['summary']['status'],
        failBySeverity: {} as ScanReport['summary']['failBySeverity'],
      },
      clusters: this.clustersFromState(state),
    };
    const covered = JSON.parse(getChunks(entity, 'covered') ?? 'null') as unknown;
    const inScope = scopeFilter(report.scope, runScope.clusterId, Array.isArray(covered) ? covered : undefined);
    report.clusters = report.clusters.filter((c) => inScope(normaliseId(c.id)));
    const order = getChunks(entity, 'order');
    if (order !== undefined) {
      const positions = JSON.parse(order) as number[];
      const sorted = report.clusters;
      if (Array.isArray(positions) && positions.length === sorted.length) {
        report.clusters = positions.map((k) => sorted[k]);
      }
    }
    const problems = getChunks(entity, 'problems');
    if (problems !== undefined) report.problems = JSON.parse(problems) as ScanProblem[];
    return report;
  }

  /**
   * The report of the latest finished run (completed or partial), or with `completeOnly` of the latest complete
   * run; undefined when there is none.
   */
  async getLatestReport(options: { completeOnly?: boolean } = {}): Promise<ScanReport | undefined> {
    await this.prepare();
    const pointer = await this.pointer(options.completeOnly ? 'latestCompleted' : 'latestFinished');
    return pointer ? this.getRunReport(pointer.runId) : undefined;
  }

  /** One cluster's latest known findings and its status history; undefined when the store never saw it. */
  async getClusterHistory(clusterId: string): Promise<ClusterHistory | undefined> {
    await this.prepare();
    const pointer = await this.pointer('latestState');
    const ck = clusterKey(clusterId);
    const historyRows = await this.range('history', `b${bucketOf(clusterId)}`, `${ck}.`);
    const state = pointer ? await this.stateAt(pointer.stateSeq, clusterId) : new Map();
    const [cluster] = this.clustersFromState(state);
    if (!cluster) return undefined;
    const history = historyRows
      .map((row) => ({
        runId: String(row.runId),
        seq: Number(row.seq),
        recordedAt: String(row.recordedAt),
        transitions: JSON.parse(getChunks(row, 't') ?? '[]') as StatusTransition[],
      }))
      .filter((h) => !pointer || h.seq <= pointer.stateSeq)
      .sort((a, b) => a.seq - b.seq);
    return { cluster, runId: pointer?.runId ?? null, history };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Recording a run

  /**
   * Records a run's report: its changes (before-images first), history, the latest state, then in one transaction
   * the run record as completed/partial, the pointers and the lease given back. Waits (up to leaseWaitMs) while
   * another run records itself. Throws on any storage failure (the run stays running; a retry continues).
   */
  async recordRun(report: ScanReport, options: RecordRunOptions): Promise<RecordRunResult> {
    await this.prepare();
    const runId = report.runId;
    const deadline = Date.now() + this.leaseWaitMs;
    for (;;) {
      // The lease as read before the state: whatever this run writes is conditional on it being unchanged.
      const lock = await this.readLock();
      let busy: string;
      if (this.heldByOther(lock, runId)) {
        busy = `run ${String(lock!.runId)} is writing to the store until ${String(lock!.expiresAt)}`;
      } else {
        try {
          return await this.recordAttempt(report, options, lock);
        } catch (error) {
          if (!(error instanceof LeaseConflict)) throw error;
          busy = 'another run took the writer lease at the same time';
        }
      }
      // Recording takes seconds, scans minutes: wait for the other run rather than interleave with it.
      if (Date.now() >= deadline) throw new StoreBusyError(busy);
      await new Promise((resolve) => setTimeout(resolve, 250 + Math.floor(Math.random() * 750)));
    }
  }

  /**
   * One attempt at recording a run, `lock` being the lease as read before anything else. A run that changes nothing
   * but its own records writes one transaction, conditional on the lease's ETag: a run that took the lease since makes
   * it fail (LeaseConflict) before anything was written, and the attempt is made again on the new state. A run with
   * more to write takes the lease first (one transaction with its change set registration and its run marker).
   */
  private async recordAttempt(
    report: ScanReport,
    options: RecordRunOptions,
    lock: Row | undefined,
  ): Promise<RecordRunResult> {
    const runId = report.runId;
    const rkey = runKey(runId);
    const found = await this.runEntity(runId);
    const previousStatus = found?.status as RunStatus | undefined;
    // A new run, or a failed one starting again, is recorded as running by the first transaction this run writes.
    const { entity: existing, index } =
      !found || found.status === 'failed'
        ? this.runningEntity(
            {
              runId,
              trigger: options.trigger,
              scope: { ...report.scope, ...(options.clusterId ? { clusterId: options.clusterId } : {}) },
              startedAt: new Date(report.startedAt),
            },
            found,
          )
        : { entity: withoutMeta(found), index: undefined };
    // The baseline's snapshot while no run recorded since it was read (the lease's ETag is as it was then); a
    // one-cluster run otherwise only needs that cluster's rows.
    const snapshot = options.snapshot;
    const latest =
      snapshot && snapshot.lockEtag === lock?.etag ? snapshot.state : await this.readLatestCompact(options.clusterId);
    const sets = await this.changesets();
    const maxSeq = sets[0]?.seq ?? 0;
    const finished = await this.pointer('latestState');
    const ownSeq = typeof existing.ownSeq === 'number' ? existing.ownSeq : undefined;
    // Continue an interrupted attempt of this run only when nothing was recorded after it.
    const interrupted =
      previousStatus !== 'completed' &&
      previousStatus !== 'partial' &&
      ownSeq !== undefined &&
      ownSeq === maxSeq &&
      !(finished && finished.runId !== runId && finished.stateSeq >= ownSeq);
    const seq = interrupted ? ownSeq : maxSeq + 1;
    const ownSet = interrupted ? sets.find((s) => s.seq === seq) : undefined;
    // With no finished run in the store there is no earlier state to roll back to: skip the before-images.
    const skipBefore = interrupted ? ownSet?.skipped === true : !finished && maxSeq === 0;

    // Before-images an interrupted attempt already wrote (they describe the state before this run).
    const priorBefore = new Map<string, { pk: string; entry: Entry | undefined }>();
    if (interrupted && ownSet && !ownSet.skipped) {
      await mapLimit(ownSet.buckets, this.concurrency, async (bucket) => {
        for (const row of await this.partition('changes', `c${pad(seq)}-${bucket}`)) {
          priorBefore.set(row.rowKey, { pk: `b${bucket}`, entry: entryFromEntity(row, 'v') });
        }
      });
    }
    // View entities an earlier attempt of this run wrote.
    const priorViews = new Set<string>();
    const oldViewBuckets = String(existing.viewBuckets ?? '')
      .split(',')
      .filter((b) => b.length > 0);
    const priorViewPk = new Map<string, string>();
    await mapLimit(oldViewBuckets, this.concurrency, async (bucket) => {
      for (const row of await this.partition('changes', `v-${rkey}-${bucket}`)) {
        priorViews.add(row.rowKey);
        priorViewPk.set(row.rowKey, `b${bucket}`);
      }
    });

    // What this run reported, keyed like Latest: indexed per cluster, a key's entry made when asked for (a fleet's
    // keys and entries are not held twice). The metadata's JSON is small and compared; a finding's JSON is only
    // built where it is written.
    const reportedClusters = new Map<
      string,
      { pk: string; findings: Finding[]; meta: Entry; rules: Map<string, number> }
    >();
    for (const cluster of report.clusters) {
      const { findings, ...meta } = cluster;
      reportedClusters.set(clusterKey(cluster.id), {
        pk: `b${bucketOf(cluster.id)}`,
        findings,
        meta: { json: boundedJson(meta) },
        rules: new Map(findings.map((finding, pos) => [ruleKey(finding.ruleId), pos])),
      });
    }
    const reportedAt = (rk: string): { pk: string; entry: Entry } | undefined => {
      const dot = rk.indexOf('.');
      const cluster = reportedClusters.get(rk.slice(0, dot));
      if (!cluster) return undefined;
      const rule = rk.slice(dot + 1);
      if (rule === META) return { pk: cluster.pk, entry: cluster.meta };
      const pos = cluster.rules.get(rule);
      if (pos === undefined) return undefined;
      const finding = cluster.findings[pos];
      return {
        pk: cluster.pk,
        entry: { status: finding.status, severity: finding.severity, build: () => findingJson(finding, pos) },
      };
    };
    // Every key once: Latest's (in its order), then the reported ones new to it, then an earlier attempt's.
    function* allKeys(): Generator<string> {
      yield* latest.keys();
      for (const [ck, cluster] of reportedClusters) {
        for (const rule of [META, ...cluster.rules.keys()]) {
          const rk = `${ck}.${rule}`;
          if (!latest.has(rk)) yield rk;
        }
      }
      for (const rk of priorBefore.keys()) if (!latest.has(rk) && !reportedAt(rk)) yield rk;
      for (const rk of priorViews) if (!latest.has(rk) && !reportedAt(rk) && !priorBefore.has(rk)) yield rk;
    }
    const changeActions: Action[] = [];
    const staleChanges: Action[] = [];
    const latestActions: Action[] = [];
    const viewActions: Action[] = [];
    const transitions = new Map<string, { pk: string; list: StatusTransition[] }>();
    const changeBuckets = new Set<string>(ownSet?.buckets ?? []);
    const viewBuckets = new Set<string>();
    let changedKeys = 0;

    const covered = coveredSubscriptions(report, options);
    const inScope = scopeFilter(report.scope, options.clusterId, covered);
    const decide = (rk: string) => {
      const mine = reportedAt(rk);
      const pk = mine?.pk ?? latest.get(rk)?.pk ?? priorBefore.get(rk)?.pk ?? priorViewPk.get(rk)!;
      const { ck, ruleId } = keyInfo(rk, pk);
      // Clusters outside a narrowed run's scope are neither read nor judged by it.
      if (!mine && !priorBefore.has(rk) && !priorViews.has(rk) && !inScope(clusterIdOfKey(ck))) {
        return undefined;
      }
      const isMeta = ruleId === META;
      const current = latest.get(rk)?.entry;
      const before = skipBefore ? undefined : priorBefore.has(rk) ? priorBefore.get(rk)!.entry : current;
      const fresh = mine?.entry;
      let state: Entry | undefined;
      if (report.complete) state = fresh;
      else if (!reportedClusters.has(ck)) state = before;
      else if (!isMeta && before?.status === 'fail' && fresh?.status !== 'fail') state = before;
      else state = fresh ?? before;
      return { pk, bucket: pk.slice(1), ck, ruleId, isMeta, current, before, fresh, state };
    };
    // Latest was read compact: the entries whose before-image is written (or whose metadata is compared in the
    // history) are read whole, and only those.
    const wanted: string[] = [];
    for (const rk of allKeys()) {
      const d = decide(rk);
      if (d && isCompact(d.before) && !sameEntry(d.state, d.before, d.isMeta)) wanted.push(rk);
    }
    if (wanted.length > 0) await this.fillLatest(latest, wanted);
    for (const rk of allKeys()) {
      const d = decide(rk);
      if (!d) continue;
      const { pk, bucket, ck, ruleId, isMeta, current, before, fresh, state } = d;
      const changed = !sameEntry(state, before, isMeta);
      if (changed) {
        changedKeys += 1;
        if (!skipBefore) {
          changeBuckets.add(bucket);
          const changePk = `c${pad(seq)}-${bucket}`;
          changeActions.push({
            kind: 'upsert',
            pk: changePk,
            entity: () => ({ partitionKey: changePk, rowKey: rk, ...entryProps(before, 'v') }),
          });
        }
        const t = transitions.get(ck) ?? { pk, list: [] };
        t.list.push(transition(ruleId, before, state));
        transitions.set(ck, t);
      } else if (priorBefore.has(rk)) {
        staleChanges.push({ kind: 'delete', pk: `c${pad(seq)}-${bucket}`, rk });
      }
      if (!sameEntry(state, current, isMeta)) {
        latestActions.push(
          state
            ? {
                kind: 'upsert',
                pk,
                entity: () => ({
                  partitionKey: pk,
                  rowKey: rk,
                  ...entryProps(state, 'v'),
                  ...(isMeta ? { vh: hashOf(state) } : {}),
                  seq,
                  runId,
                }),
              }
            : { kind: 'delete', pk, rk },
        );
      }
      if (!sameEntry(fresh, state, isMeta)) {
        viewBuckets.add(bucket);
        const viewPk = `v-${rkey}-${bucket}`;
        viewActions.push({
          kind: 'upsert',
          pk: viewPk,
          entity: () => ({ partitionKey: viewPk, rowKey: rk, ...entryProps(fresh, 'v') }),
        });
      } else if (priorViews.has(rk)) {
        viewActions.push({ kind: 'delete', pk: `v-${rkey}-${bucket}`, rk });
      }
    }

    const writesState = changedKeys > 0 || latestActions.length > 0 || interrupted;
    const stateSeq = writesState ? seq : maxSeq;
    const recordedAt = this.now().toISOString();

    // History: one entity per changed cluster; an earlier attempt's entities without transitions now go away.
    const historyActions: Action[] = [];
    for (const [ck, { pk, list }] of transitions) {
      historyActions.push({
        kind: 'upsert',
        pk,
        entity: () => {
          const entity: Record<string, unknown> = {
            partitionKey: pk,
            rowKey: `${ck}.${pad(seq)}`,
            runId,
            seq,
            recordedAt,
          };
          putChunks(entity, 't', boundedJson(list));
          return entity as TableEntity<Record<string, unknown>>;
        },
      });
    }
    const staleHistory: { pk: string; rk: string }[] = [];
    if (interrupted) {
      const hadHistory = new Set([...priorBefore.entries()].map(([rk, v]) => `${v.pk}|${keyInfo(rk, v.pk).ck}`));
      for (const item of hadHistory) {
        const [pk, ck] = item.split('|');
        if (!transitions.has(ck)) staleHistory.push({ pk, rk: `${ck}.${pad(seq)}` });
      }
    }
    // 1. the lease, the change set's registration and the run's position (one transaction), 2. before-images,
    // 3. history and views, 4. Latest, 5. clean-ups, 6. the run record, the pointers (moved last) and the lease
    // given back (one transaction). A run with nothing but its records to write skips 1-5.
    const needsLease = writesState || viewActions.length > 0;
    let held = lock;
    if (needsLease) {
      const marker: Record<string, unknown> = {
        ...existing,
        viewBuckets: [...new Set([...oldViewBuckets, ...viewBuckets])].sort().join(','),
      };
      if (writesState) marker.ownSeq = seq;
      const first: TransactionAction[] = [
        this.lockAction(lock, runId, 'acquire'),
        upsertAction(marker as TableEntity<Record<string, unknown>>),
      ];
      if (writesState) {
        first.push(
          upsertAction({
            partitionKey: RUNS_PK,
            rowKey: `${CHANGESET_PREFIX}${invertedSeq(seq)}`,
            seq,
            runId,
            buckets: [...changeBuckets].sort().join(','),
            skipped: skipBefore,
          }),
        );
      }
      if (index) first.push(upsertAction(index));
      try {
        await this.transact('runs', first);
      } catch (error) {
        if (isConflict(error)) throw new LeaseConflict();
        throw error;
      }
      try {
        held = await this.readLock();
        await this.write('changes', changeActions);
        await this.write('history', historyActions);
        await this.write('changes', viewActions);
        await this.write('latest', latestActions);
        await this.write('changes', staleChanges);
        for (const { pk, rk } of staleHistory) {
          try {
            await this.tables.history.deleteEntity(pk, rk);
            this.count('history', 1);
          } catch (error) {
            if (!isNotFound(error)) throw error;
          }
        }
      } catch (error) {
        await this.releaseLease(runId).catch(() => undefined);
        throw error;
      }
    }
    const finishedAt = this.now();
    const status = statusOfReport(report);
    const run: Record<string, unknown> = {
      ...existing,
      status,
      trigger: existing.trigger ?? options.trigger,
      asOf: report.asOf,
      reportStartedAt: report.startedAt,
      reportFinishedAt: report.finishedAt,
      finishedAt: finishedAt.toISOString(),
      complete: report.complete,
      durationMs: Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt)),
      stateSeq,
      error: '',
      viewBuckets: [...viewBuckets].sort().join(','),
    };
    if (writesState) run.ownSeq = seq;
    else delete run.ownSeq;
    delete run.etag;
    delete run.timestamp;
    putChunks(run, 'summary', JSON.stringify(report.summary));
    putChunks(run, 'reportScope', JSON.stringify(report.scope));
    putChunks(run, 'covered', covered && boundedJson(covered));
    const order = clusterOrder(report.clusters);
    putChunks(run, 'order', order && boundedJson(order));
    putChunks(run, 'problems', report.problems === undefined ? undefined : boundedJson(report.problems));
    const writes = {
      latest: latestActions.length,
      changes: changeActions.length,
      history: historyActions.length,
      views: viewActions.length,
    };
    putChunks(run, 'writes', JSON.stringify(writes));
    const final: TransactionAction[] = [upsertAction(run as TableEntity<Record<string, unknown>>)];
    if (index && !needsLease) final.push(upsertAction(index));
    const pointer = (name: string): TransactionAction =>
      upsertAction({ partitionKey: RUNS_PK, rowKey: `${POINTER_PREFIX}${name}`, runId, stateSeq });
    final.push(pointer('latestState'));
    if (!options.narrowed) {
      final.push(pointer('latestFinished'));
      if (report.complete) final.push(pointer('latestCompleted'));
    }
    final.push(this.lockAction(held, runId, 'release'));
    try {
      await this.transact('runs', final);
    } catch (error) {
      if (isConflict(error) && !needsLease) throw new LeaseConflict();
      if (needsLease) await this.releaseLease(runId).catch(() => undefined);
      if (isConflict(error)) {
        throw new StoreBusyError(`run ${runId} lost the writer lease while recording (it expired); run it again`);
      }
      throw error;
    }
    return { run: this.runFromEntity(run), changedKeys, changedClusters: transitions.size };
  }
  // -------------------------------------------------------------------------------------------------------------
  // Exemptions

  async listExemptions(): Promise<Exemption[]> {
    await this.prepare();
    const rows = await this.partition('exemptions', 'exemption');
    return rows.map(exemptionFromEntity);
  }

  async getExemption(id: string): Promise<Exemption | undefined> {
    await this.prepare();
    const row = await this.get('exemptions', 'exemption', runKey(id));
    return row ? exemptionFromEntity(row) : undefined;
  }

  /** Stores a validated exemption (validate with validateExemption first). */
  async putExemption(exemption: Exemption): Promise<void> {
    await this.prepare();
    await this.upsert('exemptions', { partitionKey: 'exemption', rowKey: runKey(exemption.id), ...exemption });
  }

  /** Deletes an exemption; false when there was none with that ID. */
  async deleteExemption(id: string): Promise<boolean> {
    await this.prepare();
    try {
      await this.tables.exemptions.deleteEntity('exemption', runKey(id));
      this.count('exemptions', 1);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}

function exemptionFromEntity(row: Record<string, unknown>): Exemption {
  return {
    id: String(row.id),
    ruleId: String(row.ruleId),
    scope: String(row.scope),
    justification: String(row.justification),
    expiresOn: String(row.expiresOn),
    author: String(row.author),
    createdAt: String(row.createdAt),
  };
}

/** The cluster ID (normalised) a cluster key encodes. */
function clusterIdOfKey(ck: string): string {
  return Buffer.from(ck, 'base64url').toString('utf8');
}

/**
 * The subscriptions a run narrowed to management groups speaks for (lower case, sorted): those its inventory found
 * under them and those of the clusters it reported. Undefined for any other run.
 */
function coveredSubscriptions(report: ScanReport, options: RecordRunOptions): string[] | undefined {
  const byGroups =
    options.narrowed === true &&
    options.clusterId === undefined &&
    (report.scope.subscriptions ?? []).length === 0 &&
    (report.scope.managementGroups ?? []).length > 0;
  if (!byGroups) return undefined;
  const list = [...(options.coveredSubscriptions ?? []), ...report.clusters.map((c) => c.subscriptionId)];
  return [...new Set(list.map((sub) => sub.trim().toLowerCase()))].sort();
}

/**
 * Which clusters a run speaks for: one cluster, its subscriptions, the subscriptions a narrowed management-group
 * scope covered, or (tenant or configured management group scope) all. Takes normalised IDs.
 */
function scopeFilter(
  scope: { subscriptions?: string[]; managementGroups?: string[] },
  clusterId?: string,
  covered?: string[],
): (normalisedClusterId: string) => boolean {
  if (clusterId) {
    const only = normaliseId(clusterId);
    return (id) => id === only;
  }
  let subscriptions = new Set((scope.subscriptions ?? []).map((sub) => sub.trim().toLowerCase()));
  if (subscriptions.size === 0 && covered !== undefined) subscriptions = new Set(covered);
  else if (subscriptions.size === 0) return () => true;
  return (id) => subscriptions.has(/^\/subscriptions\/([^/]+)\//.exec(id)?.[1] ?? '');
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The report's cluster order as positions in ID order, or undefined when the report is in ID order (Resource Graph
 * returns `order by id asc`, so usually nothing needs storing).
 */
function clusterOrder(clusters: ClusterReport[]): number[] | undefined {
  const sorted = clusters.map((c, i) => ({ id: c.id, i })).sort(byId);
  if (sorted.every((c, k) => c.i === k)) return undefined;
  const order = new Array<number>(clusters.length);
  sorted.forEach((c, k) => (order[c.i] = k));
  return order;
}

function allBuckets(): string[] {
  return Array.from({ length: BUCKETS }, (_, i) => String(i).padStart(2, '0'));
}

function transition(ruleId: string, before: Entry | undefined, after: Entry | undefined): StatusTransition {
  if (ruleId === META) {
    const version = (e: Entry | undefined): string | null =>
      e ? ((JSON.parse(jsonOf(e)) as { kubernetesVersion?: string | null }).kubernetesVersion ?? null) : null;
    return {
      ruleId: 'cluster',
      from: before ? 'present' : 'absent',
      to: after ? 'present' : 'absent',
      kubernetesVersion: { from: version(before), to: version(after) },
    };
  }
  return {
    ruleId: ruleId.startsWith('~') ? Buffer.from(ruleId.slice(1), 'base64url').toString('utf8') : ruleId,
    from: before?.status ?? 'absent',
    to: after?.status ?? 'absent',
    ...(before?.severity ? { fromSeverity: before.severity } : {}),
    ...(after?.severity ? { toSeverity: after.severity } : {}),
  };
}

/** A hash for callers that need a short stable key of a long ID. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}
