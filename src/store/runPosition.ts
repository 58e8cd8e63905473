// Where a run writes in the store: the writer lease as read (after waiting while another run holds it), the run's
// record, its change set number, and what an interrupted attempt of the same run already wrote (before-images and
// views), which the attempt continues only when nothing was recorded after it.
import { entryFromEntity, type Entry } from './codec';
import { bucketPk, changePk, viewPk } from './keys';
import { StoreBusyError, type WriterLease } from './lease';
import type { ChangeSetEntry, RunStatus, RunTrigger, RunsLedger } from './runs';
import { mapLimit, withoutMeta, type Entity, type Row, type StoreTables } from './tables';

export interface RunPosition {
  lock: Row | undefined;
  existing: Record<string, unknown>;
  /** The run's index entry, for a run recorded for the first time. */
  index: Entity | undefined;
  seq: number;
  maxSeq: number;
  /** The store has recorded nothing yet. */
  fresh: boolean;
  /** The change set the latestState pointer names. */
  stateSeq: number;
  interrupted: boolean;
  skipBefore: boolean;
  sets: ChangeSetEntry[];
  priorBefore: Map<string, { pk: string; entry: Entry | undefined }>;
  priorViews: Map<string, string>;
  oldViewBuckets: string[];
}

function bucketList(value: unknown): string[] {
  return String(value ?? '')
    .split(',')
    .filter((b) => b.length > 0);
}

export async function readPosition(
  parts: { tables: StoreTables; ledger: RunsLedger; lease: WriterLease },
  input: {
    runId: string;
    trigger: RunTrigger;
    startedAt: string;
    scope: { subscriptions?: string[]; managementGroups?: string[] };
    clusterId?: string;
  },
  leaseWaitMs: number,
): Promise<RunPosition> {
  const { tables, ledger, lease } = parts;
  const deadline = Date.now() + leaseWaitMs;
  let lock = await lease.read();
  while (lease.heldByOther(lock, input.runId)) {
    if (Date.now() >= deadline) {
      throw new StoreBusyError(`run ${String(lock!.runId)} is writing to the store until ${String(lock!.expiresAt)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250 + Math.floor(Math.random() * 750)));
    lock = await lease.read();
  }
  const runId = input.runId;
  const found = await ledger.entity(runId);
  const previousStatus = found?.status as RunStatus | undefined;
  const { entity: existing, index } =
    !found || found.status === 'failed'
      ? ledger.runningEntity(
          {
            runId,
            trigger: input.trigger,
            scope: { ...input.scope, ...(input.clusterId ? { clusterId: input.clusterId } : {}) },
            startedAt: new Date(input.startedAt),
          },
          found,
        )
      : { entity: withoutMeta(found), index: undefined };
  const sets = await ledger.changesets();
  const maxSeq = sets[0]?.seq ?? 0;
  const finished = await ledger.pointer('latestState');
  const ownSeq = typeof existing.ownSeq === 'number' ? existing.ownSeq : undefined;
  // Continue an interrupted attempt of this run only when nothing was recorded after it.
  const interrupted =
    previousStatus !== 'completed' &&
    previousStatus !== 'partial' &&
    ownSeq !== undefined &&
    ownSeq === maxSeq &&
    !(finished && finished.runId !== runId && finished.stateSeq >= ownSeq);
  const seq = interrupted ? ownSeq : maxSeq + 1;
  const ownSet = interrupted ? sets.find((s) => s.seq === seq) : undefined;
  const fresh = !finished && maxSeq === 0;
  const skipBefore = interrupted ? ownSet?.skipped === true : fresh;

  const priorBefore = new Map<string, { pk: string; entry: Entry | undefined }>();
  if (interrupted && ownSet && !ownSet.skipped) {
    await mapLimit(ownSet.buckets, tables.concurrency, async (bucket) => {
      for (const row of await tables.partition('changes', changePk(seq, bucket))) {
        priorBefore.set(row.rowKey, { pk: bucketPk(bucket), entry: entryFromEntity(row, 'v') });
      }
    });
  }
  const priorViews = new Map<string, string>();
  const oldViewBuckets = bucketList(existing.viewBuckets);
  await mapLimit(oldViewBuckets, tables.concurrency, async (bucket) => {
    for (const row of await tables.partition('changes', viewPk(runId, bucket))) {
      priorViews.set(row.rowKey, bucketPk(bucket));
    }
  });

  return {
    lock,
    existing,
    index,
    seq,
    maxSeq,
    fresh,
    stateSeq: finished?.stateSeq ?? 0,
    interrupted,
    skipBefore,
    sets,
    priorBefore,
    priorViews,
    oldViewBuckets,
  };
}
