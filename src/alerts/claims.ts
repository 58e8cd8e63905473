// Delivery claims: one row per (run, channel, recipient), inserted before anything is sent (a conditional insert:
// only one caller can create it), so parallel notifier calls never send the same delivery twice.
//
// Table `akscomplianceAlertDeliveries`: PK = run ID, RK = `<channel>.<sha256 of the recipient>` (addresses may hold
// characters keys may not). States: `claimed` (someone is sending; `leaseUntil` bounds it), `sent`, `retrying` (the
// delivery queue owns it), `dead` (given up; a dead letter reports it). A claim whose lease ran out (its holder
// crashed between claim and send) is taken over under its ETag: one caller wins, the others see it busy.
import { createHash, randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { AzureClients } from '../azure/clients';
import { once } from '../store/tables';

export const DELIVERIES_TABLE = 'akscomplianceAlertDeliveries';

export type ClaimState = 'claimed' | 'sent' | 'retrying' | 'dead';

export interface DeliveryKey {
  runId: string;
  channel: string;
  recipient: string;
}

export interface OwnedClaim {
  kind: 'owned';
  etag: string;
  claimId: string;
  /** Failed attempts so far. */
  attempts: number;
  firstAttemptAt: string;
}

export type ClaimOutcome =
  | OwnedClaim
  | { kind: 'sent' }
  | { kind: 'dead' }
  /** Another caller holds a live lease. */
  | { kind: 'busy'; leaseUntil: string }
  /** Waiting in the delivery queue (a fresh caller leaves it to the queue). */
  | { kind: 'retrying' };

const statusOf = (e: unknown) => (e as { statusCode?: number }).statusCode;

function rowKey(key: DeliveryKey): string {
  return `${key.channel}.${createHash('sha256').update(key.recipient).digest('hex').slice(0, 40)}`;
}

export class DeliveryClaims {
  private readonly client: TableClient;
  private readonly ensureTable: () => Promise<void>;

  constructor(clients: Pick<AzureClients, 'tableClient'>) {
    this.client = clients.tableClient(DELIVERIES_TABLE);
    this.ensureTable = once(() => this.client.createTable());
  }

  /**
   * Claims a delivery for `leaseMs`. `fresh` (the notifier) leaves a `retrying` claim to the queue; `retry` (the
   * queue) takes it. Either takes over a claim whose lease has run out.
   */
  async acquire(key: DeliveryKey, mode: 'fresh' | 'retry', now: Date, leaseMs: number): Promise<ClaimOutcome> {
    await this.ensureTable();
    const claimId = randomUUID();
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    try {
      const created = await this.client.createEntity({
        partitionKey: key.runId,
        rowKey: rowKey(key),
        channel: key.channel,
        recipient: key.recipient.slice(0, 1000),
        state: 'claimed',
        claimId,
        leaseUntil,
        attempts: 0,
        firstAttemptAt: now.toISOString(),
      });
      return { kind: 'owned', etag: created.etag!, claimId, attempts: 0, firstAttemptAt: now.toISOString() };
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
    const row = await this.client.getEntity<Record<string, unknown>>(key.runId, rowKey(key));
    const state = row.state as ClaimState;
    if (state === 'sent') return { kind: 'sent' };
    if (state === 'dead') return { kind: 'dead' };
    const lease = String(row.leaseUntil ?? '');
    if (state === 'claimed' && Date.parse(lease) > now.getTime()) return { kind: 'busy', leaseUntil: lease };
    if (state === 'retrying' && mode === 'fresh') return { kind: 'retrying' };
    try {
      const updated = await this.client.updateEntity(
        { partitionKey: key.runId, rowKey: rowKey(key), state: 'claimed', claimId, leaseUntil },
        'Merge',
        { etag: row.etag },
      );
      return {
        kind: 'owned',
        etag: updated.etag!,
        claimId,
        attempts: Number(row.attempts ?? 0),
        firstAttemptAt: String(row.firstAttemptAt ?? now.toISOString()),
      };
    } catch (error) {
      if (statusOf(error) === 412) return { kind: 'busy', leaseUntil };
      throw error;
    }
  }

  /** Ends a claim; false when another caller took it over meanwhile (its lease had run out). */
  async finish(
    key: DeliveryKey,
    claim: OwnedClaim,
    state: Exclude<ClaimState, 'claimed'>,
    fields: { attempts?: number; lastError?: string; at: Date },
  ): Promise<boolean> {
    try {
      await this.client.updateEntity(
        {
          partitionKey: key.runId,
          rowKey: rowKey(key),
          state,
          leaseUntil: '',
          ...(fields.attempts !== undefined ? { attempts: fields.attempts } : {}),
          ...(fields.lastError !== undefined ? { lastError: fields.lastError.slice(0, 2000) } : {}),
          [state === 'sent' ? 'sentAt' : 'updatedAt']: fields.at.toISOString(),
        },
        'Merge',
        { etag: claim.etag },
      );
      return true;
    } catch (error) {
      if (statusOf(error) === 412) return false;
      throw error;
    }
  }

  /** Gives a claim back (nothing was sent and nothing will retry it): the next notifier call claims it again. */
  async release(key: DeliveryKey, claim: OwnedClaim): Promise<void> {
    await this.client.deleteEntity(key.runId, rowKey(key), { etag: claim.etag }).catch((error: unknown) => {
      if (statusOf(error) !== 412 && statusOf(error) !== 404) throw error;
    });
  }
}
