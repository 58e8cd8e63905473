// A scan run as a service (the nightly timer, POST /api/scans, `aks-compliance scan`): the run is recorded as started,
// scanned with the stored exemptions, recorded in the FindingStore, and then alerted on. A storage failure fails the
// run (recorded as failed where storage allows) and propagates, so the timer's retry reruns the same run ID.
import { handOverAlerts, recordAlerts, type NotifyAfterScanResult } from '../alerts/afterScan';
import type { AlertBatch } from '../alerts/alerts';
import type { AzureClients } from '../azure/clients';
import type { Settings } from '../config/settings';
import type { ScanReport } from '../model';
import type { FindingStore, LatestSnapshot, RunRecord, RunTrigger } from '../store/findingStore';
import { newRunId, runScan } from './runScan';

export interface ScanJobDeps {
  settings: Settings;
  clients: AzureClients;
  store: FindingStore;
  log: (line: string) => void;
}

export interface ScanJobOptions {
  runId?: string;
  trigger: RunTrigger;
  subscriptions?: string[];
  /** Narrow the run to these management groups (with `subscriptions` too, the subscriptions are read). */
  managementGroups?: string[];
  clusterId?: string;
  /** Post alerts after the run (default true). */
  notify?: boolean;
  /** Alert a run that could not read everything (default true); on-demand runs pass false: they alert nothing. */
  alertPartial?: boolean;
  /** The clock of the age and horizon rules (default now). */
  asOf?: Date;
  abortSignal?: AbortSignal;
}

