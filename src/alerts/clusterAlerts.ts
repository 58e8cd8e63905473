// The alerts of one cluster at a time, so a run can be compared cluster by cluster as it is scanned and dropped,
// without holding two whole reports. computeAlertBatch (alerts.ts) is built on these pieces.
// Pure: no I/O, no clock.
import {
  normaliseId,
  severityRank,
  type ClusterReport,
  type Finding,
  type ScanProblem,
  type ScanReport,
  type Severity,
} from '../model';
import type { Alert, AlertBatch, AlertBatchSummary, AlertOptions, AlertTransition } from './alerts';

/** Field limits shared with batch.schema.json: alerts are cut to fit, so a real batch always validates. */
export const LIMITS = {
  id: 1024,
  name: 256,
  ruleId: 128,
  title: 512,
  message: 4000,
  remediation: 2000,
  email: 320,
} as const;

function cut(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** The problems of `current` that `previous` did not have (by source and scope). Pure. */
export function newProblems(
  current: readonly ScanProblem[],
  previous: readonly ScanProblem[] | undefined,
): ScanProblem[] {
  if (!previous) return [...current];
  const told = new Set(previous.map((p) => `${p.source}|${p.scope.toLowerCase()}`));
  return current.filter((p) => !told.has(`${p.source}|${p.scope.toLowerCase()}`));
}

/** What one run's alerts are computed with (from AlertOptions). */
export interface ClusterAlertContext {
  /** The run ID, already cut to LIMITS.id. */
  runId: string;
  ownerTag: string;
  /** severityRank(options.minSeverity). */
  min: number;
}

export function clusterAlertContext(current: Pick<ScanReport, 'runId'>, options: AlertOptions): ClusterAlertContext {
  return {
    runId: cut(current.runId, LIMITS.id),
    ownerTag: options.ownerTag ?? 'owner',
    min: severityRank(options.minSeverity),
  };
}

function ownerOf(cluster: ClusterReport, ownerTag: string): string | undefined {
  const wanted = ownerTag.toLowerCase();
  // Azure tag names are case-insensitive.
  for (const [name, value] of Object.entries(cluster.tags ?? {})) {
    if (name.toLowerCase() === wanted && typeof value === 'string' && value.trim() !== '') {
      return cut(value.trim(), LIMITS.email);
    }
  }
  return undefined;
}

function makeAlert(
  ctx: ClusterAlertContext,
  cluster: ClusterReport,
  finding: Finding,
  transition: AlertTransition,
  severity: Severity,
  message: string,
): Alert {
  const owner = ownerOf(cluster, ctx.ownerTag);
  return {
    key: `${ctx.runId}|${normaliseId(cluster.id)}|${finding.ruleId}|${transition}`,
    transition,
    severity,
    clusterId: cut(cluster.id, LIMITS.id),
    clusterName: cut(cluster.name, LIMITS.name),
    subscriptionId: cut(cluster.subscriptionId, LIMITS.name),
    resourceGroup: cut(cluster.resourceGroup, LIMITS.name),
    ruleId: cut(finding.ruleId, LIMITS.ruleId),
    title: cut(finding.title, LIMITS.title),
    message: cut(message, LIMITS.message),
    remediation: cut(transition === 'resolved' ? '' : finding.remediation, LIMITS.remediation),
    ...(owner ? { ownerEmail: owner } : {}),
  };
}

/** A cluster's findings by rule ID (a repeated rule: the last one). */
function byRule(cluster: ClusterReport | undefined): Map<string, Finding> {
  return new Map((cluster?.findings ?? []).map((f) => [f.ruleId, f]));
}

/**
 * The alerts of one cluster of a complete run. `prev` is the same cluster in the previous run's report (undefined
 * when absent), `older` the same cluster in the run before that (`history[0]`), `hasBefore` whether that earlier run
 * exists at all. Pure.
 * - `new_fail`: fail now, not fail (and not exempt) in the last run that could read it; `exemption_expired`: exempt
 *   before, fail now; `severity_raised`: fail both times, higher severity now; `resolved`: fail before, pass or
 *   not_applicable now.
 * - `unreadable`: unknown now and in `prev`, but not in `older`, so it alerts once, on the second unknown run in a
 *   row. Without the earlier run it is not raised: staying silent is preferred to repeating it every night.
 * - A finding that was unknown in `prev` is compared with its status in `older`, so a cluster that could not be read
 *   for one night does not alert its old fails again.
 * Only severities >= the threshold (a resolved fail counts at its previous severity).
 */
export function alertsForCluster(
  cluster: ClusterReport,
  prev: ClusterReport | undefined,
  older: ClusterReport | undefined,
  hasBefore: boolean,
  ctx: ClusterAlertContext,
): Alert[] {
  const alerts: Alert[] = [];
  const lastFindings = byRule(prev);
  const olderFindings = byRule(older);
  const { min } = ctx;
  for (const finding of cluster.findings) {
    const last = lastFindings.get(finding.ruleId);
    const before = olderFindings.get(finding.ruleId);
    // The last status that says something about the cluster (skip one unreadable night).
    const known = last?.status === 'unknown' && before && before.status !== 'unknown' ? before : last;
    const rank = severityRank(finding.severity);

    if (finding.status === 'fail') {
      if (known?.status === 'exempt') {
        if (rank >= min) {
          alerts.push(
            makeAlert(
              ctx,
              cluster,
              finding,
              'exemption_expired',
              finding.severity,
              `Exemption ended: ${finding.message}`,
            ),
          );
        }
      } else if (known?.status === 'fail') {
        if (rank > severityRank(known.severity) && rank >= min) {
          alerts.push(
            makeAlert(
              ctx,
              cluster,
              finding,
              'severity_raised',
              finding.severity,
              `Severity raised from ${known.severity} to ${finding.severity}: ${finding.message}`,
            ),
          );
        }
      } else if (rank >= min) {
        alerts.push(makeAlert(ctx, cluster, finding, 'new_fail', finding.severity, finding.message));
      }
    } else if (finding.status === 'pass' || finding.status === 'not_applicable') {
      if (known?.status === 'fail' && severityRank(known.severity) >= min) {
        alerts.push(
          makeAlert(
            ctx,
            cluster,
            { ...finding, title: known.title },
            'resolved',
            known.severity,
            `Resolved: ${finding.message}`,
          ),
        );
      }
    } else if (finding.status === 'unknown') {
      if (last?.status === 'unknown' && hasBefore && before !== undefined && before.status !== 'unknown') {
        if (rank >= min) {
          alerts.push(
            makeAlert(
              ctx,
              cluster,
              finding,
              'unreadable',
              finding.severity,
              `Unreadable for two runs in a row: ${finding.message}`,
            ),
          );
        }
      }
    }
  }
  return alerts;
}

/**
 * A cluster of the previous report that the current complete run no longer lists: deleted or moved out, so its fails
 * are resolved. Only for a run of the same scope as the previous one (the caller checks): a narrower or different
 * scope says nothing about clusters outside it.
 */
export function alertsForGoneCluster(prev: ClusterReport, ctx: ClusterAlertContext): Alert[] {
  const alerts: Alert[] = [];
  for (const finding of byRule(prev).values()) {
    if (finding.status === 'fail' && severityRank(finding.severity) >= ctx.min) {
      alerts.push(
        makeAlert(
          ctx,
          prev,
          finding,
          'resolved',
          finding.severity,
          'Resolved: the cluster is no longer in the inventory (deleted or moved out of the scanned scope).',
        ),
      );
    }
  }
  return alerts;
}

const TRANSITION_ORDER: Record<AlertTransition, number> = {
  partial_run: 0,
  exemption_expired: 1,
  new_fail: 2,
  severity_raised: 3,
  unreadable: 4,
  resolved: 5,
};

/** The batch's order: severity (highest first), transition, cluster name, rule. Sorts in place (stable). */
export function sortAlerts(alerts: Alert[]): void {
  alerts.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      TRANSITION_ORDER[a.transition] - TRANSITION_ORDER[b.transition] ||
      a.clusterName.localeCompare(b.clusterName) ||
      a.ruleId.localeCompare(b.ruleId),
  );
}

