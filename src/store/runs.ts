// The runs ledger: every run's record, the listing index, the change set registry and the pointers, all in ONE
// partition of the Runs table (PK `runs`) so that they change together in entity-group transactions.
import type { TransactionAction } from '@azure/data-tables';
import type { ScanProblem, ScanReport } from '../model';
import { getChunks, putChunks } from './codec';
import {
  CHANGESET_PREFIX,
  INDEX_PREFIX,
  POINTER_PREFIX,
  RUNS_PK,
  invertedSeq,
  pad,
  rangeFilter,
  runKey,
  runRow,
} from './keys';
import type { WriterLease } from './lease';
import { isConflict, upsertAction, withoutMeta, type Entity, type Row, type StoreTables } from './tables';

export type RunStatus = 'running' | 'completed' | 'partial' | 'failed';
export type RunTrigger = 'timer' | 'http' | 'cli';

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

export type PointerName = 'latestFinished' | 'latestCompleted' | 'latestState';

export interface ChangeSetEntry {
  seq: number;
  runId: string;
  buckets: string[];
  /** The change set kept no before-images (the store's first run): no state before it can be rebuilt. */
  skipped: boolean;
}

export function runScope(scope: Partial<RunRecord['scope']> | undefined): RunRecord['scope'] {
  return {
    subscriptions: scope?.subscriptions ?? [],
    managementGroups: scope?.managementGroups ?? [],
    ...(scope?.clusterId ? { clusterId: scope.clusterId } : {}),
  };
}

export function runFromEntity(entity: Record<string, unknown>): RunRecord {
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

/**
 * A pointer row, written in a run's completing transaction. `latestCompleted` also carries the subscriptions the
 * run read (packed: see packSubscriptions), what the next fleet-wide run is expected to read again.
 */
export function pointerAction(
  name: PointerName,
  runId: string,
  stateSeq: number,
  subscriptionsRead?: readonly string[],
): TransactionAction {
  const entity: Record<string, unknown> = {
    partitionKey: RUNS_PK,
    rowKey: `${POINTER_PREFIX}${name}`,
    runId,
    stateSeq,
  };
  if (subscriptionsRead !== undefined) putChunks(entity, 'subs', packSubscriptions(subscriptionsRead));
  return upsertAction(entity as Entity);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Subscription IDs (GUIDs) as 22 base64url characters each, so the 10,000 a scope covers at most stay well inside
 * one entity (1 MiB): 220,000 characters instead of 370,000. Anything that is not a GUID is kept as it is, after a
 * `!`. Comma-separated.
 */
export function packSubscriptions(subscriptions: readonly string[]): string {
  return subscriptions
    .map((s) => s.trim().toLowerCase())
    .map((s) => (GUID.test(s) ? Buffer.from(s.replace(/-/g, ''), 'hex').toString('base64url') : `!${s}`))
    .join(',');
}

export function unpackSubscriptions(packed: string): string[] {
  if (packed === '') return [];
  return packed.split(',').map((p) => {
    if (p.startsWith('!')) return p.slice(1);
    const hex = Buffer.from(p, 'base64url').toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  });
}

/** A change set's registration, written with the lease taken before any state is. */
export function changeSetAction(set: ChangeSetEntry): TransactionAction {
  return upsertAction({
    partitionKey: RUNS_PK,
    rowKey: `${CHANGESET_PREFIX}${invertedSeq(set.seq)}`,
    seq: set.seq,
    runId: set.runId,
    buckets: [...set.buckets].sort().join(','),
    skipped: set.skipped,
  });
}

export class RunsLedger {
  constructor(
    private readonly tables: StoreTables,
    private readonly lease: WriterLease,
    private readonly now: () => Date,
  ) {}

  entity(runId: string): Promise<Row | undefined> {
    return this.tables.get('runs', RUNS_PK, runRow(runId));
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const entity = await this.entity(runId);
    return entity ? runFromEntity(entity) : undefined;
  }

  /** Runs, newest first. */
  async list(limit: number): Promise<RunRecord[]> {
    const keys: string[] = [];
    await this.tables.eachUntil(
      'runs',
      rangeFilter(RUNS_PK, INDEX_PREFIX),
      Math.min(Math.max(limit, 1), 1000),
      (row) => {
        if (keys.length < limit) keys.push(String(row.runId));
        return keys.length < limit;
      },
    );
    const runs = await Promise.all(keys.map((id) => this.get(id)));
    return runs.filter((r): r is RunRecord => r !== undefined);
  }

  /**
   * A run's record as running: a new run (with its index entry, to be written in the same transaction) or a failed
   * run starting again (its start time, index entry and change set kept).
   */
  runningEntity(
    input: { runId: string; trigger: RunTrigger; scope?: Partial<RunRecord['scope']>; startedAt?: Date },
    existing: Row | undefined,
  ): { entity: Entity; index?: Entity } {
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
      entity: entity as Entity,
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
  async markStarted(input: {
    runId: string;
    trigger: RunTrigger;
    scope?: Partial<RunRecord['scope']>;
    startedAt?: Date;
  }): Promise<RunRecord> {
    const existing = await this.entity(input.runId);
    if (existing && (existing.status === 'completed' || existing.status === 'partial')) {
      return runFromEntity(existing);
    }
    if (
      existing?.status === 'running' &&
      existing.trigger === input.trigger &&
      getChunks(existing, 'scope') === JSON.stringify(runScope(input.scope))
    ) {
      return runFromEntity(existing);
    }
    const { entity, index } = this.runningEntity(input, existing);
    await this.tables.transact('runs', [['upsert', entity, 'Replace'], ...(index ? [upsertAction(index)] : [])]);
    return runFromEntity(entity);
  }

  /** One transaction: the run record as failed (with its index entry if it had none) and the run's lease released. */
  async markFailed(runId: string, error: string, trigger: RunTrigger): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const existing = await this.entity(runId);
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
      const lock = await this.lease.read();
      if (lock && String(lock.runId) === runId) actions.push(this.lease.action(lock, runId, 'release'));
      try {
        await this.tables.transact('runs', actions);
        return;
      } catch (failure) {
        // The lease changed hands since it was read: read it again.
        if (!isConflict(failure) || attempt >= 3) throw failure;
      }
    }
  }

  async pointer(name: PointerName): Promise<{ runId: string; stateSeq: number } | undefined> {
    const entity = await this.tables.get('runs', RUNS_PK, `${POINTER_PREFIX}${name}`);
    return entity ? { runId: String(entity.runId), stateSeq: Number(entity.stateSeq) } : undefined;
  }

  /** The problems a run recorded (what it could not read); undefined for an unknown run or one without any. */
  async problems(runId: string): Promise<ScanProblem[] | undefined> {
    const entity = await this.entity(runId);
    const text = entity ? getChunks(entity, 'problems') : undefined;
    if (text === undefined) return undefined;
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? (value as ScanProblem[]) : undefined;
  }

  /** The subscriptions the latest complete fleet-wide run read; undefined when it recorded none (or there is none). */
  async subscriptionsOfLatestComplete(): Promise<string[] | undefined> {
    const entity = await this.tables.get('runs', RUNS_PK, `${POINTER_PREFIX}latestCompleted`);
    const packed = entity ? getChunks(entity, 'subs') : undefined;
    return packed === undefined ? undefined : unpackSubscriptions(packed);
  }

  /** The change set registry, newest first. */
  async changesets(): Promise<ChangeSetEntry[]> {
    const rows = await this.tables.query('runs', rangeFilter(RUNS_PK, CHANGESET_PREFIX));
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
}