export interface ScanJobResult {
  runId: string;
  report: ScanReport;
  run: RunRecord;
  durationMs: number;
  alerts?: NotifyAfterScanResult;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The run ID a job will use: the given one or a new sortable one. */
export function jobRunId(options: Pick<ScanJobOptions, 'runId'>, now = new Date()): string {
  return options.runId ?? newRunId(now);
}

export async function runScanJob(deps: ScanJobDeps, options: ScanJobOptions): Promise<ScanJobResult> {
  const { settings, clients, store, log } = deps;
  const started = Date.now();
  const runId = jobRunId(options);
  const narrowedToGroups = options.clusterId === undefined && (options.managementGroups?.length ?? 0) > 0;
  const narrowed = options.clusterId !== undefined || (options.subscriptions?.length ?? 0) > 0 || narrowedToGroups;
  const subscriptions = options.subscriptions ?? (options.clusterId || narrowedToGroups ? [] : settings.subscriptions);
  const managementGroups = narrowedToGroups ? options.managementGroups! : narrowed ? [] : settings.managementGroups;
  // The subscriptions a management-group scope resolved to: the store judges only their clusters.
  let covered: string[] | undefined;
  // The subscriptions the run read completely: only there can the store resolve a fail or drop a cluster.
  let readCompletely: string[] | undefined;

  let report: ScanReport;
  let previous: ScanReport | undefined;
  let snapshot: LatestSnapshot | undefined;
  try {
    await store.markRunStarted({
      runId,
      trigger: options.trigger,
      scope: {
        subscriptions,
        managementGroups,
        ...(options.clusterId ? { clusterId: options.clusterId } : {}),
      },
    });
    // The alert baseline: the latest complete fleet-wide run (partial runs alert nothing but the fact), thin (what
    // the alerts compare). Only read when alerts are sent; the same read of the state serves recordRun.
    if (options.notify !== false) ({ report: previous, snapshot } = await store.getLatestBaseline());
    const exemptions = await store.listExemptions();
    // A fleet-wide run is expected to read again what the last complete one read (Resource Graph leaves out, without
    // saying so, a subscription the identity can no longer read).
    const expectedSubscriptions = narrowed
      ? undefined
      : await store.expectedSubscriptions({ subscriptions, managementGroups });
    report = await runScan(
      {
        settings,
        clients,
        log,
        covered: (list) => (covered = list),
        readCompletely: (list) => (readCompletely = list),
        ...(expectedSubscriptions ? { expectedSubscriptions } : {}),
      },
      {
        runId,
        exemptions,
        ...(options.asOf ? { asOf: options.asOf } : {}),
        ...(options.subscriptions?.length ? { subscriptions: options.subscriptions } : {}),
        ...(narrowedToGroups ? { managementGroups } : {}),
        ...(options.clusterId ? { clusterId: options.clusterId } : {}),
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      },
    );
  } catch (error) {
    await failRun(store, runId, options.trigger, error, log);
    throw error;
  }

  let recorded;
  let batch: AlertBatch | undefined;
  const quietPartial = options.alertPartial === false && !report.complete;
  if (quietPartial) log(`alerts: run ${runId} is partial and on demand: no alerts (the nightly run alerts)`);
  try {
    // The alerts are recorded before the findings: a run that fails here is retried from the same baseline.
    if (options.notify !== false && !quietPartial) {
      batch = await recordAlerts({
        settings,
        clients,
        store,
        previous,
        report,
        log,
        exemptions: store,
        ...(options.clusterId ? { scopeClusterId: options.clusterId } : {}),
      });
    }
    recorded = await store.recordRun(report, {
      trigger: options.trigger,
      narrowed,
      ...(options.clusterId ? { clusterId: options.clusterId } : {}),
      ...(narrowedToGroups && covered ? { coveredSubscriptions: covered } : {}),
      ...(readCompletely ? { subscriptionsRead: readCompletely } : {}),
      ...(snapshot ? { snapshot } : {}),
    });
    snapshot = undefined;
  } catch (error) {
    await failRun(store, runId, options.trigger, error, log);
    throw error;
  }

  let alerts: NotifyAfterScanResult | undefined;
  if (batch) {
    try {
      // Exemption changes alone are worth a digest too.
      const items = batch.alerts.length + (batch.exemptionChanges?.length ?? 0);
      alerts = await handOverAlerts({ settings, clients, runId, alerts: items, log });
    } catch (error) {
      // The batch stays stored with the run (POST /api/notify with its run ID delivers it); the scan stands.
      log(`alerts: failed after run ${runId}: ${message(error)}`);
    }
  }

  const durationMs = Date.now() - started;
  log(
    JSON.stringify({
      event: 'scanRun',
      runId,
      trigger: options.trigger,
      status: recorded.run.status,
      complete: report.complete,
      clusters: report.summary.clusters,
      status_counts: report.summary.status,
      failBySeverity: report.summary.failBySeverity,
      problems: report.problems?.length ?? 0,
      changedFindings: recorded.changedKeys,
      changedClusters: recorded.changedClusters,
      alerts: alerts?.alerts ?? 0,
      durationMs,
    }),
  );
  return { runId, report, run: recorded.run, durationMs, ...(alerts ? { alerts } : {}) };
}

/**
 * Waits between attempts to record a failed run while storage recovers. After the last one the store keeps the
 * failure and records it with its next operation that reaches storage (or the retry of the run does).
 */
export const FAIL_RECORD_DELAYS_MS = [0, 1000, 3000];

async function failRun(
  store: FindingStore,
  runId: string,
  trigger: RunTrigger,
  error: unknown,
  log: (line: string) => void,
): Promise<void> {
  log(`scan: run ${runId} failed: ${message(error)}`);
  for (const [attempt, delay] of FAIL_RECORD_DELAYS_MS.entries()) {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      await store.markRunFailed(runId, message(error), trigger);
      break;
    } catch (secondary) {
      // Storage is down too: the run stays "running" until it can be recorded, or until its retry records it.
      log(`scan: run ${runId} could not be recorded as failed (attempt ${attempt + 1}): ${message(secondary)}`);
    }
  }
  log(JSON.stringify({ event: 'scanRun', runId, trigger, status: 'failed', error: message(error) }));
}
