// Delivery of a run's stored alert batch to Teams and mail, exactly once per (run, channel, recipient), also when
// several notifier calls for one run run at once: each delivery is claimed (a conditional insert) before anything is
// sent. A failed delivery goes to the delivery queue and is retried with back-off by the queue-triggered function;
// after the policy's limit it goes to the poison queue and is reported in the next digest.
import type { Client } from '@microsoft/microsoft-graph-client';
import type { AzureClients } from '../azure/clients';
import { AlertBatchStore } from '../store/alertBatches';
import type { AlertBatch } from './alerts';
import { validateBatch } from './batchSchema';
import { describeError, sendDelivery, type ChannelSettings } from './channels';
import { DeliveryClaims, type DeliveryKey, type OwnedClaim } from './claims';
import { DeadLetters, type DeadLetter, type DigestChannel } from './deadLetters';
import {
  backoffSeconds,
  DEFAULT_RETRY_POLICY,
  DeliveryQueue,
  givenUp,
  parseQueueMessage,
  type DeliveryMessage,
  type MessageHandle,
  type QueueMessage,
  type RetryPolicy,
  type RunMessage,
} from './deliveryQueue';
import { alertsFor, planDeliveries, type Delivery, type DeliveryPlan, type RecipientSettings } from './recipients';
import type { RetryOptions } from './retry';

export type NotifierSettings = RecipientSettings & ChannelSettings;

export interface NotifierDeps {
  settings: NotifierSettings;
  clients: Pick<AzureClients, 'tableClient' | 'queueClient'> & { graph: Client };
  log: (line: string) => void;
  now?: () => Date;
  /** Quick retries inside one Teams post. */
  retry?: RetryOptions;
  /** The delivery queue's back-off and limits. */
  policy?: RetryPolicy;
}

export type DeliveryStatus =
  | 'delivered'
  | 'skipped_duplicate'
  | 'in_progress'
  | 'queued'
  | 'given_up'
  /** Neither delivered nor queued (the queue was unavailable too): a later call for the run tries again. */
  | 'failed';

export interface DeliveryOutcome {
  channel: Delivery['channel'];
  recipient: string;
  audience: Delivery['audience'];
  status: DeliveryStatus;
  alerts: number;
  error?: string;
}

export interface RunDeliveryResult extends Omit<DeliveryPlan, 'deliveries'> {
  runId: string;
  alerts: number;
  deliveries: DeliveryOutcome[];
}

/** A value for a log line: quoted, no line breaks or control characters get through. */
export function logValue(value: string): string {
  return JSON.stringify(value.slice(0, 200));
}

/** Deliveries handled at once: Teams and the digest mails never wait behind hundreds of owner mails. */
const MAX_PARALLEL = 4;

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

const describeDelivery = (key: DeliveryKey) =>
  `${key.channel}${key.channel === 'mail' ? ` to ${logValue(key.recipient)}` : ''} of run ${logValue(key.runId)}`;

class Notifier {
  readonly batches: AlertBatchStore;
  readonly claims: DeliveryClaims;
  readonly dead: DeadLetters;
  readonly queue: DeliveryQueue;
  readonly policy: RetryPolicy;
  readonly now: () => Date;
  private readonly deadCache = new Map<DigestChannel, Promise<DeadLetter[]>>();

  constructor(readonly deps: NotifierDeps) {
    this.batches = new AlertBatchStore(deps.clients);
    this.claims = new DeliveryClaims(deps.clients);
    this.dead = new DeadLetters(deps.clients);
    this.queue = new DeliveryQueue(deps.clients);
    this.policy = deps.policy ?? DEFAULT_RETRY_POLICY;
    this.now = deps.now ?? (() => new Date());
  }

  /** Dead deliveries a digest reports (read once per call; an unreadable list only leaves the line out). */
  private deadLettersFor(delivery: Delivery): Promise<DeadLetter[]> {
    if (delivery.audience !== 'digest') return Promise.resolve([]);
    let list = this.deadCache.get(delivery.channel);
    if (!list) {
      list = this.dead.unreported(delivery.channel).catch((error: unknown) => {
        this.deps.log(`alerts: dead deliveries unreadable (${describeError(error)}); this digest does not list them`);
        return [];
      });
      this.deadCache.set(delivery.channel, list);
    }
    return list;
  }

