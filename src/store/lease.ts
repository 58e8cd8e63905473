// The writer lease: a row of the run bookkeeping partition (`runs` / `lock.writer`), only ever changed under its
// ETag (or created when missing), inside the same transactions as the run records; it is never deleted, so its ETag
// is its version. A run that writes state takes it; one that writes only its records is conditional on its ETag.
import type { TransactionAction } from '@azure/data-tables';
import { LOCK_RK, RUNS_PK } from './keys';
import { isConflict, type Row, type StoreTables } from './tables';

const LOCK_TTL_MS = 30 * 60 * 1000;

/** Another run holds the writer lease. */
export class StoreBusyError extends Error {
  override name = 'StoreBusyError';
}

/** The lease changed between the read and a transaction conditional on it; nothing was written. */
export class LeaseConflict extends Error {
  override name = 'LeaseConflict';
}

export class WriterLease {
  constructor(
    private readonly tables: StoreTables,
    private readonly now: () => Date,
  ) {}

  read(): Promise<Row | undefined> {
    return this.tables.get('runs', RUNS_PK, LOCK_RK);
  }

  /** Another run holds the lease and it has not expired. */
  heldByOther(lock: Row | undefined, runId: string): boolean {
    const holder = String(lock?.runId ?? '');
    return holder !== '' && holder !== runId && Date.parse(String(lock?.expiresAt)) > this.now().getTime();
  }

  /** Takes or gives back the lease, conditional on the lease as read (`lock`; undefined: it must not exist yet). */
  action(lock: Row | undefined, runId: string, kind: 'acquire' | 'release'): TransactionAction {
    const now = this.now();
    const entity = {
      partitionKey: RUNS_PK,
      rowKey: LOCK_RK,
      runId: kind === 'acquire' ? runId : '',
      expiresAt: kind === 'acquire' ? new Date(now.getTime() + LOCK_TTL_MS).toISOString() : '',
      lastRunId: runId,
      changedAt: now.toISOString(),
    };
    return lock ? ['update', entity, 'Replace', { etag: lock.etag }] : ['create', entity];
  }

  /** Gives the lease back if this run holds it (after a failure; the completing transaction does it otherwise). */
  async release(runId: string): Promise<void> {
    const lock = await this.read();
    if (!lock || String(lock.runId) !== runId) return;
    try {
      await this.tables.transact('runs', [this.action(lock, runId, 'release')]);
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
}
