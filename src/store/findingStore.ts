// FindingStore: scan runs, the latest status per cluster and rule, each run's changes (the history) and exemptions,
// on Azure Table Storage (@azure/data-tables; Azurite locally). A facade over the parts in this folder, each with
// one job; the tables, their keys and what one run writes are drawn in docs/store.md.
import type { AzureClients } from '../azure/clients';
import type { ClusterReport, Exemption, ScanProblem, ScanReport } from '../model';
import type { ExemptionVersion } from '../exemptions/changes';
import { ExemptionTable, type Actor, type ExemptionRecord } from './exemptionTable';
import { readHistory, type ClusterHistory } from './history';
import { LatestState, type StateMap } from './latest';
import { WriterLease } from './lease';
import { PastReports, clustersFromState, type ReportDetail } from './pastReports';
import { RunRecorder, type RecordRunOptions, type RecordRunResult } from './recorder';
import { RunsLedger, runFromEntity, type RunRecord, type RunTrigger } from './runs';
import type { OpenRunInput, RunWriter } from './runWriter';
import { getChunks } from './codec';
import type { Row } from './tables';
import { sameList, sameScope } from './scope';
import { ScanSlot, type SlotHolder } from './scanSlot';
import { StoreTables, mapLimit, type StoreCounters } from './tables';

export { BUCKETS, bucketOf, clusterKey, runKey, shortHash } from './keys';
export type { AlertBaseline, ClusterAlertSink, OpenRunInput, RunWriter } from './runWriter';
export { StoreBusyError } from './lease';
export { StaleExemptionError, type Actor, type ExemptionRecord } from './exemptionTable';
export type { SlotHolder } from './scanSlot';
export { RunNotReadyError, type RunRecord, type RunStatus, type RunTrigger } from './runs';
export type { RecordRunOptions, RecordRunResult } from './recorder';
export type { ClusterHistory, ClusterHistoryEntry, StatusTransition } from './history';
export type { StoreCounters, TableRole } from './tables';
export type { ReportDetail } from './pastReports';

export interface FindingStoreOptions {
  /** Table name prefix (letters and digits). Default `akscompliance`. */
  tablePrefix?: string;
  /** Parallel transactions in flight. Default 8. */
  concurrency?: number;
  now?: () => Date;
  /** How long recordRun waits for another run to finish recording. Default 120 s. */
  leaseWaitMs?: number;
}

export class FindingStore {
  readonly counters: StoreCounters;
  private readonly tables: StoreTables;
  private readonly lease: WriterLease;
  private readonly runs: RunsLedger;
  private readonly latest: LatestState;
  private readonly past: PastReports;
  private readonly recorder: RunRecorder;
  private readonly exemptions: ExemptionTable;
  private readonly slot: ScanSlot;
  private readonly pendingFailures = new Map<string, { error: string; trigger: RunTrigger }>();
  private flushing = false;

  constructor(clients: Pick<AzureClients, 'tableClient'>, options: FindingStoreOptions = {}) {
    const now = options.now ?? (() => new Date());
    this.tables = new StoreTables(clients, options.tablePrefix ?? 'akscompliance', options.concurrency ?? 8);
    this.counters = this.tables.counters;
    this.lease = new WriterLease(this.tables, now);
    this.runs = new RunsLedger(this.tables, this.lease, now);
    this.latest = new LatestState(this.tables);
    this.past = new PastReports(this.tables, this.runs, this.latest);
    this.recorder = new RunRecorder(
      { tables: this.tables, ledger: this.runs, lease: this.lease, past: this.past, now },
      options.leaseWaitMs ?? 120_000,
    );
    this.exemptions = new ExemptionTable(this.tables);
    this.slot = new ScanSlot(this.tables, now);
  }

  resetCounters(): void {
    this.tables.resetCounters();
  }

  /** Creates the tables when missing (once per store instance). */
  ensureTables(): Promise<void> {
    return this.tables.ensureTables();
  }

  /** Tables ready, and failures that could not be recorded while storage was down recorded now. */
  private async prepare(): Promise<void> {
    await this.tables.ensureTables();
    if (this.pendingFailures.size === 0 || this.flushing) return;
    this.flushing = true;
    try {
      for (const [runId, { error, trigger }] of [...this.pendingFailures]) {
        await this.runs.markFailed(runId, error, trigger);
        this.pendingFailures.delete(runId);
      }
    } finally {
      this.flushing = false;
    }
  }

  // Runs

  async getRun(runId: string): Promise<RunRecord | undefined> {
    await this.prepare();
    return this.runs.get(runId);
  }

  /** Runs, newest first. */
  async listRuns(limit = 20): Promise<RunRecord[]> {
    await this.prepare();
    return this.runs.list(limit);
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
    return this.runs.markStarted(input);
  }

