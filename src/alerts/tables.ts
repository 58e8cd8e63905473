// Table Storage for alert delivery: which alert keys each channel already received (idempotency), and the outbox
// of what could not be sent yet.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { odata, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import type { AlertBatch } from './alerts';

export const DELIVERIES_TABLE = 'alertdeliveries';
export const OUTBOX_TABLE = 'alertoutbox';
/** An outbox entry older than this is marked dead and logged instead of retried. */
export const OUTBOX_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface AlertTables {
  tableClient(tableName: string): TableClient;
}

const hash = (value: string, length = 40) => createHash('sha256').update(value).digest('hex').slice(0, length);

const ensured = new WeakSet<TableClient>();
async function ensureTable(client: TableClient): Promise<void> {
  if (ensured.has(client)) return;
  await client.createTable(); // an existing table is fine (the SDK swallows TableAlreadyExists)
  ensured.add(client);
}

/** Alert keys delivered per channel. Keys are hashed: they hold cluster IDs with `/`, which keys may not. */
export class DeliveryLog {
  private readonly client: TableClient;

  constructor(tables: AlertTables) {
    this.client = tables.tableClient(DELIVERIES_TABLE);
  }

  private partition(channel: string, runId: string): string {
    return hash(`${channel}|${runId}`, 48);
  }

  /** The subset of `keys` (all of one run) already delivered on `channel`. */
  async delivered(channel: string, runId: string, keys: string[]): Promise<Set<string>> {
    await ensureTable(this.client);
    const rows = new Set<string>();
    const pk = this.partition(channel, runId);
    for await (const entity of this.client.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${pk}`, select: ['RowKey'] },
    })) {
      rows.add(String(entity.rowKey));
    }
    return new Set(keys.filter((k) => rows.has(hash(k))));
  }

  async record(channel: string, runId: string, keys: string[], at: Date): Promise<void> {
    await ensureTable(this.client);
    const pk = this.partition(channel, runId);
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += 100) {
      const actions: TransactionAction[] = unique.slice(i, i + 100).map((key) => [
        'upsert',
        {
          partitionKey: pk,
          rowKey: hash(key),
          channel: channel.slice(0, 1000),
          alertKey: key.slice(0, 30_000),
          deliveredAt: at.toISOString(),
        },
      ]);
      await this.client.submitTransaction(actions);
    }
  }
}

export type OutboxKind = 'batch' | 'delivery';

export interface OutboxEntry {
  id: string;
  kind: OutboxKind;
  /** For `delivery`: the channel that failed (`teams`, `mail`, `owner:ADDRESS`). */
  channel: string;
  runId: string;
  createdAt: string;
  attempts: number;
  lastError: string;
  batch: AlertBatch;
}

const PARTITION = 'outbox';
const CHUNK = 60_000; // binary properties hold at most 64 KiB

/**
 * Batches waiting to be sent. The batch is stored gzipped in binary chunks: a 1 MB batch as a string would pass
 * the 64 KiB property and 1 MiB entity limits.
 */
export class AlertOutbox {
  private readonly client: TableClient;

  constructor(tables: AlertTables) {
    this.client = tables.tableClient(OUTBOX_TABLE);
  }

  /** Adds (or refreshes) an entry; the same kind, channel and alerts map to the same entry. */
  async put(kind: OutboxKind, channel: string, batch: AlertBatch, error: string, now: Date): Promise<string> {
    await ensureTable(this.client);
    const id = `${kind}-${hash(`${kind}|${channel}|${batch.runId}|${batch.part?.index ?? 1}|${batch.alerts.map((a) => a.key).join('\n')}`)}`;
    const zipped = gzipSync(Buffer.from(JSON.stringify(batch), 'utf8'));
    if (zipped.length > CHUNK * 15)
      throw new Error(`alert batch too large for the outbox (${zipped.length} bytes zipped)`);
    const entity: TableEntity<Record<string, unknown>> = {
      partitionKey: PARTITION,
      rowKey: id,
      kind,
      channel: channel.slice(0, 1000),
      runId: batch.runId.slice(0, 1024),
      createdAt: now.toISOString(),
      attempts: 1,
      lastError: error.slice(0, 2000),
      state: 'pending',
      chunks: Math.ceil(zipped.length / CHUNK),
    };
    for (let i = 0; i * CHUNK < zipped.length; i += 1) {
      entity[`p${i}`] = new Uint8Array(zipped.subarray(i * CHUNK, (i + 1) * CHUNK));
    }
    try {
      // Keep the first createdAt when the same entry is queued again: the 24-hour clock does not restart.
      const existing = await this.client.getEntity<Record<string, unknown>>(PARTITION, id);
      entity.createdAt = existing.createdAt;
      entity.attempts = Number(existing.attempts ?? 0) + 1;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    }
    await this.client.upsertEntity(entity, 'Replace');
    return id;
  }

  /** Pending entries, oldest first. */
  async pending(kinds?: OutboxKind[]): Promise<OutboxEntry[]> {
    await ensureTable(this.client);
    const entries: OutboxEntry[] = [];
    for await (const e of this.client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${PARTITION} and state eq ${'pending'}` },
    })) {
      const kind = e.kind as OutboxKind;
      if (kinds && !kinds.includes(kind)) continue;
      const parts: Buffer[] = [];
      for (let i = 0; i < Number(e.chunks ?? 0); i += 1) parts.push(Buffer.from(e[`p${i}`] as Uint8Array));
      entries.push({
        id: String(e.rowKey),
        kind,
        channel: String(e.channel ?? ''),
        runId: String(e.runId ?? ''),
        createdAt: String(e.createdAt),
        attempts: Number(e.attempts ?? 0),
        lastError: String(e.lastError ?? ''),
        batch: JSON.parse(gunzipSync(Buffer.concat(parts)).toString('utf8')) as AlertBatch,
      });
    }
    return entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async remove(id: string): Promise<void> {
    await this.client.deleteEntity(PARTITION, id);
  }

  async failedAgain(entry: OutboxEntry, error: string): Promise<void> {
    await this.client.updateEntity(
      { partitionKey: PARTITION, rowKey: entry.id, attempts: entry.attempts + 1, lastError: error.slice(0, 2000) },
      'Merge',
    );
  }

  /** Kept (state `dead`) for inspection; no longer retried. */
  async markDead(entry: OutboxEntry, now: Date): Promise<void> {
    await this.client.updateEntity(
      { partitionKey: PARTITION, rowKey: entry.id, state: 'dead', deadAt: now.toISOString() },
      'Merge',
    );
  }
}

export function isExpired(entry: OutboxEntry, now: Date): boolean {
  const created = Date.parse(entry.createdAt);
  return Number.isNaN(created) || now.getTime() - created > OUTBOX_MAX_AGE_MS;
}
