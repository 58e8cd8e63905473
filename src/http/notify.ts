// POST /api/notify: takes an alert batch from the scanner and delivers it to Teams and email, once per alert.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { createAzureClients, type AzureClients } from '../azure/clients';
import { loadSettings, type Settings } from '../config/settings';
import type { AlertBatch } from '../alerts/alerts';
import { validateBatch } from '../alerts/batchSchema';
import { deliverBatch, flushOutbox, logValue, type DeliveryResult, type NotifierDeps } from '../alerts/notifier';
import type { RetryOptions } from '../alerts/retry';
import { requireRole } from './auth';
import { errorResponse, HttpError, readBodyBytes } from './common';

export const MAX_NOTIFY_BODY_BYTES = 1024 * 1024;

export interface NotifyDeps {
  settings: Settings;
  clients: Pick<AzureClients, 'graph' | 'tableClient'>;
  now?: () => Date;
  retry?: RetryOptions;
}

let defaults: NotifyDeps | undefined;
function defaultDeps(): NotifyDeps {
  if (!defaults) {
    const settings = loadSettings();
    defaults = { settings, clients: createAzureClients(settings) };
  }
  return defaults;
}

function error(status: number, code: string, message: string): HttpResponseInit {
  return { status, jsonBody: { error: { code, message } } };
}

async function readBody(
  request: HttpRequest,
): Promise<{ ok: true; text: string } | { ok: false; response: HttpResponseInit }> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > MAX_NOTIFY_BODY_BYTES) {
    return { ok: false, response: error(413, 'PayloadTooLarge', `the body is over ${MAX_NOTIFY_BODY_BYTES} bytes`) };
  }
  const type = request.headers.get('content-type');
  if (type && !/\bjson\b/i.test(type)) {
    return {
      ok: false,
      response: error(415, 'UnsupportedMediaType', `content-type must be application/json, not ${type.slice(0, 100)}`),
    };
  }
  const bytes = await readBodyBytes(request, MAX_NOTIFY_BODY_BYTES);
  if (bytes === 'tooLarge') {
    return { ok: false, response: error(413, 'PayloadTooLarge', `the body is over ${MAX_NOTIFY_BODY_BYTES} bytes`) };
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, response: error(400, 'InvalidEncoding', 'the body is not valid UTF-8') };
  }
}

export async function handleNotify(
  request: HttpRequest,
  context: InvocationContext,
  deps?: NotifyDeps,
): Promise<HttpResponseInit> {
  let resolved: NotifyDeps;
  try {
    resolved = deps ?? defaultDeps();
  } catch (e) {
    context.error(`notify: configuration error: ${(e as Error).message}`);
    return error(503, 'NotConfigured', (e as Error).message);
  }
  // Only the scanner's identity holds Alerts.Send; nothing of the body is read before the token is checked.
  try {
    await requireRole(request, 'Alerts.Send', resolved.settings);
  } catch (e) {
    if (e instanceof HttpError) return errorResponse(e.status, e.code, e.message, e.headers);
    context.error(`notify: configuration error: ${(e as Error).message}`);
    return error(503, 'NotConfigured', (e as Error).message);
  }
  const read = await readBody(request);
  if (!read.ok) return read.response;
  let body: unknown;
  try {
    body = JSON.parse(read.text);
  } catch (e) {
    return error(400, 'InvalidJson', `the body is not valid JSON: ${(e as Error).message.slice(0, 200)}`);
  }
  const checked = validateBatch(body);
  if (!checked.ok) return error(400, 'InvalidBatch', checked.message.slice(0, 500));
  const batch: AlertBatch = checked.batch;

  const notifier: NotifierDeps = {
    settings: resolved.settings,
    clients: resolved.clients,
    log: (line) => context.log(line),
    now: resolved.now,
    retry: resolved.retry,
  };
  try {
    // Older undelivered channel deliveries first. Queued whole batches are the scanner's: it posts them again.
    const outbox = await flushOutbox(notifier);
    const result: DeliveryResult = await deliverBatch(notifier, batch);
    context.log(
      `notify: run ${logValue(batch.runId)}: ${batch.alerts.length} alert(s); ` +
        result.channels.map((c) => `${c.channel}=${c.status}`).join(' ') +
        (result.invalidOwners.length ? `; ${result.invalidOwners.length} invalid owner tag(s)` : ''),
    );
    const lost = result.channels.filter((c) => c.status === 'failed');
    const body = { ...result, outbox };
    if (lost.length > 0) {
      // Neither delivered nor queued: tell the sender to keep the batch and post it again (delivery is idempotent).
      return {
        status: 503,
        jsonBody: {
          error: {
            code: 'DeliveryIncomplete',
            message: `not delivered and not queued: ${lost.map((c) => c.channel).join(', ')}`,
          },
          ...body,
        },
      };
    }
    return { status: 200, jsonBody: body };
  } catch (e) {
    context.error(`notify: delivery failed: ${(e as Error).message}`);
    return error(503, 'NotifierUnavailable', 'the notifier could not process the batch; post it again later');
  }
}
