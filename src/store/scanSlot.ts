// The on-demand scan slot: one row in the Runs table (PK `ondemand`) naming the on-demand run that holds it, so that
// only one is queued or running at a time. Claimed with a conditional create (or, once stale, a conditional replace
// of the stale row); given back by the run that holds it.
import { isConflict, type StoreTables } from './tables';

const SLOT_PK = 'ondemand';
const SLOT_RK = 'slot';

export interface SlotHolder {
  runId: string;
  claimedAt: string;
}

export class ScanSlot {
  constructor(
    private readonly tables: StoreTables,
    private readonly now: () => Date,
  ) {}

  /**
   * Claims the slot for `runId`: undefined when claimed, else the run holding it. A holder older than `staleMs` (a
   * run whose worker died) is replaced.
   */
  async claim(runId: string, staleMs: number): Promise<SlotHolder | undefined> {
    const entity = { partitionKey: SLOT_PK, rowKey: SLOT_RK, runId, claimedAt: this.now().toISOString() };
    try {
      await this.tables.transact('runs', [['create', entity]]);
      return undefined;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const held = await this.tables.get('runs', SLOT_PK, SLOT_RK);
    if (!held) return this.claim(runId, staleMs);
    const holder = { runId: String(held.runId), claimedAt: String(held.claimedAt) };
    if (holder.runId === runId) return undefined;
    if (this.now().getTime() - Date.parse(holder.claimedAt) < staleMs) return holder;
    try {
      await this.tables.transact('runs', [['update', entity, 'Replace', { etag: held.etag }]]);
      return undefined;
    } catch (error) {
      if (!isConflict(error)) throw error;
      const now = await this.tables.get('runs', SLOT_PK, SLOT_RK);
      return now ? { runId: String(now.runId), claimedAt: String(now.claimedAt) } : this.claim(runId, staleMs);
    }
  }

  /** Gives the slot back if `runId` holds it (a newer holder is left alone). */
  async release(runId: string): Promise<void> {
    const held = await this.tables.get('runs', SLOT_PK, SLOT_RK);
    if (!held || String(held.runId) !== runId) return;
    try {
      await this.tables.transact('runs', [['delete', { partitionKey: SLOT_PK, rowKey: SLOT_RK, etag: held.etag }]]);
    } catch (error) {
      if (!isConflict(error) && (error as { statusCode?: number })?.statusCode !== 404) throw error;
    }
  }

  async holder(): Promise<SlotHolder | undefined> {
    const held = await this.tables.get('runs', SLOT_PK, SLOT_RK);
    return held ? { runId: String(held.runId), claimedAt: String(held.claimedAt) } : undefined;
  }
}
