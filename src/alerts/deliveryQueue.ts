// The delivery queue (Azure Storage Queue `alert-deliveries`): what could not be delivered now is retried by the
// queue-triggered function (src/functions/alertDelivery.ts) after a visibility timeout that doubles per attempt; after
// `maxAttempts` or `maxAgeMs` the message goes to `alert-deliveries-poison` and the delivery is reported dead.
// Messages are base64-encoded JSON, the Functions queue trigger's default encoding (`messageEncoding: base64`).
import type { QueueClient } from '@azure/storage-queue';
import type { AzureClients } from '../azure/clients';

export const DELIVERY_QUEUE = 'alert-deliveries';
/** The queue trigger's own poison queue name (`<queue>-poison`): the host and we put given-up messages there. */
export const POISON_QUEUE = `${DELIVERY_QUEUE}-poison`;

export interface RetryPolicy {
  /** Visibility timeout before the first retry; doubles per attempt up to maxDelaySeconds. */
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  /** Attempts in all (the first one included) before the delivery is given up. */
  maxAttempts: number;
  /** Age of the first attempt at which the delivery is given up. */
  maxAgeMs: number;
  /** How long a claim keeps others off while its holder sends (far above the longest send). */
  leaseMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** 1 min, 2, 4, ... 4 h: about 2 days of retries at 4 h cover the week before a delivery is given up. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  firstDelaySeconds: 60,
  maxDelaySeconds: 4 * 60 * 60,
  maxAttempts: 50,
  maxAgeMs: 7 * DAY_MS,
  leaseMs: 10 * 60 * 1000,
};

/** Storage Queues accept visibility timeouts up to 7 days. */
const MAX_VISIBILITY_SECONDS = 7 * 24 * 60 * 60;

/** The wait before retry number `attempts + 1`, after `attempts` failed attempts. */
export function backoffSeconds(policy: RetryPolicy, attempts: number): number {
  const delay = policy.firstDelaySeconds * 2 ** Math.max(0, attempts - 1);
  return Math.min(policy.maxDelaySeconds, MAX_VISIBILITY_SECONDS, Math.round(delay));
}

/** Whether a delivery that has failed `attempts` times since `firstAttemptAt` is to be given up. */
export function givenUp(policy: RetryPolicy, attempts: number, firstAttemptAt: string, now: Date): boolean {
  const first = Date.parse(firstAttemptAt);
  return attempts >= policy.maxAttempts || Number.isNaN(first) || now.getTime() - first >= policy.maxAgeMs;
}

interface Common {
  v: 1;
  runId: string;
  /** Failed attempts so far. */
  attempts: number;
  firstAttemptAt: string;
  lastError?: string;
}

/** Retry one delivery of a run. */
export interface DeliveryMessage extends Common {
  kind: 'delivery';
  channel: 'teams' | 'mail';
  recipient: string;
  audience: 'digest' | 'owner';
}

/** Deliver a whole run (the scanner could not reach the notifier). */
export interface RunMessage extends Common {
  kind: 'run';
}

export type QueueMessage = DeliveryMessage | RunMessage;

const RUN_ID = /^[A-Za-z0-9_.:-]{1,1024}$/;

