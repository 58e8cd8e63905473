// Recording a run as its clusters arrive: each cluster's digest is compared with the stored one; a cluster whose
// digest is unchanged costs nothing, the others are read (their Latest rows, and for the alerts what the previous
// runs reported of them), planned (ChangeSetPlan), written and dropped a batch at a time. The order of the writes is
// the store's: the writer lease and the change set's registration first, before-images before Latest, the digests
// after Latest, and last one transaction in Runs with the run record, the pointers and the lease given back.
import type { TransactionAction } from '@azure/data-tables';
import { normaliseId, type ClusterReport, type ScanReport } from '../model';
import { ChangeSetPlan } from './changeSet';
import { boundedJson, entryFromEntity, putChunks, type Entry } from './codec';
import { digestOf, digestOfCluster } from './digest';
import { DigestBook } from './digestBook';
import { readPosition, type RunPosition } from './runPosition';
import { historyAction, historyRow } from './history';
import { META, allBuckets, bucketOf, bucketPk, clusterKey, keyInfo } from './keys';
import type { StateMap } from './latest';
import { LeaseConflict, StoreBusyError, type WriterLease } from './lease';
import type { PastReports } from './pastReports';
import { boundedProblems } from './problems';
import type { RecordRunOptions, RecordRunResult } from './recorder';
import { subscriptionReadFilter } from './resolution';
import {
  changeSetAction,
  pointerAction,
  runFromEntity,
  type ChangeSetEntry,
  type RunStatus,
  type RunsLedger,
} from './runs';
import { clusterOrder, scopeFilter } from './scope';
import { isConflict, mapLimit, upsertAction, type Action, type Entity, type Row, type StoreTables } from './tables';

/** Clusters planned and written together (their findings are what the writer holds at once). */
export const WRITE_BATCH = 500;

/** What the alerts are told, cluster by cluster (see AlertCollector). */
export interface ClusterAlertSink {
  add(
    cluster: ClusterReport,
    prev: ClusterReport | undefined,
    older: ClusterReport | undefined,
    hasBefore: boolean,
  ): void;
  gone(prev: ClusterReport): void;
}

/** The runs the alerts compare with: the latest complete fleet-wide run and the one of the same scope before it. */
export interface AlertBaseline {
  sink: ClusterAlertSink;
  previous?: Row;
  older?: Row;
  /** A run before `previous` exists (history given): `unreadable` alerts can be raised. */
  hasBefore: boolean;
  /** The previous run had this run's scope: a cluster it listed and this run does not is gone. */
  sameScope: boolean;
  /** Alerts of a run narrowed to one cluster compare that cluster only. */
  scopeClusterId?: string;
}

export interface OpenRunInput extends RecordRunOptions {
  runId: string;
  startedAt: string;
  scope: ScanReport['scope'];
  /** Whether the run read everything (known once its inventory is read, before any cluster is evaluated). */
  complete: boolean;
  alerts?: AlertBaseline;
  /** The caller holds the whole report and tries again on a lease conflict (LeaseConflict); otherwise StoreBusyError. */
  retryOnConflict?: boolean;
}

interface Parts {
  tables: StoreTables;
  ledger: RunsLedger;
  lease: WriterLease;
  past: PastReports;
  now: () => Date;
}

function statusOf(complete: boolean): RunStatus {
  return complete ? 'completed' : 'partial';
}

function ckOfRow(rk: string): string {
  return rk.slice(0, rk.indexOf('.'));
}

/** The unknown findings of `cluster` were unknown (or absent) in `prev` too. */
function unknownsSettled(cluster: ClusterReport, prev: ClusterReport | undefined): boolean {
  if (!prev) return true;
  const before = new Map(prev.findings.map((f) => [f.ruleId, f.status]));
  return cluster.findings.every((f) => f.status !== 'unknown' || (before.get(f.ruleId) ?? 'unknown') === 'unknown');
}

