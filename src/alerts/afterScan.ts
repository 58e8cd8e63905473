// After a scan: work out what changed, record it with the run (AlertBatchStore), and hand the run ID to the notifier.
// The notifier loads the stored batch; when it cannot be reached the run goes to the delivery queue instead, whose
// queue-triggered function delivers it: nothing waits for the next scan.
import type { AzureClients } from '../azure/clients';
import type { Settings } from '../config/settings';
import type { ScanProblem, ScanReport } from '../model';
import { AlertBatchStore } from '../store/alertBatches';
import type { ExemptionVersion } from '../exemptions/changes';
import { computeAlertBatch, EXEMPTION_NOTES_MAX, type AlertBatch, type ExemptionNote } from './alerts';
import { queueRun } from './notifier';
import { postJsonWithRetry, type RetryOptions } from './retry';

/** What the alerts need from the finding store, to find the run before `previous` (for `unreadable`). */
export interface RunHistorySource {
  listRuns(limit: number): Promise<
    Array<{
      runId: string;
      complete?: boolean;
      status?: string;
      scope?: { subscriptions?: string[]; managementGroups?: string[]; clusterId?: string };
    }>
  >;
  getRunReport(runId: string): Promise<ScanReport | undefined | null>;
  /** The run's report thinned to what the alerts compare (FindingStore.getRunBaseline); preferred when present. */
  getRunBaseline?(runId: string): Promise<ScanReport | undefined | null>;
  /** What a run could not read (FindingStore.getRunProblems): a partial run alerts only what is new since. */
  getRunProblems?(runId: string): Promise<ScanProblem[] | undefined>;
}

export interface RecordAlertsInput {
  settings: Pick<Settings, 'alertMinSeverity' | 'ownerTag'>;
  clients: Pick<AzureClients, 'tableClient'>;
  store?: RunHistorySource;
  /** The previous run's report; thin (FindingStore.getRunBaseline) is enough. */
  previous: ScanReport | undefined;
  report: ScanReport;
  log: (line: string) => void;
  /** Reports before `previous`, newest first; read from `store` when not given. */
  history?: ScanReport[];
  /** Set when the run was narrowed to one cluster (see AlertOptions.scopeClusterId). */
  scopeClusterId?: string;
  /**
   * The batch of a complete run, already computed cluster by cluster (AlertCollector, while the run was recorded):
   * recorded as it is, `previous` and `history` unused.
   */
  computed?: AlertBatch;
  /** Exemption changes waiting for a digest (the store's audit trail): carried in this batch, then marked. */
  exemptions?: ExemptionChangeSource;
  now?: () => Date;
}

export interface ExemptionChangeSource {
  unreportedExemptionChanges(): Promise<{ entries: ExemptionVersion[]; keys: string[] }>;
  markExemptionChangesReported(keys: string[]): Promise<void>;
}

