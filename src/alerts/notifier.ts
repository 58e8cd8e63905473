// Delivery of alert batches to Teams and email, at most once per alert and channel, with an outbox for what fails.
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Settings } from '../config/settings';
import type { Alert, AlertBatch } from './alerts';
import { buildMail } from './mail';
import { isValidEmail } from './mail';
import { defaultSleep, postJsonWithRetry, type RetryOptions } from './retry';
import { AlertOutbox, DeliveryLog, isExpired, type AlertTables, type OutboxEntry } from './tables';
import { buildTeamsMessage } from './teamsCard';

export type NotifierSettings = Pick<Settings, 'teamsWebhookUrl' | 'mailSender' | 'mailTo'>;

export interface NotifierDeps {
  settings: NotifierSettings;
  clients: AlertTables & { graph: Client };
  log: (line: string) => void;
  now?: () => Date;
  retry?: RetryOptions;
}

export type ChannelStatus = 'delivered' | 'skipped_duplicate' | 'queued' | 'failed';

export interface ChannelResult {
  channel: string;
  status: ChannelStatus;
  alerts: number;
  error?: string;
}

export interface InvalidOwner {
  clusterId: string;
  clusterName: string;
  reason: string;
}

export interface DeliveryResult {
  runId: string;
  channels: ChannelResult[];
  notConfigured: string[];
  invalidOwners: InvalidOwner[];
}

/** Teams throttles above 4 requests a second: successive posts from one process keep 250 ms apart. */
const TEAMS_SPACING_MS = 250;
let nextTeamsSlot = 0;
async function teamsSlot(sleep: (ms: number) => Promise<void>): Promise<void> {
  const now = Date.now();
  const at = Math.max(now, nextTeamsSlot);
  nextTeamsSlot = at + TEAMS_SPACING_MS;
  if (at > now) await sleep(at - now);
}

/** Channels delivered at once: Teams and the summary mail never wait behind hundreds of owner mails. */
const MAX_PARALLEL_CHANNELS = 4;

async function inPool<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

/** A value from a posted batch, quoted for a log line: no line breaks or control characters get through. */
export function logValue(value: string): string {
  return JSON.stringify(value.slice(0, 200));
}

function describeError(error: unknown): string {
  const e = error as { statusCode?: number; code?: string; message?: string };
  const status = e.statusCode !== undefined ? `HTTP ${e.statusCode} ` : '';
  return `${status}${e.code ?? ''}${e.code && e.message ? ': ' : ''}${e.message ?? String(error)}`
    .replace(/\s+/g, ' ')
    .slice(0, 500);
}

/** The alerts a channel carries: owners get only their clusters' alerts. */
function alertsFor(channel: string, batch: AlertBatch): Alert[] {
  if (!channel.startsWith('owner:')) return batch.alerts;
  const owner = channel.slice('owner:'.length);
  return batch.alerts.filter((a) => a.ownerEmail !== undefined && a.ownerEmail.trim().toLowerCase() === owner);
}

function configured(channel: string, settings: NotifierSettings): boolean {
  if (channel === 'teams') return Boolean(settings.teamsWebhookUrl);
  if (channel === 'mail') return Boolean(settings.mailSender) && settings.mailTo.length > 0;
  return channel.startsWith('owner:') && Boolean(settings.mailSender);
}

async function send(deps: NotifierDeps, channel: string, batch: AlertBatch, alerts: Alert[]): Promise<void> {
  const { settings } = deps;
  if (channel === 'teams') {
    const sleep = deps.retry?.sleep ?? defaultSleep;
    await teamsSlot(sleep);
    const { message } = buildTeamsMessage(batch, alerts);
    // 4 tries of at most 15 s plus waits of at most 30 s stay well inside the scanner's 200 s wait for the notifier.
    const result = await postJsonWithRetry(
      settings.teamsWebhookUrl!,
      message,
      {},
      { timeoutMs: 15_000, ...deps.retry },
    );
    if (!result.ok) throw new Error(`Teams webhook: ${result.error}`);
    return;
  }
  const owner = channel.startsWith('owner:') ? channel.slice('owner:'.length) : undefined;
  const { subject, html } = buildMail(batch, alerts, owner ? { clusterOwner: owner } : undefined);
  const to = owner ? [owner] : settings.mailTo;
  // The Graph client retries 429/503/504 itself, honouring Retry-After.
  await deps.clients.graph.api(`/users/${encodeURIComponent(settings.mailSender!)}/sendMail`).post({
    message: {
      subject,
      body: { contentType: 'HTML', content: html },
      toRecipients: to.map((address) => ({ emailAddress: { address } })),
    },
    saveToSentItems: false,
  });
}