/** What a batch's header needs of the current run. */
export type RunOutline = Pick<ScanReport, 'runId' | 'finishedAt' | 'summary' | 'complete' | 'problems'>;

function emptySummary(current: Pick<ScanReport, 'summary' | 'complete'>): AlertBatchSummary {
  return {
    clusters: current.summary.clusters,
    complete: current.complete,
    status: { ...current.summary.status },
    failBySeverity: { ...current.summary.failBySeverity },
  };
}

function emptyBatch(current: RunOutline, runId: string): AlertBatch {
  return { schemaVersion: 1, runId, generatedAt: current.finishedAt, summary: emptySummary(current), alerts: [] };
}

/**
 * The batch of a partial run: one `partial_run` alert (whatever the threshold), since a partial run proves nothing
 * resolved and its unknowns are the run's problem, not the clusters'; no alert when every problem was already told by
 * the run before it (`options.previousProblems`).
 */
export function partialRunBatch(current: RunOutline, options: AlertOptions): AlertBatch {
  const batch = emptyBatch(current, clusterAlertContext(current, options).runId);
  const all = current.problems ?? [];
  const problems = newProblems(all, options.previousProblems);
  // Everything this run could not read was already told by the run before it: nothing new to alert.
  if (all.length > 0 && problems.length === 0) return batch;
  const listed = problems
    .slice(0, 20)
    .map((p) => `${p.source} ${p.scope}: ${p.message}`)
    .join('; ');
  const more = problems.length > 20 ? ` (and ${problems.length - 20} more)` : '';
  batch.alerts.push({
    key: `${batch.runId}|*|*|partial_run`,
    transition: 'partial_run',
    severity: 'high',
    clusterId: '',
    clusterName: '',
    subscriptionId: '',
    resourceGroup: '',
    ruleId: '',
    title: 'The scan could not read everything: no finding was resolved by this run',
    message: cut(
      problems.length > 0
        ? `Could not read: ${listed}${more}`
        : 'The run reported itself incomplete without naming what it could not read.',
      LIMITS.message,
    ),
    remediation: '',
  });
  return batch;
}