  /** Sends one claimed delivery; the reason when it failed. */
  private async send(batch: AlertBatch, delivery: Delivery): Promise<{ ok: true } | { ok: false; error: string }> {
    const deadLetters = await this.deadLettersFor(delivery);
    try {
      await sendDelivery({
        settings: this.deps.settings,
        graph: this.deps.clients.graph,
        batch,
        delivery,
        alerts: alertsFor(delivery, batch),
        deadLetters,
        retry: this.deps.retry,
      });
    } catch (error) {
      return { ok: false, error: describeError(error) };
    }
    if (deadLetters.length > 0) {
      await this.dead
        .markReported(
          delivery.channel,
          deadLetters.map((d) => d.id),
        )
        .catch((error: unknown) =>
          this.deps.log(`alerts: dead deliveries reported but not marked (${describeError(error)})`),
        );
    }
    return { ok: true };
  }

  private async sent(key: DeliveryKey, claim: OwnedClaim): Promise<void> {
    const ok = await this.claims.finish(key, claim, 'sent', { at: this.now() }).catch((error: unknown) => {
      this.deps.log(`alerts: ${describeDelivery(key)} was sent but not recorded (${describeError(error)})`);
      return true;
    });
    if (!ok) this.deps.log(`alerts: ${describeDelivery(key)} was sent after its claim's lease ran out`);
  }

  /** The notifier's own attempt: claim, send, record; a failure goes to the queue. */
  async deliverNow(batch: AlertBatch, delivery: Delivery): Promise<DeliveryOutcome> {
    const key: DeliveryKey = { runId: batch.runId, channel: delivery.channel, recipient: delivery.recipient };
    const alerts = alertsFor(delivery, batch).length;
    const outcome = (status: DeliveryStatus, error?: string): DeliveryOutcome => ({
      ...delivery,
      status,
      alerts,
      ...(error ? { error } : {}),
    });
    let claim;
    try {
      claim = await this.claims.acquire(key, 'fresh', this.now(), this.policy.leaseMs);
    } catch (error) {
      // Without the claim there is no "once": do not send; the scanner's retry or the run message tries again.
      return outcome('failed', `delivery claims unavailable: ${describeError(error)}`);
    }
    if (claim.kind === 'sent') return outcome('skipped_duplicate');
    if (claim.kind === 'busy') return outcome('in_progress');
    if (claim.kind === 'retrying') return outcome('queued');
    if (claim.kind === 'dead') return outcome('given_up');

    // A guard in the queue: should this process die before the claim is settled, the delivery is retried once the
    // lease has run out (never while it is held, so never twice in parallel).
    const message: DeliveryMessage = {
      v: 1,
      kind: 'delivery',
      runId: batch.runId,
      channel: delivery.channel,
      recipient: delivery.recipient,
      audience: delivery.audience,
      attempts: claim.attempts,
      firstAttemptAt: claim.firstAttemptAt,
    };
    let guard: MessageHandle | undefined;
    try {
      guard = await this.queue.send(message, this.policy.leaseMs / 1000 + 60);
    } catch (error) {
      this.deps.log(`alerts: delivery queue unavailable (${describeError(error)}); ${describeDelivery(key)} unguarded`);
    }

    const result = await this.send(batch, delivery);
    if (result.ok) {
      await this.sent(key, claim);
      if (guard) await this.queue.delete(guard).catch(() => undefined); // a leftover guard finds it sent
      return outcome('delivered');
    }
    const attempts = claim.attempts + 1;
    const next: DeliveryMessage = { ...message, attempts, lastError: result.error };
    const delay = backoffSeconds(this.policy, attempts);
    let queued = false;
    if (guard)
      queued = await this.queue.update(guard, next, delay).then(
        () => true,
        () => false,
      );
    if (!queued) {
      queued = await this.queue.send(next, delay).then(
        () => true,
        () => false,
      );
      if (queued && guard) await this.queue.delete(guard).catch(() => undefined);
    }
    if (!queued) {
      await this.claims.release(key, claim).catch(() => undefined);
      this.deps.log(`alerts: ${describeDelivery(key)} failed (${result.error}) and could not be queued`);
      return outcome('failed', result.error);
    }
    await this.claims
      .finish(key, claim, 'retrying', { attempts, lastError: result.error, at: this.now() })
      .catch(() => undefined); // still `claimed`: the queued message takes it over once the lease has run out
    this.deps.log(`alerts: ${describeDelivery(key)} failed (${result.error}); retry ${attempts + 1} in ${delay} s`);
    return outcome('queued', result.error);
  }