export class RunWriter {
  private readonly pending: ClusterReport[] = [];
  private readonly seen = new Set<string>();
  private readonly order: { id: string }[] = [];
  private readonly subscriptions = new Set<string>();
  private readonly changeBuckets: Set<string>;
  private readonly viewBuckets = new Set<string>();
  private readonly readCompletely: (subscriptionId: string) => boolean;
  private readonly owner: boolean;
  private held: Row | undefined;
  private leased = false;
  /** Clusters an interrupted attempt of this run wrote something for (their Latest partition's bucket). */
  private readonly priorCks = new Map<string, string>();
  private changedKeys = 0;
  private changedClusters = 0;
  private readonly lock: Row | undefined;
  private readonly existing: Record<string, unknown>;
  private readonly index: Entity | undefined;
  private readonly seq: number;
  private readonly maxSeq: number;
  private readonly interrupted: boolean;
  private readonly skipBefore: boolean;
  private readonly sets: ChangeSetEntry[];
  private readonly priorBefore: Map<string, { pk: string; entry: Entry | undefined }>;
  private readonly priorViews: Map<string, string>;
  private readonly oldViewBuckets: string[];
  private readonly writes = { latest: 0, changes: 0, history: 0, views: 0 };

  private constructor(
    private readonly parts: Parts,
    private readonly input: OpenRunInput,
    position: RunPosition,
    private readonly digests: DigestBook,
  ) {
    ({
      lock: this.lock,
      existing: this.existing,
      index: this.index,
      seq: this.seq,
      maxSeq: this.maxSeq,
      interrupted: this.interrupted,
      skipBefore: this.skipBefore,
      sets: this.sets,
      priorBefore: this.priorBefore,
      priorViews: this.priorViews,
      oldViewBuckets: this.oldViewBuckets,
    } = position);
    const { seq, sets, interrupted, lock, priorBefore, priorViews } = position;
    this.changeBuckets = new Set(sets.find((s) => s.seq === seq && interrupted)?.buckets ?? []);
    this.readCompletely = subscriptionReadFilter(input.complete, input.subscriptionsRead);
    // The latest complete fleet-wide run is the alert baseline: its digests say what it reported.
    this.owner = input.complete && !input.narrowed;
    this.held = lock;
    for (const [rk, { pk }] of priorBefore) this.priorCks.set(ckOfRow(rk), pk.slice(1));
    for (const [rk, pk] of priorViews) this.priorCks.set(ckOfRow(rk), pk.slice(1));
  }

  /** Opens the recording of a run: the lease (waiting while another run records), its position and the digests. */
  static async open(parts: Parts, input: OpenRunInput, leaseWaitMs: number): Promise<RunWriter> {
    const p = await readPosition(parts, input, leaseWaitMs);
    const digests = await DigestBook.read(parts.tables, {
      fresh: p.fresh,
      stateSeq: p.stateSeq,
      owner: input.complete && !input.narrowed,
    });
    return new RunWriter(parts, input, p, digests);
  }

  /** One evaluated cluster (exemptions applied). Written with its batch; unchanged ones cost nothing. */
  async add(cluster: ClusterReport): Promise<void> {
    const bucket = bucketOf(cluster.id);
    const ck = clusterKey(cluster.id);
    this.seen.add(ck);
    this.order.push({ id: cluster.id });
    this.subscriptions.add(cluster.subscriptionId.trim().toLowerCase());
    if (!this.priorCks.has(ck) && this.digests.unchanged(bucket, ck, cluster)) return;
    this.pending.push(cluster);
    if (this.pending.length >= WRITE_BATCH) await this.flush();
  }

  /** A cluster's Latest rows, whole. */
  private async rowsOf(ck: string, bucket: string): Promise<StateMap> {
    const state: StateMap = new Map();
    const pk = bucketPk(bucket);
    for (const row of await this.parts.tables.range('latest', pk, `${ck}.`)) {
      const entry = entryFromEntity(row, 'v');
      if (entry) state.set(row.rowKey, { pk, entry });
    }
    return state;
  }

  private priorFor(cks: Set<string>): {
    before: Map<string, { pk: string; entry: Entry | undefined }>;
    views: Map<string, string>;
  } {
    const before = new Map([...this.priorBefore].filter(([rk]) => cks.has(ckOfRow(rk))));
    const views = new Map([...this.priorViews].filter(([rk]) => cks.has(ckOfRow(rk))));
    for (const rk of before.keys()) this.priorBefore.delete(rk);
    for (const rk of views.keys()) this.priorViews.delete(rk);
    return { before, views };
  }

