// Recording a run: the whole report (recordRun) or cluster by cluster as a scan evaluates them (open), both through
// RunWriter, which writes a run's change set's before-images first, then history and views, then Latest and the
// digests, and last one transaction in Runs with the run record completed/partial, the pointers and the lease.
import type { ScanReport } from '../model';
import { LeaseConflict, StoreBusyError, type WriterLease } from './lease';
import type { PastReports } from './pastReports';
import type { RunRecord, RunTrigger, RunsLedger } from './runs';
import { RunWriter, type OpenRunInput } from './runWriter';
import type { StoreTables } from './tables';

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

export class RunRecorder {
  constructor(
    private readonly parts: {
      tables: StoreTables;
      ledger: RunsLedger;
      lease: WriterLease;
      past: PastReports;
      now: () => Date;
    },
    private readonly leaseWaitMs: number,
  ) {}

  /** Opens the streaming recording of a run (see RunWriter); waits up to leaseWaitMs while another run records. */
  open(input: OpenRunInput): Promise<RunWriter> {
    return RunWriter.open(this.parts, input, this.leaseWaitMs);
  }

  /**
   * Records a whole report. Waits (up to leaseWaitMs) while another run records itself; a run that took the lease
   * between this one's reads and its first write makes the attempt start again. Throws on any storage failure (the
   * run stays running; a retry continues).
   */
  async record(report: ScanReport, options: RecordRunOptions): Promise<RecordRunResult> {
    const deadline = Date.now() + this.leaseWaitMs;
    const { clusters, ...shell } = report;
    for (;;) {
      try {
        const writer = await RunWriter.open(
          this.parts,
          {
            ...options,
            runId: report.runId,
            startedAt: report.startedAt,
            scope: report.scope,
            complete: report.complete,
            retryOnConflict: true,
          },
          Math.max(0, deadline - Date.now()),
        );
        for (const cluster of clusters) await writer.add(cluster);
        return await writer.finish(shell);
      } catch (error) {
        if (!(error instanceof LeaseConflict)) throw error;
        if (Date.now() >= deadline) throw new StoreBusyError('another run took the writer lease at the same time');
      }
      await new Promise((resolve) => setTimeout(resolve, 250 + Math.floor(Math.random() * 750)));
    }
  }
}