  /** The run's stored batch, checked against the batch schema (whatever is in storage, only that shape is sent). */
  async load(runId: string): Promise<AlertBatch | undefined> {
    const batch = await this.batches.get(runId);
    if (!batch) return undefined;
    const checked = validateBatch(batch);
    if (!checked.ok) throw new Error(`the stored alert batch of run ${runId} is invalid: ${checked.message}`);
    if (batch.runId !== runId) throw new Error(`the stored alert batch of run ${runId} names run ${batch.runId}`);
    return batch;
  }

  async deliverRun(runId: string): Promise<RunDeliveryResult | undefined> {
    const batch = await this.load(runId);
    if (!batch) return undefined;
    const plan = planDeliveries(batch, this.deps.settings);
    for (const bad of plan.invalidOwners) {
      this.deps.log(
        `alerts: cluster ${logValue(bad.clusterId)} has an owner tag that is not an email address; no owner mail`,
      );
    }
    for (const r of plan.refusedRecipients) {
      this.deps.log(`alerts: ${r.source} recipient ${logValue(r.recipient)} is not mailed: ${r.reason}`);
    }
    const base = {
      runId,
      alerts: batch.alerts.length,
      notConfigured: plan.notConfigured,
      invalidOwners: plan.invalidOwners,
      refusedRecipients: plan.refusedRecipients,
    };
    if (batch.alerts.length === 0 && (batch.exemptionChanges?.length ?? 0) === 0) return { ...base, deliveries: [] };
    const deliveries = await inPool(plan.deliveries, MAX_PARALLEL, (d) => this.deliverNow(batch, d));
    return { ...base, deliveries };
  }

  /** Sends a message again later, or to the poison queue once the policy gives it up. */
  private async again(message: QueueMessage, error: string): Promise<'requeued' | 'poisoned'> {
    const attempts = message.attempts + 1;
    const next = { ...message, attempts, lastError: error };
    if (givenUp(this.policy, attempts, message.firstAttemptAt, this.now())) {
      await this.queue.poison(next, error);
      return 'poisoned';
    }
    await this.queue.send(next, backoffSeconds(this.policy, attempts));
    return 'requeued';
  }

