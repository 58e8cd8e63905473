// Recording a run: its change set's before-images first, then history and views, then Latest, and last one
// transaction in Runs with the run record completed/partial, the pointers and the writer lease given back.
import type { TransactionAction } from '@azure/data-tables';
import type { ScanReport } from '../model';
import { ChangeSetPlan } from './changeSet';
import { boundedJson, entryFromEntity, putChunks, type Entry } from './codec';
import { historyAction, historyRow } from './history';
import { bucketPk, changePk, keyInfo, viewPk } from './keys';
import type { LatestSnapshot, LatestState } from './latest';
import { LeaseConflict, StoreBusyError, type WriterLease } from './lease';
import {
  changeSetAction,
  pointerAction,
  runFromEntity,
  type RunRecord,
  type RunStatus,
  type RunTrigger,
  type RunsLedger,
} from './runs';
import { boundedProblems } from './problems';
import { subscriptionReadFilter } from './resolution';
import { clusterOrder, coveredSubscriptions, scopeFilter } from './scope';
import {
  isConflict,
  mapLimit,
  upsertAction,
  withoutMeta,
  type Action,
  type Entity,
  type Row,
  type StoreTables,
} from './tables';

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
  /**
   * The subscriptions the run read completely (lower case): only their clusters' fails can be resolved by the run,
   * and only their clusters can be gone (see resolveEntry). Undefined: all when the report is complete, else none.
   */
  subscriptionsRead?: string[];
}

export interface RecordRunResult {
  run: RunRecord;
  /** Keys (findings and cluster metadata) whose state changed. */
  changedKeys: number;
  changedClusters: number;
}

function statusOfReport(report: ScanReport): RunStatus {
  return report.complete ? 'completed' : 'partial';
}

function bucketList(value: unknown): string[] {
  return String(value ?? '')
    .split(',')
    .filter((b) => b.length > 0);
}

export class RunRecorder {
  constructor(
    private readonly tables: StoreTables,
    private readonly ledger: RunsLedger,
    private readonly lease: WriterLease,
    private readonly latest: LatestState,
    private readonly now: () => Date,
    private readonly leaseWaitMs: number,
  ) {}