/** A message as the queue trigger hands it over (an object when the text was JSON) or as read: checked. */
export function parseQueueMessage(raw: unknown): QueueMessage | { error: string } {
  let value = raw;
  if (typeof value === 'string') {
    const text = /^[A-Za-z0-9+/=\s]+$/.test(value) ? Buffer.from(value, 'base64').toString('utf8') : value;
    try {
      value = JSON.parse(text);
    } catch {
      return { error: 'not JSON' };
    }
  }
  if (!value || typeof value !== 'object') return { error: 'not a version 1 message' };
  const m = value as Record<string, unknown>;
  if (m.v !== 1) return { error: 'not a version 1 message' };
  if (typeof m.runId !== 'string' || !RUN_ID.test(m.runId)) return { error: 'runId is missing or invalid' };
  if (typeof m.attempts !== 'number' || !Number.isInteger(m.attempts) || m.attempts < 0) {
    return { error: 'attempts is missing or invalid' };
  }
  if (typeof m.firstAttemptAt !== 'string' || Number.isNaN(Date.parse(m.firstAttemptAt))) {
    return { error: 'firstAttemptAt is missing or invalid' };
  }
  const lastError = typeof m.lastError === 'string' ? { lastError: m.lastError.slice(0, 2000) } : {};
  const common = { v: 1 as const, runId: m.runId, attempts: m.attempts, firstAttemptAt: m.firstAttemptAt };
  if (m.kind === 'run') return { ...common, kind: 'run', ...lastError };
  if (m.kind !== 'delivery') return { error: 'kind must be delivery or run' };
  if (m.channel !== 'teams' && m.channel !== 'mail') return { error: 'channel must be teams or mail' };
  if (m.audience !== 'digest' && m.audience !== 'owner') return { error: 'audience must be digest or owner' };
  if (typeof m.recipient !== 'string' || m.recipient.length === 0 || m.recipient.length > 320) {
    return { error: 'recipient is missing or invalid' };
  }
  return {
    ...common,
    kind: 'delivery',
    channel: m.channel,
    recipient: m.recipient,
    audience: m.audience,
    ...lastError,
  };
}

export const encodeMessage = (message: QueueMessage | Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(message), 'utf8').toString('base64');

export interface MessageHandle {
  messageId: string;
  popReceipt: string;
}

export class DeliveryQueue {
  private ready?: Promise<void>;
  private clientsOf?: { queue: QueueClient; poison: QueueClient };

  /** The clients are made on first use: a missing queue endpoint fails that call, not the notifier's start. */
  constructor(private readonly clients: Pick<AzureClients, 'queueClient'>) {}

  private get queue(): QueueClient {
    this.clientsOf ??= {
      queue: this.clients.queueClient(DELIVERY_QUEUE),
      poison: this.clients.queueClient(POISON_QUEUE),
    };
    return this.clientsOf.queue;
  }

  private get poisonQueue(): QueueClient {
    void this.queue;
    return this.clientsOf!.poison;
  }

  private ensureQueues(): Promise<void> {
    this.ready ??= Promise.resolve()
      .then(() => Promise.all([this.queue.createIfNotExists(), this.poisonQueue.createIfNotExists()]))
      .then(
        () => undefined,
        (error: unknown) => {
          this.ready = undefined;
          throw error;
        },
      );
    return this.ready;
  }

  /** Enqueues a message that becomes visible after `delaySeconds`; it never expires by itself (TTL -1). */
  async send(message: QueueMessage, delaySeconds: number): Promise<MessageHandle> {
    await this.ensureQueues();
    const sent = await this.queue.sendMessage(encodeMessage(message), {
      visibilityTimeout: Math.max(0, Math.round(delaySeconds)),
      messageTimeToLive: -1,
    });
    return { messageId: sent.messageId, popReceipt: sent.popReceipt };
  }

  /** Rewrites a message we enqueued and sets when it becomes visible again. */
  async update(handle: MessageHandle, message: QueueMessage, delaySeconds: number): Promise<MessageHandle> {
    const updated = await this.queue.updateMessage(
      handle.messageId,
      handle.popReceipt,
      encodeMessage(message),
      Math.max(0, Math.round(delaySeconds)),
    );
    return { messageId: handle.messageId, popReceipt: updated.popReceipt! };
  }

  async delete(handle: MessageHandle): Promise<void> {
    await this.queue.deleteMessage(handle.messageId, handle.popReceipt);
  }

  /** Moves a given-up message to the poison queue, with why. */
  async poison(message: QueueMessage | { raw: unknown }, reason: string): Promise<void> {
    await this.ensureQueues();
    await this.poisonQueue.sendMessage(encodeMessage({ ...message, poisonReason: reason.slice(0, 2000) }), {
      messageTimeToLive: -1,
    });
  }
}
