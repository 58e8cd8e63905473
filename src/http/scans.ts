// POST /api/scans: an on-demand scan, optionally narrowed by the body to subscriptions or one cluster:
//   {}  |  {"subscriptions": ["<guid>", ...]}  |  {"clusterId": "/subscriptions/.../managedClusters/NAME"}
// The scan races a time budget below the HTTP limit (230 s on Azure's front ends): finished in time -> 200 with the
// report; otherwise 202 with Location /api/reports/{runId}, which answers 202 until the run is recorded.
// Limitation: after the 202 the scan goes on inside the same invocation; Functions does not guarantee work after a
// response (an instance may be recycled). Such a run stays "running" in the store; the nightly timer is the
// guaranteed path, and an interrupted on-demand run can simply be requested again.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { parseClusterId } from '../inventory/clusters';
import { newRunId, ScanOptionError } from '../scan/runScan';
import { runScanJob, type ScanJobResult } from '../scan/job';
import { StoreBusyError } from '../store/findingStore';
import {
  HttpError,
  SUBSCRIPTION_ID,
  errorResponse,
  readJsonBody,
  readQuery,
  requireMethod,
  resolveDeps,
  respond,
  runningResponse,
  type HttpDeps,
} from './common';
import { requireRole } from './auth';
import { reportResponse } from './reports';

export const DEFAULT_SCAN_BUDGET_MS = 200_000;
const MAX_SUBSCRIPTIONS = 1000;

export interface ScanRequest {
  subscriptions?: string[];
  clusterId?: string;
}

/** Validates the body of POST /api/scans; throws HttpError 400 naming the field. */
export function parseScanRequest(body: unknown): ScanRequest {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'InvalidBody', 'body: must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (key !== 'subscriptions' && key !== 'clusterId') {
      throw new HttpError(
        400,
        'InvalidBody',
        `${key.slice(0, 100)}: not a known field (expected subscriptions or clusterId)`,
      );
    }
  }
  const result: ScanRequest = {};
  if (input.subscriptions !== undefined) {
    const subs = input.subscriptions;
    if (!Array.isArray(subs) || subs.length === 0 || subs.length > MAX_SUBSCRIPTIONS) {
      throw new HttpError(
        400,
        'InvalidBody',
        `subscriptions: must be an array of 1..${MAX_SUBSCRIPTIONS} subscription IDs`,
      );
    }
    subs.forEach((s, i) => {
      if (typeof s !== 'string' || !SUBSCRIPTION_ID.test(s.trim())) {
        throw new HttpError(400, 'InvalidBody', `subscriptions[${i}]: not a subscription ID (a GUID)`);
      }
    });
    result.subscriptions = [...new Set(subs.map((s) => (s as string).trim().toLowerCase()))];
  }
  if (input.clusterId !== undefined) {
    if (result.subscriptions) {
      throw new HttpError(400, 'InvalidBody', 'clusterId: give either subscriptions or clusterId, not both');
    }
    if (typeof input.clusterId !== 'string' || input.clusterId.length > 1024 || !parseClusterId(input.clusterId)) {
      throw new HttpError(
        400,
        'InvalidBody',
        'clusterId: must be a managed cluster resource ID (/subscriptions/S/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/NAME)',
      );
    }
    result.clusterId = input.clusterId.trim();
  }
  return result;
}

type Outcome = { kind: 'done'; result: ScanJobResult } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

export async function handleStartScan(
  request: HttpRequest,
  context: InvocationContext,
  deps?: HttpDeps,
): Promise<HttpResponseInit> {
  return respond(context, 'scans', async () => {
    const resolved = resolveDeps(deps);
    await requireRole(request, 'Scans.Run', resolved.settings);
    requireMethod(request, ['POST']);
    readQuery(request, []);
    const scan = parseScanRequest(await readJsonBody(request));
    const { settings, clients, store } = resolved;
    const runId = newRunId(resolved.now?.() ?? new Date());
    const location = new URL(`/api/reports/${encodeURIComponent(runId)}`, request.url).toString();

    // Recorded as running before anything else, so the Location answers from the first moment.
    await store.markRunStarted({
      runId,
      trigger: 'http',
      scope: {
        subscriptions: scan.subscriptions ?? [],
        managementGroups: [],
        ...(scan.clusterId ? { clusterId: scan.clusterId } : {}),
      },
    });
    const job = runScanJob(
      { settings, clients, store, log: (line) => context.log(line) },
      { runId, trigger: 'http', ...scan, notify: true },
    );
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race<Outcome>([
      job.then(
        (result): Outcome => ({ kind: 'done', result }),
        (error: unknown): Outcome => ({ kind: 'error', error }),
      ),
      new Promise<Outcome>((resolve) => {
        timer = setTimeout(() => resolve({ kind: 'timeout' }), resolved.scanBudgetMs ?? DEFAULT_SCAN_BUDGET_MS);
      }),
    ]);
    clearTimeout(timer);

    if (outcome.kind === 'timeout') {
      job.then(
        (r) => context.log(`scans: run ${r.runId} finished after its 202 (${r.run.status})`),
        (error: unknown) =>
          context.error(`scans: run ${runId} failed after its 202: ${(error as Error)?.message ?? String(error)}`),
      );
      return runningResponse(runId, { report: location }, { Location: location });
    }
    if (outcome.kind === 'error') {
      const error = outcome.error;
      if (error instanceof ScanOptionError)
        throw new HttpError(400, 'InvalidBody', `${error.option}: ${error.message}`);
      if (error instanceof StoreBusyError) return errorResponse(409, 'ScanInProgress', error.message);
      throw error;
    }
    return reportResponse(outcome.result.report, 'json', undefined, 200, { Location: location });
  });
}
