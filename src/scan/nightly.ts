// The nightly scan's timer handler and options: a timer on %AKS_COMPLIANCE_SCHEDULE% (default 0 0 2 * * *), never on
// start-up. src/functions/nightlyScan.ts registers it; the demo calls the handler without registering anything, so
// the Functions library never switches to (and warns about) its "test mode" there.
import type { InvocationContext, Timer, TimerFunctionOptions } from '@azure/functions';
import { defaultHttpDeps, type HttpDeps } from '../http/common';
import { runScanJob } from './job';

/**
 * The run ID of a schedule occurrence, so a retry of the same occurrence reuses it and the store continues that run.
 * While an occurrence runs, the host's `scheduleStatus.next` is still that occurrence (it moves on afterwards);
 * without a usable status the invocation minute stands in.
 */
export function timerRunId(timer: Timer, now = new Date()): string {
  const next = timer.scheduleStatus?.next ? new Date(timer.scheduleStatus.next) : undefined;
  const occurrence =
    next && !Number.isNaN(next.getTime()) && next.getTime() <= now.getTime() + 60_000
      ? next
      : new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  return `${occurrence
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-timer`;
}

export async function nightlyScanHandler(timer: Timer, context: InvocationContext, deps?: HttpDeps): Promise<void> {
  const { settings, clients, store } = deps ?? defaultHttpDeps();
  const runId = timerRunId(timer, deps?.now?.() ?? new Date());
  context.log(JSON.stringify({ event: 'nightlyScan', runId, isPastDue: timer.isPastDue }));
  // Errors propagate: the host records the failure and the retry reruns the same run ID.
  await runScanJob(
    { settings, clients, store, log: (line) => context.log(line) },
    { runId, trigger: 'timer', notify: true },
  );
}

/**
 * A failed night (storage or the store's lease unavailable, an error thrown by the job) is retried by the host with
 * exponential back-off: 1, 2, 4, 8 minutes (at most 15), the same occurrence and so the same run ID. The host keeps
 * the retry count in memory: an instance that is recycled mid-retry leaves the rest to the next night.
 */
export const NIGHTLY_RETRY = {
  strategy: 'exponentialBackoff',
  maxRetryCount: 4,
  minimumInterval: { minutes: 1 },
  maximumInterval: { minutes: 15 },
} as const satisfies TimerFunctionOptions['retry'];

export const nightlyScanOptions: TimerFunctionOptions = {
  schedule: '%AKS_COMPLIANCE_SCHEDULE%',
  runOnStartup: false,
  retry: NIGHTLY_RETRY,
  handler: (timer, context) => nightlyScanHandler(timer, context),
};