function clipped(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** An audit-trail entry as the digest lists it. */
export function exemptionNote(v: ExemptionVersion): ExemptionNote {
  return {
    id: clipped(v.id, 128),
    action: v.action,
    at: clipped(v.at, 64),
    by: clipped(v.by.name || v.by.oid, 256),
    ruleId: clipped(v.exemption.ruleId, 128),
    scope: clipped(v.exemption.scope, 1024),
    expiresOn: clipped(v.exemption.expiresOn, 64),
  };
}

export interface HandOverInput {
  /** With the API's app registration (`apiAudience` or `apiClientId`), the call carries a bearer token for it. */
  settings: Pick<Settings, 'notifyUrl' | 'notifyKey'> & Partial<Pick<Settings, 'apiAudience' | 'apiClientId'>>;
  clients: Pick<AzureClients, 'queueClient' | 'credential'>;
  runId: string;
  /** Alerts in the stored batch: an empty batch is not handed over. */
  alerts: number;
  log: (line: string) => void;
  retry?: RetryOptions;
  now?: () => Date;
}

export interface NotifyAfterScanResult {
  alerts: number;
  /** `notifier`: handed to POST /api/notify; `queue`: to the delivery queue; `none`: nothing to hand over. */
  handedTo: 'notifier' | 'queue' | 'none';
  skipped?: 'not_configured';
}

function sameList(a: string[] | undefined, b: string[]): boolean {
  const norm = (xs: string[]) => [...new Set(xs.map((x) => x.toLowerCase()))].sort().join(',');
  return a === undefined || norm(a) === norm(b);
}

async function historyFrom(
  store: RunHistorySource | undefined,
  previous: ScanReport | undefined,
  log: (l: string) => void,
) {
  if (!store || !previous) return undefined;
  try {
    const runs = await store.listRuns(10);
    const at = runs.findIndex((r) => r.runId === previous.runId);
    const before = runs.slice(at + 1).find(
      (r) =>
        r.runId !== previous.runId &&
        r.complete !== false &&
        (r.status === undefined || r.status === 'completed') &&
        // Only a fleet run over the same scope as previous says what the clusters were before it.
        !r.scope?.clusterId &&
        sameList(r.scope?.subscriptions, previous.scope.subscriptions) &&
        sameList(r.scope?.managementGroups, previous.scope.managementGroups),
    );
    if (at < 0 || !before) return [];
    const report = store.getRunBaseline
      ? await store.getRunBaseline(before.runId)
      : await store.getRunReport(before.runId);
    return report ? [report] : [];
  } catch (error) {
    log(`alerts: run history unreadable (${(error as Error).message}); unreadable-cluster alerts are skipped this run`);
    return undefined;
  }
}

/**
 * The problems of the finished run of the same scope just before `report` (undefined when there is none, or it
 * cannot be read: then every problem is new).
 */
async function problemsBefore(
  store: RunHistorySource | undefined,
  report: ScanReport,
  scopeClusterId: string | undefined,
  log: (l: string) => void,
): Promise<ScanProblem[] | undefined> {
  if (!store?.getRunProblems) return undefined;
  try {
    const runs = await store.listRuns(10);
    const at = runs.findIndex((r) => r.runId === report.runId);
    const before = runs.slice(at + 1).find(
      (r) =>
        (r.status === 'completed' || r.status === 'partial') &&
        // On-demand runs alert no partial run: what they met was never told.
        (r as { trigger?: string }).trigger !== 'http' &&
        (r.scope?.clusterId ?? undefined) === scopeClusterId &&
        sameList(r.scope?.subscriptions, report.scope.subscriptions) &&
        sameList(r.scope?.managementGroups, report.scope.managementGroups),
    );
    if (at < 0 || !before) return undefined;
    return (await store.getRunProblems(before.runId)) ?? [];
  } catch (error) {
    log(`alerts: the previous run's problems are unreadable (${(error as Error).message}); every problem is alerted`);
    return undefined;
  }
}

/**
 * Computes the run's alerts and records them with the run. Storage errors propagate: the run fails and its retry
 * computes the same batch again (the batch is recorded before the run's findings, so the retry has the same
 * baseline). A batch already recorded for the run ID is kept.
 */
export async function recordAlerts(input: RecordAlertsInput): Promise<AlertBatch> {
  const batch = input.computed ?? (await computeBatch(input));
  // Exemption changes ride with the batch; they are marked reported once it is recorded (a failure to mark only
  // lists them again in the next digest).
  const pending = input.exemptions ? await input.exemptions.unreportedExemptionChanges() : undefined;
  const carried = pending ? pending.entries.slice(0, EXEMPTION_NOTES_MAX) : [];
  if (carried.length > 0) batch.exemptionChanges = carried.map(exemptionNote);
  const { header, created } = await new AlertBatchStore(input.clients).record(
    batch,
    (input.now ?? (() => new Date()))(),
  );
  if (!created) {
    input.log(`alerts: run ${batch.runId} already has its alert batch (${header.alerts} alert(s)); kept`);
    return (await new AlertBatchStore(input.clients).get(batch.runId)) ?? batch;
  }
  if (pending && carried.length > 0) {
    try {
      await input.exemptions!.markExemptionChangesReported(pending.keys.slice(0, carried.length));
    } catch (error) {
      input.log(`alerts: exemption changes carried by run ${batch.runId} not marked (${(error as Error).message})`);
    }
  }
  return batch;
}

async function computeBatch(input: RecordAlertsInput): Promise<AlertBatch> {
  const history = input.history ?? (await historyFrom(input.store, input.previous, input.log));
  const previousProblems = input.report.complete
    ? undefined
    : await problemsBefore(input.store, input.report, input.scopeClusterId, input.log);
  return computeAlertBatch(input.previous, input.report, {
    ...(previousProblems ? { previousProblems } : {}),
    minSeverity: input.settings.alertMinSeverity,
    ownerTag: input.settings.ownerTag,
    history,
    scopeClusterId: input.scopeClusterId,
  });
}

/** Hands a recorded run to the notifier (its run ID only), or to the delivery queue when that fails. */
export async function handOverAlerts(input: HandOverInput): Promise<NotifyAfterScanResult> {
  const { settings, log, runId } = input;
  const now = input.now ?? (() => new Date());
  if (input.alerts === 0) {
    log(`alerts: run ${runId} changed nothing worth an alert`);
    return { alerts: 0, handedTo: 'none' };
  }
  if (!settings.notifyUrl) {
    log(
      `alerts: AKS_COMPLIANCE_NOTIFY_URL is not set; the ${input.alerts} alert(s) of run ${runId} are stored, not sent`,
    );
    return { alerts: input.alerts, handedTo: 'none', skipped: 'not_configured' };
  }
  let error: string;
  try {
    const headers: Record<string, string> = {};
    // The scanner's own identity holds the API's Alerts.Send app role.
    const resource = settings.apiAudience ?? settings.apiClientId;
    if (resource) {
      const token = await input.clients.credential.getToken(`${resource}/.default`);
      if (!token) throw new Error(`no token for the API (${resource})`);
      headers.authorization = `Bearer ${token.token}`;
    }
    if (settings.notifyKey) headers['x-functions-key'] = settings.notifyKey;
    // The notifier may itself wait out Teams' Retry-After: give it most of the Functions HTTP limit (230 s).
    const r = await postJsonWithRetry(settings.notifyUrl, { runId }, headers, {
      attempts: 3,
      timeoutMs: 200_000,
      ...input.retry,
    });
    if (r.ok) {
      log(`alerts: run ${runId}: ${input.alerts} alert(s) handed to the notifier`);
      return { alerts: input.alerts, handedTo: 'notifier' };
    }
    error = `notifier: ${r.error}`;
  } catch (e) {
    error = `notifier: ${(e as Error).message}`;
  }
  try {
    await queueRun(input.clients, runId, error, now());
    log(`alerts: ${error}; run ${runId} queued for delivery by the delivery queue`);
    return { alerts: input.alerts, handedTo: 'queue' };
  } catch (e) {
    // Still stored with the run: posting its ID again (POST /api/notify) delivers it.
    log(
      `alerts: ${error}, and the delivery queue is unavailable (${(e as Error).message}): the ${input.alerts} alert(s) of run ${runId} stay stored, undelivered`,
    );
    throw new Error(`alerts of run ${runId} could not be handed over: ${error}`);
  }
}