  /** Records a run as failed (a run that already finished is left as it is). */
  async markRunFailed(runId: string, error: string, trigger: RunTrigger = 'timer'): Promise<void> {
    try {
      await this.prepare();
      await this.runs.markFailed(runId, error, trigger);
      this.pendingFailures.delete(runId);
    } catch (storageError) {
      // Storage is down: the next operation of this store that reaches storage records it.
      this.pendingFailures.set(runId, { error, trigger });
      throw storageError;
    }
  }

  /** The problems a run recorded (what it could not read, the first ones: see boundedProblems). */
  async getRunProblems(runId: string): Promise<ScanProblem[] | undefined> {
    await this.prepare();
    return this.runs.problems(runId);
  }

  /**
   * The subscriptions the latest complete fleet-wide run read: the next fleet-wide run names any of them Resource
   * Graph no longer returns (it leaves out what the identity cannot read, silently). Undefined when unknown.
   */
  async expectedSubscriptions(scope: {
    subscriptions: string[];
    managementGroups: string[];
  }): Promise<string[] | undefined> {
    await this.prepare();
    const pointer = await this.runs.pointer('latestCompleted');
    const run = pointer ? await this.runs.get(pointer.runId) : undefined;
    // Only a run over the same scope says what this one should read (a changed configuration is a new start).
    if (!run || !sameScope(run.scope, scope)) return undefined;
    return this.runs.subscriptionsOfLatestComplete();
  }

  // Reports

  /**
   * The report of a run as it returned it; undefined for an unknown run; RunNotReadyError while it has none.
   * `detail` other than 'whole' thins findings (see ReportDetail), so that a read of a large run holds far less: a
   * page of it is then read whole with getRunClusters.
   */
  async getRunReport(runId: string, detail: ReportDetail = 'whole'): Promise<ScanReport | undefined> {
    await this.prepare();
    return this.past.runReport(runId, detail);
  }

  /**
   * Some clusters of a run, whole, as its report lists them (a page of a report read thin), in the order given; a
   * cluster the run did not report is left out. Each is read on its own (its Latest rows and later change sets).
   */
  async getRunClusters(runId: string, clusterIds: readonly string[]): Promise<ClusterReport[]> {
    await this.prepare();
    const entity = await this.runs.entity(runId);
    if (!entity) return [];
    const indexes = clusterIds.map((_, i) => i);
    // Every cluster's Latest rows first, the change sets second (their before-images are written before Latest
    // changes: see PastReports.stateAt), so that a run recorded meanwhile is rolled back too.
    const rows: StateMap[] = [];
    await mapLimit(indexes, this.tables.concurrency, async (i) => {
      rows[i] = await this.latest.read(clusterIds[i]);
    });
    const sets = await this.runs.changesets();
    const found: (ClusterReport | undefined)[] = clusterIds.map(() => undefined);
    await mapLimit(indexes, this.tables.concurrency, async (i) => {
      found[i] = await this.past.clusterReport(entity, clusterIds[i], false, rows[i], sets);
    });
    return found.filter((c): c is ClusterReport => c !== undefined);
  }

  /**
   * A run's report thinned to what the alerts compare: each finding's rule, status and severity (with its title for
   * fail and exempt), each cluster's metadata; messages, remediation and details empty. Read page by page, so the
   * whole report is never in memory. Undefined for an unknown run; RunNotReadyError while it has none.
   */
  async getRunBaseline(runId: string): Promise<ScanReport | undefined> {
    await this.prepare();
    return this.past.runReport(runId, 'thin');
  }

  /**
   * The runs a streaming run's alerts compare with: the latest complete fleet-wide run (`previous`) and the complete
   * run of the same scope before it (`older`, for `unreadable`); `hasBefore` when that run exists. Their records
   * only: RunWriter reads what they reported of each cluster it finds changed.
   */
  async alertBaselineRuns(): Promise<{ previous?: Row; older?: Row; hasBefore: boolean; scope?: RunRecord['scope'] }> {
    await this.prepare();
    const pointer = await this.runs.pointer('latestCompleted');
    const previous = pointer ? await this.runs.entity(pointer.runId) : undefined;
    if (!previous) return { hasBefore: false };
    const record = runFromEntity(previous);
    const scope = JSON.parse(
      getChunks(previous, 'reportScope') ?? '{"subscriptions":[],"managementGroups":[]}',
    ) as RunRecord['scope'];
    const runs = await this.runs.list(10);
    const at = runs.findIndex((r) => r.runId === record.runId);
    const before =
      at < 0
        ? undefined
        : runs
            .slice(at + 1)
            .find(
              (r) =>
                r.runId !== record.runId &&
                r.complete !== false &&
                r.status === 'completed' &&
                !r.scope?.clusterId &&
                sameList(r.scope?.subscriptions, scope.subscriptions) &&
                sameList(r.scope?.managementGroups, scope.managementGroups),
            );
    const older = before ? await this.runs.entity(before.runId) : undefined;
    return { previous, ...(older ? { older } : {}), hasBefore: older !== undefined, scope };
  }

