// On-demand scans: POST /api/scans queues a message on a Storage Queue and the queue-triggered function runs it
// (src/functions/scanQueue.ts), not work after the HTTP response. One at a time (the store's scan slot), inside the
// configured scope only, and a partial on-demand run alerts nothing (the nightly run does).
import type { InvocationContext } from '@azure/functions';
import type { Settings } from '../config/settings';
import type { HttpDeps } from '../http/common';
import { runScanJob } from './job';

export const SCAN_QUEUE = 'aks-compliance-scans';
/** A slot held longer than this belongs to a run whose worker died: the next request takes it over. */
export const SCAN_SLOT_STALE_MS = 2 * 60 * 60 * 1000;
/** The Functions host's default maxDequeueCount: after this many attempts a message goes to the poison queue. */
export const MAX_DEQUEUE_COUNT = 5;

export interface ScanMessage {
  runId: string;
  subscriptions?: string[];
  clusterId?: string;
  requestedBy: { oid: string; name: string };
  requestedAt: string;
}

/** Why a requested scan is outside the configured scope (undefined: inside). Pure. */
export function outsideScope(
  request: { subscriptions?: string[]; clusterId?: string },
  settings: Pick<Settings, 'subscriptions' | 'managementGroups'>,
): string | undefined {
  const asked = [
    ...(request.subscriptions ?? []),
    ...(request.clusterId ? [request.clusterId.split('/')[2] ?? ''] : []),
  ].map((s) => s.toLowerCase());
  if (asked.length === 0) return undefined;
  const configured = settings.subscriptions.map((s) => s.toLowerCase());
  if (configured.length > 0) {
    const outside = asked.filter((s) => !configured.includes(s));
    return outside.length === 0
      ? undefined
      : `subscription ${outside.join(', ')} is outside the configured scope (AKS_COMPLIANCE_SUBSCRIPTIONS: ${configured.join(', ')})`;
  }
  if (settings.managementGroups.length > 0) {
    return `the configured scope is management groups ${settings.managementGroups.join(', ')} (AKS_COMPLIANCE_MANAGEMENT_GROUPS); an on-demand scan of a subscription or cluster in it is not supported: POST {} scans the configured scope`;
  }
  return undefined;
}

/** Reads a queue message as the host hands it over (parsed JSON, or its text); undefined when it is not one of ours. */
export function parseScanMessage(entry: unknown): ScanMessage | undefined {
  let value = entry;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.runId !== 'string' || !/^[A-Za-z0-9_.:-]{1,128}$/.test(m.runId)) return undefined;
  if (
    m.subscriptions !== undefined &&
    !(Array.isArray(m.subscriptions) && m.subscriptions.every((s) => typeof s === 'string'))
  )
    return undefined;
  if (m.clusterId !== undefined && typeof m.clusterId !== 'string') return undefined;
  const by = m.requestedBy as Record<string, unknown> | undefined;
  return {
    runId: m.runId,
    ...(m.subscriptions ? { subscriptions: m.subscriptions as string[] } : {}),
    ...(m.clusterId ? { clusterId: m.clusterId as string } : {}),
    requestedBy: { oid: String(by?.oid ?? ''), name: String(by?.name ?? '') },
    requestedAt: String(m.requestedAt ?? ''),
  };
}

/**
 * The queue-triggered worker: runs the queued scan and gives the slot back. A failure propagates so the host retries
 * the message (the same run ID; after its maximum the message goes to the poison queue and the slot expires).
 */
export async function runQueuedScan(entry: unknown, context: InvocationContext, deps: HttpDeps): Promise<void> {
  const message = parseScanMessage(entry);
  if (!message) {
    context.error('scanQueue: a message that is not a queued scan was dropped');
    return;
  }
  const { settings, clients, store } = deps;
  context.log(JSON.stringify({ event: 'onDemandScan', runId: message.runId, requestedBy: message.requestedBy.oid }));
  let done = false;
  try {
    await runScanJob(
      { settings, clients, store, log: (line) => context.log(line) },
      {
        runId: message.runId,
        trigger: 'http',
        ...(message.subscriptions ? { subscriptions: message.subscriptions } : {}),
        ...(message.clusterId ? { clusterId: message.clusterId } : {}),
        notify: true,
        alertPartial: false,
      },
    );
    done = true;
  } finally {
    // A failed attempt keeps the slot for the host's retry of the same run, unless it was the last attempt.
    const attempt = Number(context.triggerMetadata?.dequeueCount ?? 1);
    if (done || attempt >= MAX_DEQUEUE_COUNT) {
      await store
        .releaseScanSlot(message.runId)
        .catch((error: unknown) =>
          context.error(
            `scanQueue: the scan slot of ${message.runId} could not be given back: ${(error as Error).message}`,
          ),
        );
    }
  }
}
