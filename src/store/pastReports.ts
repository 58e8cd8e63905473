// Past-report reconstruction: a run's state is Latest rolled back through every later change set (newest first),
// plus the run's own view entities where a partial run reported something other than the state it left; its report
// is that state restricted to its scope, in its order.
import { findingsCounted } from '../report/findings';
import { normaliseId, type ClusterReport, type Finding, type ScanProblem, type ScanReport } from '../model';
import { entryFromEntity, getChunks, jsonOf, passThinnedOf, thinOf, type Entry } from './codec';
import {
  META,
  META_SUFFIX,
  allBuckets,
  bucketOf,
  changePk,
  clusterKey,
  keyInfo,
  latestPkOfChangeRow,
  ruleKey,
  viewPk,
} from './keys';
import type { LatestState, StateMap } from './latest';
import { RunNotReadyError, runFromEntity, type ChangeSetEntry, type RunsLedger } from './runs';
import { byId, inReportOrder, scopeFilter } from './scope';
import { mapLimit, type Row, type StoreTables } from './tables';

type Keep = (entry: Entry, isMeta: boolean, rk: string) => Entry;

/** Buckets a whole-report read rebuilds at once (each holds its rows until turned into clusters). */
const BUCKETS_IN_FLIGHT = 4;

/**
 * How much of each finding a report read keeps: all of it; the alerts' thin baseline (see thinOf: rule, status,
 * severity, and the title of fails and exemptions); when the run reported more findings than `thinPassesAbove`, its
 * passes thinned (an HTML report at fleet scale counts them); or everything thin. `wholeRules`' findings are kept
 * whole either way (what charts read of passes too).
 */
export type ReportDetail =
  'whole' | 'thin' | { thinPassesAbove: number; wholeRules?: readonly string[] } | { wholeRules: readonly string[] };

function keepFor(detail: ReportDetail, summary: ScanReport['summary'] | undefined): Keep {
  if (detail === 'whole') return (entry) => entry;
  if (detail === 'thin') return thinOf;
  const suffixes = (detail.wholeRules ?? []).map((id) => `.${ruleKey(id)}`);
  const whole = (rk: string): boolean => suffixes.some((s) => rk.endsWith(s));
  if (!('thinPassesAbove' in detail)) {
    return (entry, isMeta, rk) => (isMeta || whole(rk) ? entry : thinOf(entry, isMeta, rk));
  }
  if (findingsCounted(summary) <= detail.thinPassesAbove) return (entry) => entry;
  return (entry, isMeta, rk) => (whole(rk) ? entry : passThinnedOf(entry, isMeta, rk));
}

/** The clusters a state holds (those with metadata), findings in their reported order, by ID. */
export function clustersFromState(state: StateMap): ClusterReport[] {
  const byCluster = new Map<
    string,
    { meta?: Omit<ClusterReport, 'findings'>; findings: (Finding & { pos: number })[] }
  >();
  for (const [rk, { pk, entry }] of state) {
    const { ck, ruleId } = keyInfo(rk, pk);
    const cluster = byCluster.get(ck) ?? { findings: [] };
    if (ruleId === META) cluster.meta = JSON.parse(jsonOf(entry)) as Omit<ClusterReport, 'findings'>;
    else cluster.findings.push(JSON.parse(jsonOf(entry)) as Finding & { pos: number });
    byCluster.set(ck, cluster);
  }
  const clusters: ClusterReport[] = [];
  for (const { meta, findings } of byCluster.values()) {
    if (!meta) continue;
    findings.sort((a, b) => a.pos - b.pos);
    clusters.push({ ...meta, findings: findings.map(({ pos: _pos, ...finding }) => finding) });
  }
  return clusters.sort(byId);
}

export class PastReports {
  constructor(
    private readonly tables: StoreTables,
    private readonly ledger: RunsLedger,
    private readonly latest: LatestState,
  ) {}

  /**
   * Latest rolled back to the end of change set `stateSeq`: all of it, one cluster's keys or one bucket's
   * (`latest`: Latest as already read; `keep`: what to keep of each entry, as in LatestState.read; `sets`: the change
   * sets as already read).
   */
  async stateAt(
    stateSeq: number,
    options: { cluster?: string; bucket?: string; latest?: StateMap; keep?: Keep; sets?: ChangeSetEntry[] } = {},
  ): Promise<StateMap> {
    const { cluster: onlyCluster, bucket: onlyBucket, latest, sets } = options;
    const keep: Keep = options.keep ?? ((entry) => entry);
    // Latest first, the change sets second: their before-images are written before Latest changes.
    const state =
      latest ??
      (await this.latest.read(onlyCluster, (rk, _pk, entry) => keep(entry, rk.endsWith(META_SUFFIX), rk), onlyBucket));
    const later = (sets ?? (await this.ledger.changesets())).filter((c) => c.seq > stateSeq);
    const only = onlyCluster ? bucketOf(onlyCluster) : onlyBucket;
    for (const set of later) {
      if (set.skipped) {
        throw new Error(
          `change set ${set.seq} of run ${set.runId} kept no before-images: state ${stateSeq} cannot be rebuilt`,
        );
      }
      const buckets = only ? set.buckets.filter((b) => b === only) : set.buckets;
      const rows: Row[] = [];
      await mapLimit(buckets, this.tables.concurrency, async (bucket) => {
        const pk = changePk(set.seq, bucket);
        rows.push(
          ...(onlyCluster
            ? await this.tables.range('changes', pk, `${clusterKey(onlyCluster)}.`)
            : await this.tables.partition('changes', pk)),
        );
      });
      applyRows(state, rows, keep);
    }
    return state;
  }