  /** Opens the recording of a run whose clusters arrive one by one (see RunWriter). */
  async openRun(input: OpenRunInput): Promise<RunWriter> {
    await this.prepare();
    return this.recorder.open(input);
  }

  /**
   * The report of the latest finished run (completed or partial), or with `completeOnly` of the latest complete
   * run; undefined when there is none.
   */
  async getLatestReport(
    options: { completeOnly?: boolean; detail?: ReportDetail } = {},
  ): Promise<ScanReport | undefined> {
    await this.prepare();
    const pointer = await this.runs.pointer(options.completeOnly ? 'latestCompleted' : 'latestFinished');
    return pointer ? this.getRunReport(pointer.runId, options.detail) : undefined;
  }

  /** One cluster's latest known findings and its status history; undefined when the store never saw it. */
  async getClusterHistory(clusterId: string): Promise<ClusterHistory | undefined> {
    await this.prepare();
    const pointer = await this.runs.pointer('latestState');
    const history = await readHistory(this.tables, clusterId, pointer?.stateSeq);
    const state = pointer ? await this.past.stateAt(pointer.stateSeq, { cluster: clusterId }) : new Map();
    const [cluster] = clustersFromState(state);
    if (!cluster) return undefined;
    return { cluster, runId: pointer?.runId ?? null, history };
  }

  // Recording

  /**
   * Records a run's report: its changes (before-images first), history, the latest state, then in one transaction
   * the run record as completed/partial, the pointers and the lease given back. Waits (up to leaseWaitMs) while
   * another run records itself. Throws on any storage failure (the run stays running; a retry continues).
   */
  async recordRun(report: ScanReport, options: RecordRunOptions): Promise<RecordRunResult> {
    await this.prepare();
    return this.recorder.record(report, options);
  }

  // The on-demand scan slot

  /** Claims the one on-demand scan slot for `runId`; the run holding it when taken (stale holders are replaced). */
  async claimScanSlot(runId: string, staleMs: number): Promise<SlotHolder | undefined> {
    await this.prepare();
    return this.slot.claim(runId, staleMs);
  }

  async releaseScanSlot(runId: string): Promise<void> {
    await this.prepare();
    await this.slot.release(runId);
  }

  // Exemptions

  /** The exemptions not removed (active or expired). */
  async listExemptions(): Promise<Exemption[]> {
    await this.prepare();
    return this.exemptions.list();
  }

  async getExemption(id: string): Promise<Exemption | undefined> {
    await this.prepare();
    return this.exemptions.get(id);
  }

  /** The stored row of an exemption with its ETag; a removed one comes back as a tombstone (`removed`). */
  async getExemptionRecord(id: string): Promise<ExemptionRecord | undefined> {
    await this.prepare();
    return this.exemptions.record(id);
  }

  /** Stores a validated exemption as it is, without a version (an import; the API uses saveExemption). */
  async putExemption(exemption: Exemption): Promise<void> {
    await this.prepare();
    await this.exemptions.put(exemption);
  }

  /**
   * Creates an exemption or records a new version of it (author and creation time kept from the first version),
   * conditional on `etag` when one exists: StaleExemptionError when it changed since.
   */
  async saveExemption(
    next: Exemption,
    current: ExemptionRecord | undefined,
    etag: string | undefined,
    actor: Actor,
    at: Date,
  ): Promise<{ exemption: Exemption; entry: ExemptionVersion; etag: string }> {
    await this.prepare();
    return this.exemptions.save(next, current, etag, actor, at);
  }

  /** Removes an exemption, leaving a tombstone and a version; StaleExemptionError when it changed since `etag`. */
  async removeExemption(current: ExemptionRecord, etag: string, actor: Actor, at: Date): Promise<ExemptionVersion> {
    await this.prepare();
    return this.exemptions.remove(current, etag, actor, at);
  }

  /** Every version of an exemption (who changed what, when), oldest first. */
  async exemptionHistory(id: string): Promise<ExemptionVersion[]> {
    await this.prepare();
    return this.exemptions.history(id);
  }

  /** Exemption changes not yet in an alert digest, oldest first, and the keys that mark them reported. */
  async unreportedExemptionChanges(): Promise<{ entries: ExemptionVersion[]; keys: string[] }> {
    await this.prepare();
    return this.exemptions.unreported();
  }

  async markExemptionChangesReported(keys: string[]): Promise<void> {
    await this.prepare();
    await this.exemptions.markReported(keys);
  }
}
