// The six tables and the low-level I/O on them: every write goes through here and is counted (the bench and the
// tests read the counters), writes are batched into entity-group transactions within the service's limits.
import { odata, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import type { AzureClients } from '../azure/clients';
import { entitySize } from './codec';
import { rangeFilter } from './keys';

/** Bytes per transaction (the service limit is 4 MiB). */
const MAX_TRANSACTION_BYTES = 3_500_000;
const MAX_TRANSACTION_ENTITIES = 100;

export type TableRole = 'runs' | 'latest' | 'changes' | 'history' | 'exemptions' | 'digests';
export const TABLE_ROLES: TableRole[] = ['runs', 'latest', 'changes', 'history', 'exemptions', 'digests'];

export interface StoreCounters {
  transactions: number;
  entities: number;
  byTable: Record<TableRole, { transactions: number; entities: number }>;
}

/** A row as read back: keys always present. */
export type Row = Record<string, unknown> & { partitionKey: string; rowKey: string; etag: string };

export type Entity = TableEntity<Record<string, unknown>>;

/** An upsert's entity may be made only when its transaction is (a first run writes the whole fleet). */
export type Action =
  { kind: 'upsert'; pk: string; entity: Entity | (() => Entity) } | { kind: 'delete'; pk: string; rk: string };

export function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number })?.statusCode === 404;
}

/** A conditional write lost: the entity was created (409) or changed (412) since it was read. */
export function isConflict(error: unknown): boolean {
  const code = (error as { statusCode?: number })?.statusCode;
  return code === 409 || code === 412;
}

export function upsertAction(entity: Entity): TransactionAction {
  return ['upsert', entity, 'Replace'];
}

/** A row as written back: without the service's etag and timestamp. */
export function withoutMeta(row: Row): Entity {
  const entity: Record<string, unknown> = { ...row };
  delete entity.etag;
  delete entity.timestamp;
  return entity as Entity;
}

/** Runs `fn` on every item, at most `limit` at a time; the first failure is thrown once all in flight ended. */
export async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && failed === undefined) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (error) {
        failed ??= error;
      }
    }
  });
  await Promise.all(workers);
  if (failed !== undefined) throw failed;
}

/**
 * `create` run once and its promise shared; a failure is forgotten, so the next call tries again (tables are created
 * on first use, and a storage outage at that moment must not stick).
 */
export function once(create: () => Promise<unknown>): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () => {
    ready ??= create().then(
      () => undefined,
      (error: unknown) => {
        ready = undefined;
        throw error;
      },
    );
    return ready;
  };
}

export function emptyCounters(): StoreCounters {
  return {
    transactions: 0,
    entities: 0,
    byTable: Object.fromEntries(
      TABLE_ROLES.map((r) => [r, { transactions: 0, entities: 0 }]),
    ) as StoreCounters['byTable'],
  };
}

export class StoreTables {
  readonly counters: StoreCounters = emptyCounters();
  private readonly tables: Record<TableRole, TableClient>;
  private readonly create: () => Promise<void>;

  constructor(
    clients: Pick<AzureClients, 'tableClient'>,
    prefix: string,
    /** Parallel transactions (or partition reads) in flight. */
    readonly concurrency: number,
  ) {
    if (!/^[A-Za-z][A-Za-z0-9]{2,40}$/.test(prefix)) {
      throw new Error(`table prefix "${prefix}" must be 3..41 letters and digits, starting with a letter`);
    }
    const name = (role: TableRole): string => `${prefix}${role[0].toUpperCase()}${role.slice(1)}`;
    this.tables = Object.fromEntries(TABLE_ROLES.map((role) => [role, clients.tableClient(name(role))])) as Record<
      TableRole,
      TableClient
    >;
    this.create = once(() => Promise.all(TABLE_ROLES.map((role) => this.tables[role].createTable())));
  }

  resetCounters(): void {
    Object.assign(this.counters, emptyCounters());
  }

  /** Creates the tables when missing (once per instance; again after a failure). */
  ensureTables(): Promise<void> {
    return this.create();
  }

