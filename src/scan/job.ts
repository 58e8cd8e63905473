// A scan run as a service (the nightly timer, POST /api/scans, `aks-compliance scan`): the run is recorded as started,
// scanned with the stored exemptions, recorded in the FindingStore, and then alerted on. A storage failure fails the
// run (recorded as failed where storage allows) and propagates, so the timer's retry reruns the same run ID.
import { handOverAlerts, recordAlerts, type NotifyAfterScanResult } from '../alerts/afterScan';
import type { AlertBatch } from '../alerts/alerts';
import type { AzureClients } from '../azure/clients';
import type { Settings } from '../config/settings';
import { AlertCollector, type RunOutline } from '../alerts/clusterAlerts';
import type { ClusterReport, ScanReport } from '../model';
import type { FindingStore, RunRecord, RunTrigger, RunWriter } from '../store/findingStore';
import { sameScope } from '../store/scope';
import { newRunId, resolveScope, runScan } from './runScan';

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
  /**
   * Return the report with its clusters (the CLI prints it). Otherwise the clusters are written as they are
   * evaluated and dropped, and the returned report lists none (its summary counts them): read it from the store.
   */
  keepReport?: boolean;
  abortSignal?: AbortSignal;
}

export interface ScanJobResult {
  runId: string;
  /** The run's report; its clusters only with `keepReport`. */
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
  let writer: RunWriter | undefined;
  let collector: AlertCollector | undefined;
  let alerting = false;
  const kept: ClusterReport[] = [];
  // What the collector reads when it finishes (the run's totals are known only then).
  const outline: RunOutline = {
    runId,
    finishedAt: '',
    summary: {
      clusters: 0,
      status: {} as RunOutline['summary']['status'],
      failBySeverity: {} as RunOutline['summary']['failBySeverity'],
    },
    complete: true,
  };
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
    const exemptions = await store.listExemptions();
    // A fleet-wide run is expected to read again what the last complete one read (Resource Graph leaves out, without
    // saying so, a subscription the identity can no longer read).
    const expectedSubscriptions = narrowed
      ? undefined
      : await store.expectedSubscriptions({ subscriptions, managementGroups });
    // What the alerts compare with: the latest complete fleet-wide run and the one before it, read cluster by
    // cluster for the clusters whose digest changed.
    const baselineRuns = await store.alertBaselineRuns();
    const runScope = resolveScope(settings, {
      ...(options.subscriptions?.length ? { subscriptions: options.subscriptions } : {}),
      ...(narrowedToGroups ? { managementGroups } : {}),
      ...(options.clusterId ? { clusterId: options.clusterId } : {}),
    });
    const scope = { subscriptions: runScope.subscriptions ?? [], managementGroups: runScope.managementGroups ?? [] };
    report = await runScan(
      {
        settings,
        clients,
        log,
        covered: (list) => (covered = list),
        readCompletely: (list) => (readCompletely = list),
        ...(expectedSubscriptions ? { expectedSubscriptions } : {}),
        stream: {
          begin: async ({ complete }) => {
            const quietPartial = options.alertPartial === false && !complete;
            if (quietPartial) log(`alerts: run ${runId} is partial and on demand: no alerts (the nightly run alerts)`);
            alerting = options.notify !== false && !quietPartial;
            if (alerting && complete) {
              collector = new AlertCollector(outline, {
                minSeverity: settings.alertMinSeverity,
                ownerTag: settings.ownerTag,
                ...(options.clusterId ? { scopeClusterId: options.clusterId } : {}),
              });
            }
            writer = await store.openRun({
              runId,
              startedAt: new Date(started).toISOString(),
              scope,
              complete,
              trigger: options.trigger,
              narrowed,
              ...(options.clusterId ? { clusterId: options.clusterId } : {}),
              ...(narrowedToGroups && covered ? { coveredSubscriptions: covered } : {}),
              ...(readCompletely ? { subscriptionsRead: readCompletely } : {}),
              ...(collector || baselineRuns.previous
                ? {
                    alerts: {
                      sink: collector ?? { add: () => undefined, gone: () => undefined },
                      ...(baselineRuns.previous ? { previous: baselineRuns.previous } : {}),
                      ...(baselineRuns.older ? { older: baselineRuns.older } : {}),
                      hasBefore: baselineRuns.hasBefore,
                      sameScope: baselineRuns.scope !== undefined && sameScope(baselineRuns.scope, scope),
                      ...(options.clusterId ? { scopeClusterId: options.clusterId } : {}),
                    },
                  }
                : {}),
            });
          },
          onCluster: async (cluster) => {
            if (options.keepReport) kept.push(cluster);
            await writer!.add(cluster);
          },
        },
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
  try {
    const { clusters: _none, ...shell } = report;
    // The alerts are recorded once the run's clusters are written and before the run is: a run that fails before
    // it is recorded is retried, and its alerts are computed again from the same previous runs (a batch recorded
    // for the run ID is kept).
    recorded = await writer!.finish(shell, async () => {
      if (!alerting) return;
      Object.assign(outline, {
        finishedAt: report.finishedAt,
        summary: report.summary,
        complete: report.complete,
        ...(report.problems ? { problems: report.problems } : {}),
      });
      batch = await recordAlerts({
        settings,
        clients,
        store,
        previous: undefined,
        report,
        log,
        exemptions: store,
        ...(collector ? { computed: collector.finish() } : {}),
        ...(options.clusterId ? { scopeClusterId: options.clusterId } : {}),
      });
    });
  } catch (error) {
    await failRun(store, runId, options.trigger, error, log);
    throw error;
  }
  if (options.keepReport) report.clusters = kept;

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