/**
 * Collects a run's alerts cluster by cluster; finish() gives the batch exactly as computeAlertBatch would for the
 * same inputs. The run ID is taken when constructed; `summary`, `complete` and `problems` are read by finish(), so a
 * streaming run may fill them in as it goes. When the run turns out partial, finish() gives partialRunBatch and the
 * collected alerts are dropped (a partial run resolves nothing). Clusters must be added in the report's order, then
 * the gone ones in the previous report's order, for ties in the sort to fall as computeAlertBatch's do.
 */
export class AlertCollector {
  private readonly ctx: ClusterAlertContext;
  private readonly alerts: Alert[] = [];

  constructor(
    private readonly current: RunOutline,
    private readonly options: AlertOptions,
  ) {
    this.ctx = clusterAlertContext(current, options);
  }

  add(
    cluster: ClusterReport,
    prev: ClusterReport | undefined,
    older: ClusterReport | undefined,
    hasBefore: boolean,
  ): void {
    for (const alert of alertsForCluster(cluster, prev, older, hasBefore, this.ctx)) this.alerts.push(alert);
  }

  /** A cluster of the previous report of the same scope that this run no longer lists (see alertsForGoneCluster). */
  gone(prev: ClusterReport): void {
    for (const alert of alertsForGoneCluster(prev, this.ctx)) this.alerts.push(alert);
  }

  /** Number of alerts collected so far. */
  get size(): number {
    return this.alerts.length;
  }

  finish(): AlertBatch {
    if (!this.current.complete) return partialRunBatch(this.current, this.options);
    const batch = emptyBatch(this.current, this.ctx.runId);
    batch.alerts = [...this.alerts];
    sortAlerts(batch.alerts);
    return batch;
  }
}
