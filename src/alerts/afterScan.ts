// After a scan: work out what changed and post it to the notifier; what cannot be posted waits in the outbox.
import type { TokenCredential } from '@azure/core-auth';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Settings } from '../config/settings';
import type { ScanReport } from '../model';
import { computeAlertBatch, LIMITS, type AlertBatch } from './alerts';
import { flushOutbox } from './notifier';
import { postJsonWithRetry, type RetryOptions } from './retry';
import { AlertOutbox, type AlertTables } from './tables';

/** Stays below the notifier's 1 MB body limit with room for headers and the part counter. */
export const MAX_BATCH_BYTES = 900_000;

/** What notifyAfterScan needs from the finding store, to find the run before `previous` (for `unreadable`). */
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
}

export interface NotifyAfterScanInput {
  /** With the channel settings too (a full Settings), queued channel deliveries are retried from here as well. */
  settings: Pick<Settings, 'notifyUrl' | 'notifyKey' | 'alertMinSeverity' | 'ownerTag' | 'reportUrl'> &
    Partial<Pick<Settings, 'teamsWebhookUrl' | 'mailSender' | 'mailTo' | 'apiAudience' | 'apiClientId'>>;
  /** With a credential and the API settings, the notifier is called with a bearer token for the API (Alerts.Send). */
  clients: AlertTables & { graph?: Client; credential?: TokenCredential };
  store?: RunHistorySource;
  /** The previous run's report; thin (FindingStore.getRunBaseline) is enough. */
  previous: ScanReport | undefined;
  report: ScanReport;
  log: (line: string) => void;
  /** Reports before `previous`, newest first; read from `store` when not given. */
  history?: ScanReport[];
  /** Set when the run was narrowed to one cluster (see AlertOptions.scopeClusterId). */
  scopeClusterId?: string;
  retry?: RetryOptions;
  now?: () => Date;
}

export interface NotifyAfterScanResult {
  alerts: number;
  posted: number;
  queued: number;
  outbox: { delivered: number; stillPending: number; dead: number };
  skipped?: 'not_configured';
}

/** Splits a batch into parts that each serialise under MAX_BATCH_BYTES and the schema's alert count. */
export function splitBatch(batch: AlertBatch): AlertBatch[] {
  const base = Buffer.byteLength(JSON.stringify({ ...batch, alerts: [], part: { index: 1000, count: 1000 } }));
  const groups: AlertBatch['alerts'][] = [];
  let current: AlertBatch['alerts'] = [];
  let size = base;
  for (const alert of batch.alerts) {
    const bytes = Buffer.byteLength(JSON.stringify(alert)) + 1;
    if (current.length > 0 && (size + bytes > MAX_BATCH_BYTES || current.length >= LIMITS.alertsPerBatch)) {
      groups.push(current);
      current = [];
      size = base;
    }
    current.push(alert);
    size += bytes;
  }
  groups.push(current);
  if (groups.length === 1) return [batch];
  return groups.map((alerts, i) => ({ ...batch, alerts, part: { index: i + 1, count: groups.length } }));
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

export async function notifyAfterScan(input: NotifyAfterScanInput): Promise<NotifyAfterScanResult> {
  const { settings, log } = input;
  const now = input.now ?? (() => new Date());
  const result: NotifyAfterScanResult = {
    alerts: 0,
    posted: 0,
    queued: 0,
    outbox: { delivered: 0, stillPending: 0, dead: 0 },
  };
  if (!settings.notifyUrl) {
    log('alerts: AKS_COMPLIANCE_NOTIFY_URL is not set; no alerts are sent');
    return { ...result, skipped: 'not_configured' };
  }
  const url = settings.notifyUrl;
  const baseHeaders: Record<string, string> = settings.notifyKey ? { 'x-functions-key': settings.notifyKey } : {};
  const apiResource = settings.apiAudience ?? settings.apiClientId;
  const credential = input.clients.credential;
  const post = async (batch: AlertBatch): Promise<{ ok: true } | { ok: false; error: string }> => {
    const headers = { ...baseHeaders };
    if (apiResource && credential) {
      // The scanner's own identity holds the API's Alerts.Send app role.
      try {
        const token = await credential.getToken(`${apiResource}/.default`);
        if (!token) return { ok: false, error: 'notifier: no token for the API' };
        headers.authorization = `Bearer ${token.token}`;
      } catch (error) {
        return { ok: false, error: `notifier: no token for the API (${(error as Error).message.slice(0, 200)})` };
      }
    }
    // The notifier may itself wait out Teams' Retry-After: give it most of the Functions HTTP limit (230 s) rather
    // than time out and post the same batch again while it is still delivering.
    const r = await postJsonWithRetry(url, batch, headers, { attempts: 3, timeoutMs: 200_000, ...input.retry });
    return r.ok ? { ok: true } : { ok: false, error: `notifier: ${r.error}` };
  };

  // Older batches first, so alerts arrive in the order their runs happened.
  const graph = input.clients.graph;
  const channelSettings =
    graph && settings.mailTo
      ? { teamsWebhookUrl: settings.teamsWebhookUrl, mailSender: settings.mailSender, mailTo: settings.mailTo }
      : undefined;
  result.outbox = await flushOutbox(
    {
      clients: { tableClient: (name) => input.clients.tableClient(name), graph: graph as Client },
      log,
      now,
      settings: channelSettings,
      retry: input.retry,
    },
    post,
  );

  const history = input.history ?? (await historyFrom(input.store, input.previous, log));
  const batch = computeAlertBatch(input.previous, input.report, {
    minSeverity: settings.alertMinSeverity,
    reportUrl: settings.reportUrl,
    ownerTag: settings.ownerTag,
    history,
    scopeClusterId: input.scopeClusterId,
  });
  result.alerts = batch.alerts.length;
  if (batch.alerts.length === 0) {
    log(`alerts: run ${batch.runId} changed nothing worth an alert`);
    return result;
  }
  const outbox = new AlertOutbox(input.clients);
  for (const part of splitBatch(batch)) {
    const r = await post(part);
    if (r.ok) {
      result.posted += 1;
      continue;
    }
    try {
      await outbox.put('batch', '', part, r.error, now());
      result.queued += 1;
      log(
        `alerts: ${r.error}; ${part.alerts.length} alert(s) of run ${batch.runId} kept in the outbox for the next run`,
      );
    } catch (error) {
      log(
        `alerts: ${r.error}, and the outbox is unavailable (${(error as Error).message}): ${part.alerts.length} alert(s) of run ${batch.runId} are lost`,
      );
    }
  }
  log(
    `alerts: run ${batch.runId}: ${batch.alerts.length} alert(s), ${result.posted} batch(es) posted, ${result.queued} queued`,
  );
  return result;
}