  /** What the previous runs reported of a cluster, for the alerts and for its digest's `settled`. */
  private async previousOf(
    id: string,
    rows: StateMap,
    wantOlder: (prev: ClusterReport | undefined) => boolean,
  ): Promise<{ prev?: ClusterReport; older?: ClusterReport }> {
    const baseline = this.input.alerts;
    if (!baseline?.previous) return {};
    const prev = await this.parts.past.clusterReport(baseline.previous, id, true, rows, this.sets);
    const older =
      baseline.older && wantOlder(prev)
        ? await this.parts.past.clusterReport(baseline.older, id, true, rows, this.sets)
        : undefined;
    return { ...(prev ? { prev } : {}), ...(older ? { older } : {}) };
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, this.pending.length);
    if (batch.length === 0) return;
    const latest: StateMap = new Map();
    const cks = new Set<string>();
    const baseline = this.input.alerts;
    const only = baseline?.scopeClusterId ? normaliseId(baseline.scopeClusterId) : undefined;
    const settled = new Map<string, boolean>();
    await mapLimit(batch, this.parts.tables.concurrency, async (cluster) => {
      const bucket = bucketOf(cluster.id);
      const ck = clusterKey(cluster.id);
      cks.add(ck);
      const rows = this.digests.hasRows(bucket, ck) ? await this.rowsOf(ck, bucket) : new Map();
      for (const [rk, v] of rows) latest.set(rk, v);
      const hasUnknown = (c: ClusterReport | undefined) => c?.findings.some((f) => f.status === 'unknown') === true;
      const compared = !only || normaliseId(cluster.id) === only;
      const { prev, older } = compared
        ? await this.previousOf(cluster.id, rows, (p) => hasUnknown(cluster) || hasUnknown(p))
        : {};
      if (baseline && compared) baseline.sink.add(cluster, prev, older, baseline.hasBefore);
      settled.set(ck, !baseline?.previous || unknownsSettled(cluster, prev));
    });
    const states = await this.write(batch, latest, cks, () => true);
    for (const cluster of batch) {
      const ck = clusterKey(cluster.id);
      this.digests.set(bucketOf(cluster.id), ck, states.get(ck) ?? [], digestOfCluster(cluster), settled.get(ck)!);
    }
  }

  /**
   * Plans and writes the keys of a set of clusters (`clusters` reported by this run, `latest` the rows of `cks`, with
   * what an interrupted attempt wrote for them); returns each planned cluster's entries as Latest now holds them.
   */
  private async write(
    clusters: ClusterReport[],
    latest: StateMap,
    cks: Set<string>,
    inScope: (normalisedClusterId: string) => boolean,
  ): Promise<Map<string, Array<[string, Entry]>>> {
    const { tables } = this.parts;
    const { before: priorBefore, views: priorViews } = this.priorFor(cks);
    const out = new ChangeSetPlan({
      report: { clusters } as ScanReport,
      runId: this.input.runId,
      latest,
      seq: this.seq,
      skipBefore: this.skipBefore,
      priorBefore,
      priorViews,
      inScope,
      readCompletely: this.readCompletely,
    }).plan([]);
    for (const b of out.changeBuckets) this.changeBuckets.add(b);
    for (const b of out.viewBuckets) this.viewBuckets.add(b);
    this.changedKeys += out.changedKeys;
    this.changedClusters += out.transitions.size;
    const recordedAt = this.parts.now().toISOString();
    const historyActions: Action[] = [];
    for (const [ck, { pk, list }] of out.transitions) {
      historyActions.push(historyAction(pk, ck, list, { runId: this.input.runId, seq: this.seq, recordedAt }));
    }
    const staleHistory: { pk: string; rk: string }[] = [];
    const hadHistory = new Set([...priorBefore.entries()].map(([rk, v]) => `${v.pk}|${keyInfo(rk, v.pk).ck}`));
    for (const item of hadHistory) {
      const [pk, ck] = item.split('|');
      if (!out.transitions.has(ck)) staleHistory.push({ pk, rk: historyRow(ck, this.seq) });
    }
    const total =
      out.changeActions.length +
      historyActions.length +
      out.viewActions.length +
      out.latestActions.length +
      out.staleChanges.length +
      staleHistory.length;
    if (total === 0) return out.states;
    await this.ensureLease(out.changedKeys > 0 || out.latestActions.length > 0 || this.interrupted);
    try {
      await tables.write('changes', out.changeActions);
      await tables.write('history', historyActions);
      await tables.write('changes', out.viewActions);
      await tables.write('latest', out.latestActions);
      await tables.write('changes', out.staleChanges);
      for (const { pk, rk } of staleHistory) await tables.delete('history', pk, rk);
    } catch (error) {
      await this.parts.lease.release(this.input.runId).catch(() => undefined);
      throw error;
    }
    this.writes.latest += out.latestActions.length;
    this.writes.changes += out.changeActions.length;
    this.writes.history += historyActions.length;
    this.writes.views += out.viewActions.length;
    if (out.changedKeys > 0 || out.latestActions.length > 0) this.wroteState = true;
    return out.states;
  }

  /**
   * Another writer took the lease since this run read it, before this run wrote anything. A whole report (recordRun)
   * is tried again on the new state (LeaseConflict); a streaming run has dropped its clusters and fails, nothing
   * written, for its trigger to run it again.
   */
  private conflict(): Error {
    return this.input.retryOnConflict
      ? new LeaseConflict()
      : new StoreBusyError(
          `another run wrote to the store while run ${this.input.runId} was scanning; nothing of this run was written: run it again`,
        );
  }

  private wroteState = false;
  private registered = false;

  /**
   * Takes the writer lease (once) with the run's marker and, when state is written, the change set's registration
   * (every bucket: the batches to come are not known yet; the completing transaction names the buckets written).
   * The lease is conditional on what open() read: a run that took it since makes this fail before anything is
   * written (LeaseConflict).
   */
  private async ensureLease(state: boolean): Promise<void> {
    const { tables, lease } = this.parts;
    const register = state && !this.registered;
    if (this.leased && !register) return;
    const actions: TransactionAction[] = [];
    if (!this.leased) {
      const marker: Record<string, unknown> = {
        ...this.existing,
        viewBuckets: [...new Set([...this.oldViewBuckets, ...allBuckets()])].sort().join(','),
        ownSeq: this.seq,
      };
      actions.push(lease.action(this.lock, this.input.runId, 'acquire'), upsertAction(marker as Entity));
      if (this.index) actions.push(upsertAction(this.index));
    }
    if (register) {
      actions.push(
        changeSetAction({ seq: this.seq, runId: this.input.runId, buckets: allBuckets(), skipped: this.skipBefore }),
      );
    }
    try {
      await tables.transact('runs', actions);
    } catch (error) {
      if (isConflict(error) && !this.leased) throw this.conflict();
      throw error;
    }
    if (!this.leased) this.held = await lease.read();
    this.leased = true;
    this.registered ||= register;
  }

  /**
   * Finishes the run: clusters of the state it did not report (gone from a subscription read completely, or kept),
   * `beforeFinal` (the alert batch is recorded there), the digests, then the run record and pointers.
   */
  async finish(report: Omit<ScanReport, 'clusters'>, beforeFinal?: () => Promise<void>): Promise<RecordRunResult> {
    await this.flush();
    const { tables, lease, now } = this.parts;
    const input = this.input;
    const coveredList =
      input.narrowed === true &&
      input.clusterId === undefined &&
      (report.scope.subscriptions ?? []).length === 0 &&
      (report.scope.managementGroups ?? []).length > 0
        ? [
            ...new Set([
              ...(input.coveredSubscriptions ?? []).map((s) => s.trim().toLowerCase()),
              ...this.subscriptions,
            ]),
          ].sort()
        : undefined;
    const inScope = scopeFilter(report.scope, input.clusterId, coveredList);

    // Clusters of the state this run did not report, a batch at a time.
    const unseen = this.digests.unseen(this.seen, this.priorCks, inScope);
    for (let i = 0; i < unseen.length; i += WRITE_BATCH) {
      const slice = unseen.slice(i, i + WRITE_BATCH);
      const latest: StateMap = new Map();
      const cks = new Set(slice.map((s) => s.ck));
      const baseline = input.alerts;
      await mapLimit(slice, tables.concurrency, async ({ ck, bucket }) => {
        const rows = await this.rowsOf(ck, bucket);
        for (const [rk, v] of rows) latest.set(rk, v);
        const meta = rows.get(`${ck}.${META}`)?.entry.json;
        const id = meta ? String((JSON.parse(meta) as { id?: string }).id ?? '') : '';
        if (baseline?.sameScope && id && inScope(normaliseId(id))) {
          const { prev } = await this.previousOf(id, rows, () => false);
          if (prev) baseline.sink.gone(prev);
        }
      });
      const states = await this.write([], latest, cks, inScope);
      for (const { ck, bucket } of slice) {
        const state =
          states.get(ck) ??
          [...latest]
            .filter(([rk]) => ckOfRow(rk) === ck)
            .map(([rk, v]) => [rk.slice(ck.length + 1), v.entry] as [string, Entry]);
        // Not reported by the baseline run: compared row by row when it is next seen.
        this.digests.set(bucket, ck, state, this.owner ? '' : digestOf(state), false);
      }
    }
    await beforeFinal?.();

    const writesState = this.wroteState || this.interrupted;
    const stateSeq = writesState ? this.seq : this.maxSeq;
    const digestWrites = this.digests.actions(stateSeq);
    if (digestWrites.length > 0) {
      await this.ensureLease(false);
      try {
        await tables.write('digests', digestWrites);
      } catch (error) {
        await lease.release(input.runId).catch(() => undefined);
        throw error;
      }
    }

    const finishedAt = now();
    const run: Record<string, unknown> = {
      ...this.existing,
      status: statusOf(report.complete),
      trigger: this.existing.trigger ?? input.trigger,
      asOf: report.asOf,
      reportStartedAt: report.startedAt,
      reportFinishedAt: report.finishedAt,
      finishedAt: finishedAt.toISOString(),
      complete: report.complete,
      durationMs: Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt)),
      stateSeq,
      error: '',
      viewBuckets: [...this.viewBuckets].sort().join(','),
    };
    if (writesState) run.ownSeq = this.seq;
    else delete run.ownSeq;
    delete run.etag;
    delete run.timestamp;
    putChunks(run, 'summary', JSON.stringify(report.summary));
    putChunks(run, 'reportScope', JSON.stringify(report.scope));
    putChunks(run, 'covered', coveredList && boundedJson(coveredList));
    const order = clusterOrder(this.order);
    putChunks(run, 'order', order && boundedJson(order));
    putChunks(
      run,
      'problems',
      report.problems === undefined ? undefined : boundedJson(boundedProblems(report.problems)),
    );
    putChunks(run, 'writes', JSON.stringify(this.writes));
    const final: TransactionAction[] = [upsertAction(run as Entity)];
    if (this.index && !this.leased) final.push(upsertAction(this.index));
    if (writesState && this.registered) {
      final.push(
        changeSetAction({
          seq: this.seq,
          runId: input.runId,
          buckets: [...this.changeBuckets],
          skipped: this.skipBefore,
        }),
      );
    }
    final.push(pointerAction('latestState', input.runId, stateSeq));
    if (!input.narrowed) {
      final.push(pointerAction('latestFinished', input.runId, stateSeq));
      if (report.complete) final.push(pointerAction('latestCompleted', input.runId, stateSeq, input.subscriptionsRead));
    }
    final.push(lease.action(this.held, input.runId, 'release'));
    try {
      await tables.transact('runs', final);
    } catch (error) {
      if (isConflict(error) && !this.leased) throw this.conflict();
      if (this.leased) await lease.release(input.runId).catch(() => undefined);
      if (isConflict(error)) {
        throw new StoreBusyError(`run ${input.runId} lost the writer lease while recording (it expired); run it again`);
      }
      throw error;
    }
    return { run: runFromEntity(run), changedKeys: this.changedKeys, changedClusters: this.changedClusters };
  }
}