  /**
   * A run's report, with `detail` of each finding (see ReportDetail). Undefined for an unknown run; RunNotReadyError
   * while it has none. Rebuilt a bucket at a time: only a few buckets' rows are held at once, each turned into its
   * clusters before the next is read.
   */
  async runReport(runId: string, detail: ReportDetail): Promise<ScanReport | undefined> {
    const entity = await this.ledger.entity(runId);
    if (!entity) return undefined;
    const run = runFromEntity(entity);
    if (run.stateSeq === undefined || (run.status !== 'completed' && run.status !== 'partial')) {
      throw new RunNotReadyError(runId, run.status);
    }
    const keep = keepFor(detail, run.summary);
    const stateSeq = run.stateSeq;
    const viewBuckets = new Set(
      String(entity.viewBuckets ?? '')
        .split(',')
        .filter((b) => b.length > 0),
    );
    const clusters: ClusterReport[] = [];
    await mapLimit(allBuckets(), BUCKETS_IN_FLIGHT, async (bucket) => {
      // Each bucket's change sets are listed after its Latest rows are read (see stateAt).
      const state = await this.stateAt(stateSeq, { bucket, keep });
      // The run's own views where a partial run reported something other than the state it left.
      if (viewBuckets.has(bucket))
        applyRows(state, await this.tables.partition('changes', viewPk(runId, bucket)), keep);
      for (const cluster of clustersFromState(state)) clusters.push(cluster);
    });
    const report: ScanReport = {
      schemaVersion: 1,
      runId: run.runId,
      asOf: String(entity.asOf),
      startedAt: String(entity.reportStartedAt ?? run.startedAt),
      finishedAt: String(entity.reportFinishedAt ?? run.finishedAt),
      scope: JSON.parse(
        getChunks(entity, 'reportScope') ?? '{"subscriptions":[],"managementGroups":[]}',
      ) as ScanReport['scope'],
      complete: run.complete ?? false,
      summary: run.summary ?? {
        clusters: 0,
        status: {} as ScanReport['summary']['status'],
        failBySeverity: {} as ScanReport['summary']['failBySeverity'],
      },
      clusters: clusters.sort(byId),
    };
    const covered = JSON.parse(getChunks(entity, 'covered') ?? 'null') as unknown;
    const inScope = scopeFilter(report.scope, run.scope.clusterId, Array.isArray(covered) ? covered : undefined);
    report.clusters = report.clusters.filter((c) => inScope(normaliseId(c.id)));
    const order = getChunks(entity, 'order');
    if (order !== undefined) report.clusters = inReportOrder(report.clusters, JSON.parse(order));
    const problems = getChunks(entity, 'problems');
    if (problems !== undefined) report.problems = JSON.parse(problems) as ScanProblem[];
    return report;
  }
  /**
   * One cluster as a run reported it (thin or whole), or undefined when the run's report did not list it. `rows`:
   * the cluster's Latest entries as already read (they are copied, not changed).
   */
  async clusterReport(
    entity: Row,
    clusterId: string,
    thin: boolean,
    rows?: StateMap,
    sets?: ChangeSetEntry[],
  ): Promise<ClusterReport | undefined> {
    const run = runFromEntity(entity);
    if (run.stateSeq === undefined || (run.status !== 'completed' && run.status !== 'partial')) return undefined;
    const keep: Keep = thin ? thinOf : (entry) => entry;
    const latest: StateMap | undefined = rows
      ? new Map([...rows].map(([rk, v]) => [rk, { pk: v.pk, entry: keep(v.entry, rk.endsWith(META_SUFFIX), rk) }]))
      : undefined;
    const state = await this.stateAt(run.stateSeq, {
      cluster: clusterId,
      ...(latest ? { latest } : {}),
      keep,
      ...(sets ? { sets } : {}),
    });
    const bucket = bucketOf(clusterId);
    const viewBuckets = String(entity.viewBuckets ?? '').split(',');
    if (viewBuckets.includes(bucket)) {
      applyRows(
        state,
        await this.tables.range('changes', viewPk(run.runId, bucket), `${clusterKey(clusterId)}.`),
        keep,
      );
    }
    const scope = JSON.parse(
      getChunks(entity, 'reportScope') ?? '{"subscriptions":[],"managementGroups":[]}',
    ) as ScanReport['scope'];
    const covered = JSON.parse(getChunks(entity, 'covered') ?? 'null') as unknown;
    const inScope = scopeFilter(scope, run.scope.clusterId, Array.isArray(covered) ? covered : undefined);
    const [cluster] = clustersFromState(state);
    return cluster && inScope(normaliseId(cluster.id)) ? cluster : undefined;
  }
}

/** Before-images or views over a state: an entry puts it back, an absence removes the key. */
function applyRows(state: StateMap, rows: Row[], keep: Keep): void {
  for (const row of rows) {
    const entry = entryFromEntity(row, 'v');
    const pk = latestPkOfChangeRow(String(row.partitionKey));
    if (entry) state.set(row.rowKey, { pk, entry: keep(entry, row.rowKey.endsWith(META_SUFFIX), row.rowKey) });
    else state.delete(row.rowKey);
  }
}