  private count(role: TableRole, entities: number): void {
    this.counters.transactions += 1;
    this.counters.entities += entities;
    this.counters.byTable[role].transactions += 1;
    this.counters.byTable[role].entities += entities;
  }

  async upsert(role: TableRole, entity: Entity): Promise<void> {
    await this.tables[role].upsertEntity(entity, 'Replace');
    this.count(role, 1);
  }

  /** Deletes one entity; false when there was none. */
  async delete(role: TableRole, pk: string, rk: string): Promise<boolean> {
    try {
      await this.tables[role].deleteEntity(pk, rk);
      this.count(role, 1);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async get(role: TableRole, pk: string, rk: string): Promise<Row | undefined> {
    try {
      return (await this.tables[role].getEntity<Record<string, unknown>>(pk, rk)) as Row;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async query(role: TableRole, filter: string): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const row of this.tables[role].listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      rows.push(row as Row);
    }
    return rows;
  }

  /** Calls `fn` on each row page by page, so a page is dropped once handled (with `select`: those properties only). */
  async each(role: TableRole, filter: string, fn: (row: Row) => void, select?: string[]): Promise<void> {
    const pages = this.tables[role]
      .listEntities<Record<string, unknown>>({ queryOptions: { filter, ...(select ? { select } : {}) } })
      .byPage({ maxPageSize: 1000 });
    for await (const page of pages) for (const row of page) fn(row as Row);
  }

  /**
   * The first rows of a range in key order, `pageSize` per page, stopping once `fn` returns false (the listing of
   * runs reads only what it shows).
   */
  async eachUntil(role: TableRole, filter: string, pageSize: number, fn: (row: Row) => boolean): Promise<void> {
    const pages = this.tables[role]
      .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
      .byPage({ maxPageSize: pageSize });
    for await (const page of pages) {
      let more = true;
      for (const row of page) more = fn(row as Row) && more;
      if (!more) break;
    }
  }

  partition(role: TableRole, pk: string): Promise<Row[]> {
    return this.query(role, odata`PartitionKey eq ${pk}`);
  }

  /** Rows of one partition whose RowKey starts with `prefix` (a range query, never a scan). */
  range(role: TableRole, pk: string, prefix: string): Promise<Row[]> {
    return this.query(role, rangeFilter(pk, prefix));
  }

  /** One entity-group transaction (one partition, at most 100 entities, each once). */
  async transact(role: TableRole, actions: TransactionAction[]): Promise<void> {
    await this.tables[role].submitTransaction(actions);
    this.count(role, actions.length);
  }

  /**
   * Writes actions in transactions of at most 100 entities (and 3.5 MB) per partition, partitions in parallel and
   * each partition's transactions in order. Entities are made as their transaction is, so only the transactions in
   * flight are in memory.
   */
  async write(role: TableRole, actions: Action[]): Promise<void> {
    const byPartition = new Map<string, Action[]>();
    for (const action of actions) {
      const list = byPartition.get(action.pk) ?? [];
      list.push(action);
      byPartition.set(action.pk, list);
    }
    await mapLimit([...byPartition.values()], this.concurrency, async (list) => {
      let batch: TransactionAction[] = [];
      let bytes = 0;
      const submit = async (): Promise<void> => {
        await this.tables[role].submitTransaction(batch);
        this.count(role, batch.length);
        batch = [];
        bytes = 0;
      };
      for (const action of list) {
        const entity =
          action.kind === 'upsert'
            ? typeof action.entity === 'function'
              ? action.entity()
              : action.entity
            : undefined;
        const size = entity ? entitySize(entity) : 200;
        if (batch.length > 0 && (batch.length >= MAX_TRANSACTION_ENTITIES || bytes + size > MAX_TRANSACTION_BYTES)) {
          await submit();
        }
        batch.push(
          action.kind === 'upsert'
            ? ['upsert', entity!, 'Replace']
            : ['delete', { partitionKey: action.pk, rowKey: action.rk }],
        );
        bytes += size;
      }
      if (batch.length > 0) await submit();
    });
  }
}
