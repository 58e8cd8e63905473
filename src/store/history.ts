// History: PK `bNN`, RK `<ck>.SEQ`, one entity per changed cluster per change set with its transitions, so one
// cluster's history is one range query.
import type { ClusterReport, Severity, Status } from '../model';
import { boundedJson, getChunks, jsonOf, putChunks, type Entry } from './codec';
import { META, clusterKey, bucketOf, bucketPk, pad, ruleIdOfKey } from './keys';
import type { Action, Entity, StoreTables } from './tables';

export interface StatusTransition {
  /** A rule ID, or `cluster` for the cluster's own appearance or metadata. */
  ruleId: string;
  from: Status | 'absent' | 'present' | null;
  to: Status | 'absent' | 'present' | null;
  fromSeverity?: Severity;
  toSeverity?: Severity;
  kubernetesVersion?: { from: string | null; to: string | null };
}

export interface ClusterHistoryEntry {
  runId: string;
  seq: number;
  recordedAt: string;
  transitions: StatusTransition[];
}

export interface ClusterHistory {
  /** The latest known state of the cluster (as of the latest finished run). */
  cluster: ClusterReport;
  runId: string | null;
  history: ClusterHistoryEntry[];
}

/** What changed at one key (`rule`: the rule key, or META for the cluster's metadata). */
export function transition(rule: string, before: Entry | undefined, after: Entry | undefined): StatusTransition {
  if (rule === META) {
    const version = (e: Entry | undefined): string | null =>
      e ? ((JSON.parse(jsonOf(e)) as { kubernetesVersion?: string | null }).kubernetesVersion ?? null) : null;
    return {
      ruleId: 'cluster',
      from: before ? 'present' : 'absent',
      to: after ? 'present' : 'absent',
      kubernetesVersion: { from: version(before), to: version(after) },
    };
  }
  return {
    ruleId: ruleIdOfKey(rule),
    from: before?.status ?? 'absent',
    to: after?.status ?? 'absent',
    ...(before?.severity ? { fromSeverity: before.severity } : {}),
    ...(after?.severity ? { toSeverity: after.severity } : {}),
  };
}

/** The History entity of one changed cluster in change set `seq` (made when its transaction is). */
export function historyAction(
  pk: string,
  ck: string,
  transitions: StatusTransition[],
  run: { runId: string; seq: number; recordedAt: string },
): Action {
  return {
    kind: 'upsert',
    pk,
    entity: () => {
      const entity: Record<string, unknown> = {
        partitionKey: pk,
        rowKey: historyRow(ck, run.seq),
        runId: run.runId,
        seq: run.seq,
        recordedAt: run.recordedAt,
      };
      putChunks(entity, 't', boundedJson(transitions));
      return entity as Entity;
    },
  };
}

export function historyRow(ck: string, seq: number): string {
  return `${ck}.${pad(seq)}`;
}

/** One cluster's history entries up to change set `upToSeq` (all when undefined), oldest first. */
export async function readHistory(
  tables: StoreTables,
  clusterId: string,
  upToSeq: number | undefined,
): Promise<ClusterHistoryEntry[]> {
  const rows = await tables.range('history', bucketPk(bucketOf(clusterId)), `${clusterKey(clusterId)}.`);
  return rows
    .map((row) => ({
      runId: String(row.runId),
      seq: Number(row.seq),
      recordedAt: String(row.recordedAt),
      transitions: JSON.parse(getChunks(row, 't') ?? '[]') as StatusTransition[],
    }))
    .filter((h) => upToSeq === undefined || h.seq <= upToSeq)
    .sort((a, b) => a.seq - b.seq);
}