  /**
   * Records a run's report. Waits (up to leaseWaitMs) while another run records itself. Throws on any storage
   * failure (the run stays running; a retry continues).
   */
  async record(report: ScanReport, options: RecordRunOptions): Promise<RecordRunResult> {
    const runId = report.runId;
    const deadline = Date.now() + this.leaseWaitMs;
    for (;;) {
      // The lease as read before the state: whatever this run writes is conditional on it being unchanged.
      const lock = await this.lease.read();
      let busy: string;
      if (this.lease.heldByOther(lock, runId)) {
        busy = `run ${String(lock!.runId)} is writing to the store until ${String(lock!.expiresAt)}`;
      } else {
        try {
          return await this.attempt(report, options, lock);
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
  private async attempt(
    report: ScanReport,
    options: RecordRunOptions,
    lock: Row | undefined,
  ): Promise<RecordRunResult> {
    const runId = report.runId;
    const found = await this.ledger.entity(runId);
    const previousStatus = found?.status as RunStatus | undefined;
    // A new run, or a failed one starting again, is recorded as running by the first transaction this run writes.
    const { entity: existing, index } =
      !found || found.status === 'failed'
        ? this.ledger.runningEntity(
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
      snapshot && snapshot.lockEtag === lock?.etag ? snapshot.state : await this.latest.readCompact(options.clusterId);
    const sets = await this.ledger.changesets();
    const maxSeq = sets[0]?.seq ?? 0;
    const finished = await this.ledger.pointer('latestState');
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
      await mapLimit(ownSet.buckets, this.tables.concurrency, async (bucket) => {
        for (const row of await this.tables.partition('changes', changePk(seq, bucket))) {
          priorBefore.set(row.rowKey, { pk: bucketPk(bucket), entry: entryFromEntity(row, 'v') });
        }
      });
    }
    // View entities an earlier attempt of this run wrote.
    const priorViews = new Map<string, string>();
    const oldViewBuckets = bucketList(existing.viewBuckets);
    await mapLimit(oldViewBuckets, this.tables.concurrency, async (bucket) => {
      for (const row of await this.tables.partition('changes', viewPk(runId, bucket))) {
        priorViews.set(row.rowKey, bucketPk(bucket));
      }
    });

    const covered = coveredSubscriptions(report, options);
    const plan = new ChangeSetPlan({
      report,
      runId,
      latest,
      seq,
      skipBefore,
      priorBefore,
      priorViews,
      inScope: scopeFilter(report.scope, options.clusterId, covered),
      readCompletely: subscriptionReadFilter(report.complete, options.subscriptionsRead),
    });
    const wanted = plan.keysToFill();
    if (wanted.length > 0) await this.latest.fill(latest, wanted);
    const {
      changeActions,
      staleChanges,
      latestActions,
      viewActions,
      transitions,
      changeBuckets,
      viewBuckets,
      changedKeys,
    } = plan.plan(ownSet?.buckets ?? []);

    const writesState = changedKeys > 0 || latestActions.length > 0 || interrupted;
    const stateSeq = writesState ? seq : maxSeq;
    const recordedAt = this.now().toISOString();

    // History: one entity per changed cluster; an earlier attempt's entities without transitions now go away.
    const historyActions: Action[] = [];
    for (const [ck, { pk, list }] of transitions)
      historyActions.push(historyAction(pk, ck, list, { runId, seq, recordedAt }));
    const staleHistory: { pk: string; rk: string }[] = [];
    if (interrupted) {
      const hadHistory = new Set([...priorBefore.entries()].map(([rk, v]) => `${v.pk}|${keyInfo(rk, v.pk).ck}`));
      for (const item of hadHistory) {
        const [pk, ck] = item.split('|');
        if (!transitions.has(ck)) staleHistory.push({ pk, rk: historyRow(ck, seq) });
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
      const first: TransactionAction[] = [this.lease.action(lock, runId, 'acquire'), upsertAction(marker as Entity)];
      if (writesState) first.push(changeSetAction({ seq, runId, buckets: [...changeBuckets], skipped: skipBefore }));
      if (index) first.push(upsertAction(index));
      try {
        await this.tables.transact('runs', first);
      } catch (error) {
        if (isConflict(error)) throw new LeaseConflict();
        throw error;
      }
      try {
        held = await this.lease.read();
        await this.tables.write('changes', changeActions);
        await this.tables.write('history', historyActions);
        await this.tables.write('changes', viewActions);
        await this.tables.write('latest', latestActions);
        await this.tables.write('changes', staleChanges);
        for (const { pk, rk } of staleHistory) await this.tables.delete('history', pk, rk);
      } catch (error) {
        await this.lease.release(runId).catch(() => undefined);
        throw error;
      }
    }
    const finishedAt = this.now();
    const run: Record<string, unknown> = {
      ...existing,
      status: statusOfReport(report),
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
    putChunks(
      run,
      'problems',
      report.problems === undefined ? undefined : boundedJson(boundedProblems(report.problems)),
    );
    const writes = {
      latest: latestActions.length,
      changes: changeActions.length,
      history: historyActions.length,
      views: viewActions.length,
    };
    putChunks(run, 'writes', JSON.stringify(writes));
    const final: TransactionAction[] = [upsertAction(run as Entity)];
    if (index && !needsLease) final.push(upsertAction(index));
    final.push(pointerAction('latestState', runId, stateSeq));
    if (!options.narrowed) {
      final.push(pointerAction('latestFinished', runId, stateSeq));
      if (report.complete) final.push(pointerAction('latestCompleted', runId, stateSeq, options.subscriptionsRead));
    }
    final.push(this.lease.action(held, runId, 'release'));
    try {
      await this.tables.transact('runs', final);
    } catch (error) {
      if (isConflict(error) && !needsLease) throw new LeaseConflict();
      if (needsLease) await this.lease.release(runId).catch(() => undefined);
      if (isConflict(error)) {
        throw new StoreBusyError(`run ${runId} lost the writer lease while recording (it expired); run it again`);
      }
      throw error;
    }
    return { run: runFromEntity(run), changedKeys, changedClusters: transitions.size };
  }
}