  /** A queued delivery, retried: the same claim, so it is sent once however often the message arrives. */
  async retryDelivery(message: DeliveryMessage): Promise<string> {
    const key: DeliveryKey = { runId: message.runId, channel: message.channel, recipient: message.recipient };
    const batch = await this.load(message.runId);
    const delivery = batch
      ? planDeliveries(batch, this.deps.settings).deliveries.find(
          (d) => d.channel === message.channel && d.recipient === message.recipient,
        )
      : undefined;
    if (!batch || !delivery) {
      // Only stored batches and today's recipients are delivered, whatever a message says.
      const why = batch ? 'not a recipient of this run under the current settings' : 'no stored batch for the run';
      await this.queue.poison(message, why);
      this.deps.log(`alerts: queued ${describeDelivery(key)} dropped to the poison queue: ${why}`);
      return 'poisoned';
    }
    const claim = await this.claims.acquire(key, 'retry', this.now(), this.policy.leaseMs);
    if (claim.kind === 'sent' || claim.kind === 'dead') return `already ${claim.kind}`;
    if (claim.kind === 'busy' || claim.kind === 'retrying') {
      // Someone holds it: look again once their lease has run out.
      const wait = claim.kind === 'busy' ? (Date.parse(claim.leaseUntil) - this.now().getTime()) / 1000 + 1 : 60;
      await this.queue.send(message, Math.max(1, wait));
      return 'busy';
    }
    const attemptsBefore = Math.max(message.attempts, claim.attempts);
    const result = await this.send(batch, delivery);
    if (result.ok) {
      await this.sent(key, claim);
      this.deps.log(`alerts: ${describeDelivery(key)} delivered on attempt ${attemptsBefore + 1}`);
      return 'delivered';
    }
    const attempts = attemptsBefore + 1;
    const firstAttemptAt =
      claim.firstAttemptAt < message.firstAttemptAt ? claim.firstAttemptAt : message.firstAttemptAt;
    const outcome = await this.again({ ...message, attempts: attemptsBefore, firstAttemptAt }, result.error);
    if (outcome === 'poisoned') {
      await this.dead.add({
        ...key,
        alerts: alertsFor(delivery, batch).length,
        attempts,
        firstAttemptAt,
        deadAt: this.now().toISOString(),
        reason: result.error,
      });
      await this.claims.finish(key, claim, 'dead', { attempts, lastError: result.error, at: this.now() });
      this.deps.log(
        `alerts: ${describeDelivery(key)} GIVEN UP after ${attempts} attempt(s) since ${firstAttemptAt}: ${result.error}; moved to the poison queue, reported in the next digest`,
      );
      return 'given_up';
    }
    await this.claims.finish(key, claim, 'retrying', { attempts, lastError: result.error, at: this.now() });
    this.deps.log(`alerts: ${describeDelivery(key)} attempt ${attempts} failed (${result.error}); queued again`);
    return 'requeued';
  }

  /** A run the scanner could not hand to the notifier: delivered from the queue instead. */
  async retryRun(message: RunMessage): Promise<string> {
    let result: RunDeliveryResult | undefined;
    try {
      result = await this.deliverRun(message.runId);
    } catch (error) {
      const outcome = await this.again(message, describeError(error));
      this.deps.log(`alerts: run ${logValue(message.runId)} not delivered (${describeError(error)}): ${outcome}`);
      return outcome;
    }
    if (!result) {
      await this.queue.poison(message, 'no stored batch for the run');
      this.deps.log(`alerts: queued run ${logValue(message.runId)} has no stored batch; moved to the poison queue`);
      return 'poisoned';
    }
    const failed = result.deliveries.filter((d) => d.status === 'failed');
    if (failed.length > 0) {
      return this.again(message, failed.map((d) => `${d.channel}: ${d.error}`).join('; '));
    }
    return 'delivered';
  }
}

/** Delivers a run's stored batch (POST /api/notify); undefined when no batch is stored for the run. */
export function deliverRun(deps: NotifierDeps, runId: string): Promise<RunDeliveryResult | undefined> {
  return new Notifier(deps).deliverRun(runId);
}

/**
 * One message of the delivery queue (the queue-triggered function). Returns what was done; throws only when storage
 * itself fails (the Functions host then retries the message, and after its maxDequeueCount moves it to the poison
 * queue).
 */
export async function handleDeliveryMessage(deps: NotifierDeps, raw: unknown): Promise<string> {
  const notifier = new Notifier(deps);
  const message = parseQueueMessage(raw);
  if ('error' in message) {
    await notifier.queue.poison({ raw: String(JSON.stringify(raw)).slice(0, 4000) }, message.error);
    deps.log(`alerts: a delivery queue message is invalid (${message.error}); moved to the poison queue`);
    return 'poisoned';
  }
  return message.kind === 'run' ? notifier.retryRun(message) : notifier.retryDelivery(message);
}

/**
 * Hands a run to the queue (the scanner, when the notifier cannot be reached), visible at once: the queue function
 * delivers it without the HTTP front, and backs off from there if delivery fails too.
 */
export async function queueRun(
  clients: Pick<AzureClients, 'queueClient'>,
  runId: string,
  error: string,
  now: Date,
): Promise<void> {
  await new DeliveryQueue(clients).send(
    { v: 1, kind: 'run', runId, attempts: 1, firstAttemptAt: now.toISOString(), lastError: error.slice(0, 2000) },
    0,
  );
}