/**
 * Sends the alerts of `batch` that `channel` has not received yet and records them as delivered.
 * Returns the outcome without queueing; callers decide what a failure means.
 */
async function deliverChannel(
  deps: NotifierDeps,
  log: DeliveryLog,
  channel: string,
  batch: AlertBatch,
): Promise<
  | { status: 'delivered' | 'skipped_duplicate'; alerts: number; pending: Alert[] }
  | { status: 'error'; error: string; pending: Alert[] }
> {
  const now = deps.now ?? (() => new Date());
  const relevant = alertsFor(channel, batch);
  let pending = relevant;
  try {
    const done = await log.delivered(
      channel,
      batch.runId,
      relevant.map((a) => a.key),
    );
    pending = relevant.filter((a) => !done.has(a.key));
  } catch (error) {
    // Without the delivery log we cannot promise "once": do not send, queue instead.
    return { status: 'error', error: `delivery log unreadable: ${describeError(error)}`, pending };
  }
  if (pending.length === 0) return { status: 'skipped_duplicate', alerts: relevant.length, pending };
  try {
    await send(deps, channel, batch, pending);
  } catch (error) {
    return { status: 'error', error: describeError(error), pending };
  }
  try {
    await log.record(
      channel,
      batch.runId,
      pending.map((a) => a.key),
      now(),
    );
  } catch (error) {
    deps.log(
      `alerts: ${channel} delivered ${pending.length} alert(s) of run ${logValue(batch.runId)} but recording it failed (${describeError(error)}); a retry may repeat them`,
    );
  }
  return { status: 'delivered', alerts: pending.length, pending };
}

export function channelsFor(
  batch: AlertBatch,
  settings: NotifierSettings,
): { channels: string[]; notConfigured: string[]; invalidOwners: InvalidOwner[] } {
  const invalidOwners: InvalidOwner[] = [];
  const owners = new Set<string>();
  for (const alert of batch.alerts) {
    if (alert.ownerEmail === undefined) continue;
    const address = alert.ownerEmail.trim();
    if (isValidEmail(address)) owners.add(address.toLowerCase());
    else
      invalidOwners.push({
        clusterId: alert.clusterId,
        clusterName: alert.clusterName,
        reason: 'owner tag is not an email address',
      });
  }
  const wanted = ['teams', 'mail', ...[...owners].sort().map((o) => `owner:${o}`)];
  const channels = wanted.filter((c) => configured(c, settings));
  const notConfigured = wanted
    .filter((c) => !configured(c, settings))
    .map((c) => (c.startsWith('owner:') ? 'owner-mail' : c));
  const uniqueInvalid = [...new Map(invalidOwners.map((i) => [i.clusterId.toLowerCase(), i])).values()];
  return { channels, notConfigured: [...new Set(notConfigured)], invalidOwners: uniqueInvalid };
}

