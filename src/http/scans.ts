// POST /api/scans: an on-demand scan, optionally narrowed by the body to subscriptions or one cluster:
//   {}  |  {"subscriptions": ["<guid>", ...]}  |  {"clusterId": "/subscriptions/.../managedClusters/NAME"}
// Inside the configured scope only (403 naming it). The request is queued on a Storage Queue and run by the
// queue-triggered function (src/functions/scanQueue.ts); the answer is 202 with Location /api/reports/{runId}, which
// answers 202 until the run is recorded. One on-demand scan at a time: 409 with Retry-After while one is queued or
// running.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { parseClusterId } from '../inventory/clusters';
import type { QueueClient } from '@azure/storage-queue';
import { createQueueClient } from '../azure/queues';
import { outsideScope, SCAN_QUEUE, SCAN_SLOT_STALE_MS, type ScanMessage } from '../scan/onDemand';
import { newRunId } from '../scan/runScan';
import {
  HttpError,
  SUBSCRIPTION_ID,
  errorResponse,
  jsonResponse,
  readJsonBody,
  readQuery,
  requireMethod,
  resolveDeps,
  respond,
  type HttpDeps,
} from './common';
import { actorOf } from './exemptions';
import { requireRole } from './auth';

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

/** The client of the scan queue, created on first use per storage setting (and the queue with it). */
const queues = new Map<string, Promise<QueueClient>>();
function scanQueue(deps: HttpDeps): Promise<QueueClient> {
  const key = JSON.stringify(deps.settings.storage ?? null);
  let queue = queues.get(key);
  if (!queue) {
    const client = createQueueClient(deps.settings, deps.clients.credential, SCAN_QUEUE);
    queue = client.createIfNotExists().then(() => client);
    queue.catch(() => queues.delete(key));
    queues.set(key, queue);
  }
  return queue;
}

export async function handleStartScan(
  request: HttpRequest,
  context: InvocationContext,
  deps?: HttpDeps,
): Promise<HttpResponseInit> {
  return respond(context, 'scans', async () => {
    const resolved = resolveDeps(deps);
    const caller = await requireRole(request, 'Scans.Run', resolved.settings);
    requireMethod(request, ['POST']);
    readQuery(request, []);
    const scan = parseScanRequest(await readJsonBody(request));
    const outside = outsideScope(scan, resolved.settings);
    if (outside) throw new HttpError(403, 'OutsideConfiguredScope', outside);
    const { store } = resolved;
    const now = resolved.now?.() ?? new Date();
    const runId = newRunId(now);
    const location = new URL(`/api/reports/${encodeURIComponent(runId)}`, request.url).toString();

    const holder = await store.claimScanSlot(runId, SCAN_SLOT_STALE_MS);
    if (holder) {
      return errorResponse(
        409,
        'ScanInProgress',
        `on-demand scan ${holder.runId} (queued ${holder.claimedAt}) is still queued or running; one runs at a time`,
        {
          'Retry-After': '60',
          Location: new URL(`/api/reports/${encodeURIComponent(holder.runId)}`, request.url).toString(),
        },
      );
    }
    const message: ScanMessage = {
      runId,
      ...(scan.subscriptions ? { subscriptions: scan.subscriptions } : {}),
      ...(scan.clusterId ? { clusterId: scan.clusterId } : {}),
      requestedBy: actorOf(caller),
      requestedAt: now.toISOString(),
    };
    try {
      // Recorded as running first, so the Location answers from the first moment.
      await store.markRunStarted({
        runId,
        trigger: 'http',
        scope: {
          subscriptions: scan.subscriptions ?? [],
          managementGroups: [],
          ...(scan.clusterId ? { clusterId: scan.clusterId } : {}),
        },
      });
      const queue = await scanQueue(resolved);
      // The Functions host reads queue messages as base64 (host.json messageEncoding default).
      await queue.sendMessage(Buffer.from(JSON.stringify(message), 'utf8').toString('base64'));
    } catch (error) {
      await store.releaseScanSlot(runId).catch(() => undefined);
      await store.markRunFailed(runId, `not queued: ${(error as Error).message}`, 'http').catch(() => undefined);
      throw error;
    }
    context.log(`scans: run ${runId} queued by ${message.requestedBy.oid}`);
    return jsonResponse(
      202,
      { runId, status: 'queued', report: location },
      { Location: location, 'Retry-After': '30' },
    );
  });
}
