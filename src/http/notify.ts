// POST /api/notify (app role Alerts.Send, held by the scanner's identity): the scanner names a run; the notifier delivers that run's stored alert batch to Teams and mail,
// once per (run, channel, recipient). The body is `{"runId": "..."}` and nothing else: alert content, recipients or
// links in a body are refused (400), so a caller can neither forge nor redirect alerts. An unknown run is a 404.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { createAzureClients, type AzureClients } from '../azure/clients';
import { loadSettings, type Settings } from '../config/settings';
import { deliverRun, logValue, type NotifierDeps } from '../alerts/notifier';
import type { RetryPolicy } from '../alerts/deliveryQueue';
import type { RetryOptions } from '../alerts/retry';
import { requireRole } from './auth';
import { errorResponse, HttpError, jsonResponse, readJsonBody, respond, RUN_ID } from './common';

/** A run ID is all the body holds. */
export const MAX_NOTIFY_BODY_BYTES = 4096;

export interface NotifyDeps {
  settings: Settings;
  clients: Pick<AzureClients, 'graph' | 'tableClient' | 'queueClient'>;
  now?: () => Date;
  retry?: RetryOptions;
  policy?: RetryPolicy;
}

let defaults: NotifyDeps | undefined;
function defaultDeps(): NotifyDeps {
  if (!defaults) {
    const settings = loadSettings();
    defaults = { settings, clients: createAzureClients(settings) };
  }
  return defaults;
}

/** The run ID of a notify body, or the 400 explaining why the body is not just a run ID. */
export function parseNotifyBody(body: unknown): string {
  if (body === undefined) throw new HttpError(400, 'InvalidBody', 'body: expected {"runId": "<run ID>"}');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'InvalidBody', 'body: expected a JSON object {"runId": "<run ID>"}');
  }
  const extra = Object.keys(body).filter((k) => k !== 'runId');
  if (extra.length > 0) {
    throw new HttpError(
      400,
      'ContentNotAccepted',
      `body: only "runId" is accepted; alerts, recipients and links come from the stored run and the settings (got ${extra
        .slice(0, 5)
        .map((k) => JSON.stringify(k.slice(0, 40)))
        .join(', ')})`,
    );
  }
  const runId = (body as { runId?: unknown }).runId;
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) {
    throw new HttpError(400, 'InvalidRunId', 'runId: expected a run ID (letters, digits, _ . : -, at most 128)');
  }
  return runId;
}

export async function handleNotify(
  request: HttpRequest,
  context: InvocationContext,
  deps?: NotifyDeps,
): Promise<HttpResponseInit> {
  return respond(context, 'notify', async () => {
    if (request.method.toUpperCase() !== 'POST') {
      return errorResponse(405, 'MethodNotAllowed', 'use POST', { Allow: 'POST' });
    }
    const resolved = deps ?? defaultDeps();
    // Only the scanner's identity holds Alerts.Send; nothing of the body is read before the token is checked.
    const caller = await requireRole(request, 'Alerts.Send', resolved.settings);
    // Alerts.Send is an application role (the scanner's managed identity); a person holding it is refused too.
    if (caller.kind !== 'app') {
      throw new HttpError(
        403,
        'ApplicationOnlyRole',
        "Alerts.Send is for the scanner's application identity; people cannot call the notifier",
      );
    }
    const runId = parseNotifyBody(await readJsonBody(request, MAX_NOTIFY_BODY_BYTES));
    const notifier: NotifierDeps = {
      settings: resolved.settings,
      clients: resolved.clients,
      log: (line) => context.log(line),
      now: resolved.now,
      retry: resolved.retry,
      policy: resolved.policy,
    };
    let result;
    try {
      result = await deliverRun(notifier, runId);
    } catch (e) {
      context.error(`notify: run ${logValue(runId)}: ${(e as Error).message}`);
      return errorResponse(503, 'NotifierUnavailable', 'the stored run could not be read; post the run ID again later');
    }
    if (!result) return errorResponse(404, 'RunNotFound', `no alert batch is stored for run ${runId}`);
    context.log(
      `notify: run ${logValue(runId)}: ${result.alerts} alert(s); ` +
        result.deliveries
          .map((d) => `${d.channel}${d.channel === 'mail' ? `(${d.audience})` : ''}=${d.status}`)
          .join(' ') +
        (result.refusedRecipients.length
          ? `; ${result.refusedRecipients.length} recipient(s) outside the allowed domains`
          : ''),
    );
    const failed = result.deliveries.filter((d) => d.status === 'failed');
    if (failed.length > 0) {
      // Neither delivered nor queued: the caller hands the run over again (delivery stays once per recipient).
      return jsonResponse(503, {
        error: { code: 'DeliveryIncomplete', message: `${failed.length} delivery(ies) neither delivered nor queued` },
        ...result,
      });
    }
    return jsonResponse(200, result);
  });
}