/** Delivers a batch on every configured channel; each channel on its own, failures queued in the outbox. */
export async function deliverBatch(deps: NotifierDeps, batch: AlertBatch): Promise<DeliveryResult> {
  const now = deps.now ?? (() => new Date());
  if (batch.alerts.length === 0) return { runId: batch.runId, channels: [], notConfigured: [], invalidOwners: [] };
  const { channels, notConfigured, invalidOwners } = channelsFor(batch, deps.settings);
  for (const bad of invalidOwners) {
    deps.log(
      `alerts: cluster ${logValue(bad.clusterId)} has an owner tag that is not an email address; its owner mail is not sent`,
    );
  }
  const log = new DeliveryLog(deps.clients);
  const outbox = new AlertOutbox(deps.clients);
  const results = await inPool(channels, MAX_PARALLEL_CHANNELS, async (channel): Promise<ChannelResult> => {
    const outcome = await deliverChannel(deps, log, channel, batch);
    if (outcome.status !== 'error') return { channel, status: outcome.status, alerts: outcome.alerts };
    const queued: AlertBatch = { ...batch, alerts: outcome.pending };
    try {
      await outbox.put('delivery', channel, queued, outcome.error, now());
      deps.log(
        `alerts: ${channel} failed for run ${logValue(batch.runId)} (${outcome.error}); ${outcome.pending.length} alert(s) queued in the outbox`,
      );
      return { channel, status: 'queued', alerts: outcome.pending.length, error: outcome.error };
    } catch (error) {
      deps.log(
        `alerts: ${channel} failed for run ${logValue(batch.runId)} (${outcome.error}) and the outbox is unavailable (${describeError(error)})`,
      );
      return { channel, status: 'failed', alerts: outcome.pending.length, error: outcome.error };
    }
  });
  return { runId: batch.runId, channels: results, notConfigured, invalidOwners };
}

export interface FlushResult {
  delivered: number;
  stillPending: number;
  dead: number;
}

/**
 * Retries the outbox: `delivery` entries on their channel (when configured here), `batch` entries through
 * `batchHandler` (the scanner posts them to the notifier again; without one they wait). Entries older than
 * 24 hours are marked dead and logged.
 */
export async function flushOutbox(
  deps: Pick<NotifierDeps, 'clients' | 'log' | 'now'> & { settings?: NotifierSettings; retry?: RetryOptions },
  batchHandler?: (batch: AlertBatch) => Promise<{ ok: true } | { ok: false; error: string }>,
): Promise<FlushResult> {
  const now = deps.now ?? (() => new Date());
  const outbox = new AlertOutbox(deps.clients);
  const log = new DeliveryLog(deps.clients);
  const result: FlushResult = { delivered: 0, stillPending: 0, dead: 0 };
  let entries: OutboxEntry[];
  try {
    entries = await outbox.pending();
  } catch (error) {
    deps.log(`alerts: outbox unreadable (${describeError(error)}); will retry on the next run`);
    return result;
  }
  for (const entry of entries) {
    if (isExpired(entry, now())) {
      await outbox.markDead(entry, now()).catch(() => undefined);
      deps.log(
        `alerts: outbox entry ${entry.id} (${entry.kind}${entry.channel ? ` ${entry.channel}` : ''}, run ${logValue(entry.runId)}, ${entry.batch.alerts.length} alert(s)) is dead after 24 hours: ${entry.lastError}`,
      );
      result.dead += 1;
      continue;
    }
    let outcome: { ok: true } | { ok: false; error: string };
    if (entry.kind === 'delivery') {
      if (!deps.settings || !configured(entry.channel, deps.settings)) {
        result.stillPending += 1; // another process (the notifier) has that channel
        continue;
      }
      const r = await deliverChannel({ ...deps, settings: deps.settings }, log, entry.channel, entry.batch);
      outcome = r.status === 'error' ? { ok: false, error: r.error } : { ok: true };
    } else if (batchHandler) {
      outcome = await batchHandler(entry.batch);
    } else {
      result.stillPending += 1;
      continue;
    }
    try {
      if (outcome.ok) {
        await outbox.remove(entry.id).catch((e: { statusCode?: number }) => {
          if (e.statusCode !== 404) throw e; // removed meanwhile by another run: fine
        });
        result.delivered += 1;
      } else {
        await outbox.failedAgain(entry, outcome.error);
        result.stillPending += 1;
      }
    } catch (error) {
      deps.log(`alerts: outbox entry ${entry.id} could not be updated (${describeError(error)})`);
      result.stillPending += 1;
    }
  }
  return result;
}
