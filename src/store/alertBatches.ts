// Alert batches: each run's alerts, recorded by the scanner with the run, read by the notifier when it is told the run
// ID. The notifier delivers only what is stored here, so nobody can post alert content to it.
//
// Table `<prefix>AlertBatches`: PK = the run ID (run IDs are `[A-Za-z0-9_.:-]`, valid in keys), RK `chunk.NNNN` for
// the gzipped batch JSON (binary properties of at most 60,000 bytes, 10 per entity) and RK `header` written last:
// a batch without its header is not there yet. A run's batch is written once: recording it again (the timer retrying
// the same occurrence) keeps the first, so a retry that finds nothing new cannot replace the real alerts.
import { createHash } from 'node:crypto';
import { once as onceEvent } from 'node:events';
import { createGzip, gunzipSync } from 'node:zlib';
import type { TableClient, TableEntity } from '@azure/data-tables';
import type { AzureClients } from '../azure/clients';
import type { AlertBatch } from '../alerts/alerts';
import { once } from './tables';

const BYTES_PER_PROPERTY = 60_000;
// 600,000 bytes an entity: under the 1 MiB entity limit however it is counted (its base64 on the wire is 800,000
// characters; a batch of 65,000 alerts at 15 properties an entity was refused as EntityTooLarge).
const PROPERTIES_PER_ENTITY = 10;
const BYTES_PER_ENTITY = BYTES_PER_PROPERTY * PROPERTIES_PER_ENTITY;
const HEADER = 'header';

export interface StoredBatchHeader {
  runId: string;
  alerts: number;
  recordedAt: string;
  /** sha256 of the gzipped bytes: a batch read back whole or not at all. */
  sha256: string;
}

const statusOf = (e: unknown) => (e as { statusCode?: number }).statusCode;

export class AlertBatchStore {
  private readonly client: TableClient;
  private readonly ensureTable: () => Promise<void>;

  constructor(clients: Pick<AzureClients, 'tableClient'>, options: { tablePrefix?: string } = {}) {
    this.client = clients.tableClient(`${options.tablePrefix ?? 'akscompliance'}AlertBatches`);
    this.ensureTable = once(() => this.client.createTable());
  }

  /**
   * Records a run's batch unless one is recorded already; returns the header of the batch that is stored (the
   * existing one when there was one).
   */
  async record(batch: AlertBatch, now: Date = new Date()): Promise<{ header: StoredBatchHeader; created: boolean }> {
    await this.ensureTable();
    const existing = await this.header(batch.runId);
    if (existing) return { header: existing, created: false };
    const zipped = await gzipJson(batch);
    const entities = Math.max(1, Math.ceil(zipped.length / BYTES_PER_ENTITY));
    for (let i = 0; i < entities; i += 1) {
      const slice = zipped.subarray(i * BYTES_PER_ENTITY, (i + 1) * BYTES_PER_ENTITY);
      const entity: TableEntity<Record<string, unknown>> = {
        partitionKey: batch.runId,
        rowKey: `chunk.${String(i).padStart(4, '0')}`,
        parts: Math.ceil(slice.length / BYTES_PER_PROPERTY),
      };
      for (let p = 0; p * BYTES_PER_PROPERTY < slice.length; p += 1) {
        entity[`p${p}`] = new Uint8Array(slice.subarray(p * BYTES_PER_PROPERTY, (p + 1) * BYTES_PER_PROPERTY));
      }
      await this.client.upsertEntity(entity, 'Replace');
    }
    const header: StoredBatchHeader = {
      runId: batch.runId,
      alerts: batch.alerts.length,
      recordedAt: now.toISOString(),
      sha256: createHash('sha256').update(zipped).digest('hex'),
    };
    try {
      // The header goes last and only once: a concurrent recorder of the same run loses here and keeps the winner's.
      await this.client.createEntity({ partitionKey: batch.runId, rowKey: HEADER, ...header, chunks: entities });
      return { header, created: true };
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      const winner = await this.header(batch.runId);
      if (!winner) throw error;
      return { header: winner, created: false };
    }
  }

  async header(runId: string): Promise<StoredBatchHeader | undefined> {
    await this.ensureTable();
    try {
      const e = await this.client.getEntity<Record<string, unknown>>(runId, HEADER);
      return {
        runId: String(e.runId),
        alerts: Number(e.alerts),
        recordedAt: String(e.recordedAt),
        sha256: String(e.sha256),
      };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** The run's stored batch, or undefined when none is recorded. Throws when the stored bytes do not check out. */
  async get(runId: string): Promise<AlertBatch | undefined> {
    await this.ensureTable();
    let head: Record<string, unknown>;
    try {
      head = await this.client.getEntity<Record<string, unknown>>(runId, HEADER);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
    const parts: Buffer[] = [];
    for (let i = 0; i < Number(head.chunks); i += 1) {
      const e = await this.client.getEntity<Record<string, unknown>>(runId, `chunk.${String(i).padStart(4, '0')}`);
      for (let p = 0; p < Number(e.parts); p += 1) parts.push(Buffer.from(e[`p${p}`] as Uint8Array));
    }
    const zipped = Buffer.concat(parts);
    if (createHash('sha256').update(zipped).digest('hex') !== head.sha256) {
      throw new Error(`the stored alert batch of run ${runId} is damaged (checksum mismatch)`);
    }
    return JSON.parse(gunzipSync(zipped).toString('utf8')) as AlertBatch;
  }
}

/** Alerts serialised and compressed at a time: a fleet's first night can raise tens of thousands. */
const ALERTS_PER_PIECE = 500;

/**
 * `JSON.stringify(batch)` gzipped, written to the compressor a few hundred alerts at a time: the batch's whole JSON
 * (tens of MB for a fleet's first night) is never one string.
 */
export async function gzipJson(batch: AlertBatch): Promise<Buffer> {
  const gzip = createGzip();
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = onceEvent(gzip, 'end');
  const write = async (text: string): Promise<void> => {
    if (!gzip.write(text, 'utf8')) await onceEvent(gzip, 'drain');
  };
  // The batch with a marker in place of its alerts, split around it: the same keys in the same order.
  const MARKER = '"\\u0000alerts\\u0000"';
  const outline = JSON.stringify({ ...batch, alerts: '\u0000alerts\u0000' });
  const at = outline.indexOf(MARKER);
  if (at < 0 || outline.lastIndexOf(MARKER) !== at) {
    // The marker's text is in the batch itself (a caller wrote it): the batch whole, then.
    await write(JSON.stringify(batch));
    gzip.end();
    await ended;
    return Buffer.concat(out);
  }
  await write(outline.slice(0, at) + '[');
  for (let i = 0; i < batch.alerts.length; i += ALERTS_PER_PIECE) {
    const piece = batch.alerts.slice(i, i + ALERTS_PER_PIECE).map((a) => JSON.stringify(a));
    await write((i > 0 ? ',' : '') + piece.join(','));
  }
  await write(']' + outline.slice(at + MARKER.length));
  gzip.end();
  await ended;
  return Buffer.concat(out);
}
