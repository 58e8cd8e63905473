// What is worth an alert: the difference between two scan reports, reduced to the changes people act on.
// Pure: no I/O, no clock (generatedAt comes from the current report's finishedAt).
import {
  normaliseId,
  severityRank,
  type ClusterReport,
  type Finding,
  type ScanProblem,
  type ScanReport,
  type Severity,
  type Status,
} from '../model';

export const TRANSITIONS = [
  'new_fail',
  'severity_raised',
  'resolved',
  'exemption_expired',
  'unreadable',
  'partial_run',
] as const;
export type AlertTransition = (typeof TRANSITIONS)[number];

export interface Alert {
  /** Idempotency key: `runId|clusterId|ruleId|transition` (cluster ID lower-cased). */
  key: string;
  transition: AlertTransition;
  severity: Severity;
  clusterId: string;
  clusterName: string;
  subscriptionId: string;
  resourceGroup: string;
  ruleId: string;
  title: string;
  message: string;
  remediation: string;
  /** The cluster's owner tag value, as found (the notifier validates it before mailing). */
  ownerEmail?: string;
}

export interface AlertBatchSummary {
  clusters: number;
  complete: boolean;
  status: Record<Status, number>;
  failBySeverity: Record<Severity, number>;
}

export interface AlertBatch {
  schemaVersion: 1;
  runId: string;
  generatedAt: string;
  summary: AlertBatchSummary;
  alerts: Alert[];
  /** Exemptions created, changed, widened or removed since the last recorded batch (for the digest). */
  exemptionChanges?: ExemptionNote[];
}

/** One exemption change as the digest lists it (who, when, what it covers now). */
export interface ExemptionNote {
  id: string;
  action: 'created' | 'changed' | 'widened' | 'removed';
  at: string;
  by: string;
  ruleId: string;
  scope: string;
  expiresOn: string;
}

/** At most this many exemption changes are carried in one batch; the rest wait for the next one. */
export const EXEMPTION_NOTES_MAX = 200;

export function exemptionNoteLine(n: ExemptionNote): string {
  return `Exemption ${n.id} ${n.action} by ${n.by} at ${n.at}: ${n.ruleId} on ${n.scope}, until ${n.expiresOn}`;
}

export interface AlertOptions {
  minSeverity: Severity;
  /** Reports of the runs before `previous`, newest first (only the first is consulted today). */
  history?: ScanReport[];
  /** Cluster tag holding the owner's email address (case-insensitive tag key). Default `owner`. */
  ownerTag?: string;
  /**
   * The current run was narrowed to this one cluster (an on-demand scan): only that cluster is compared, so the
   * fleet's other clusters are not taken for deleted. The report's scope alone cannot say so.
   */
  scopeClusterId?: string;
  /**
   * The problems of the finished run of the same scope before this one (partial or complete). A partial run whose
   * problems were all told by that run alerts nothing new: a subscription that is no longer readable is alerted once,
   * not every night.
   */
  previousProblems?: ScanProblem[];
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

type FindingIndex = Map<string, { cluster: ClusterReport; findings: Map<string, Finding> }>;

function indexReport(report: ScanReport | undefined): FindingIndex {
  const index: FindingIndex = new Map();
  for (const cluster of report?.clusters ?? []) {
    index.set(normaliseId(cluster.id), {
      cluster,
      findings: new Map(cluster.findings.map((f) => [f.ruleId, f])),
    });
  }
  return index;
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

const TRANSITION_ORDER: Record<AlertTransition, number> = {
  partial_run: 0,
  exemption_expired: 1,
  new_fail: 2,
  severity_raised: 3,
  unreadable: 4,
  resolved: 5,
};

function emptySummary(report: ScanReport): AlertBatchSummary {
  return {
    clusters: report.summary.clusters,
    complete: report.complete,
    status: { ...report.summary.status },
    failBySeverity: { ...report.summary.failBySeverity },
  };
}

function sameScope(a: ScanReport, b: ScanReport): boolean {
  const norm = (xs: string[]) => [...new Set(xs.map((x) => x.toLowerCase()))].sort().join(',');
  return (
    norm(a.scope.subscriptions) === norm(b.scope.subscriptions) &&
    norm(a.scope.managementGroups) === norm(b.scope.managementGroups)
  );
}

/**
 * The alerts of one run against the previous one.
 * - On a partial run only one `partial_run` alert (whatever the threshold): a partial run proves nothing resolved,
 *   and its unknowns are the run's problem, not the clusters'.
 * - `new_fail`: fail now, not fail (and not exempt) in the last run that could read it; `exemption_expired`: exempt
 *   before, fail now; `severity_raised`: fail both times, higher severity now; `resolved`: fail before, pass or
 *   not_applicable now, or the cluster left the inventory of a complete run with the same scope.
 * - `unreadable`: unknown now and in the previous run, but not in the run before that (`history[0]`), so it alerts
 *   once, on the second unknown run in a row. Without that run (no history given) it is not raised: staying silent
 *   is preferred to repeating it every night.
 * - A finding that was unknown in `previous` is compared with its status in `history[0]`, so a cluster that could
 *   not be read for one night does not alert its old fails again.
 * Only severities >= minSeverity (a resolved fail counts at its previous severity).
 */
export function computeAlertBatch(
  previous: ScanReport | undefined,
  current: ScanReport,
  options: AlertOptions,
): AlertBatch {
  const batch: AlertBatch = {
    schemaVersion: 1,
    runId: cut(current.runId, LIMITS.id),
    generatedAt: current.finishedAt,
    summary: emptySummary(current),
    alerts: [],
  };
  const runId = batch.runId;
  const ownerTag = options.ownerTag ?? 'owner';
  const min = severityRank(options.minSeverity);

  if (!current.complete) {
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
      key: `${runId}|*|*|partial_run`,
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

  const prev = indexReport(previous);
  if (options.scopeClusterId !== undefined) {
    const only = normaliseId(options.scopeClusterId);
    for (const id of [...prev.keys()]) if (id !== only) prev.delete(id);
  }
  const before = indexReport(options.history?.[0]);
  const hasBefore = options.history !== undefined && options.history.length > 0;

  const make = (
    cluster: ClusterReport,
    finding: Finding,
    transition: AlertTransition,
    severity: Severity,
    message: string,
  ): Alert => {
    const owner = ownerOf(cluster, ownerTag);
    return {
      key: `${runId}|${normaliseId(cluster.id)}|${finding.ruleId}|${transition}`,
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
  };

  const seen = new Set<string>();
  for (const cluster of current.clusters) {
    const id = normaliseId(cluster.id);
    seen.add(id);
    for (const finding of cluster.findings) {
      const last = prev.get(id)?.findings.get(finding.ruleId);
      const older = before.get(id)?.findings.get(finding.ruleId);
      // The last status that says something about the cluster (skip one unreadable night).
      const known = last?.status === 'unknown' && older && older.status !== 'unknown' ? older : last;
      const rank = severityRank(finding.severity);

      if (finding.status === 'fail') {
        if (known?.status === 'exempt') {
          if (rank >= min) {
            batch.alerts.push(
              make(cluster, finding, 'exemption_expired', finding.severity, `Exemption ended: ${finding.message}`),
            );
          }
        } else if (known?.status === 'fail') {
          if (rank > severityRank(known.severity) && rank >= min) {
            batch.alerts.push(
              make(
                cluster,
                finding,
                'severity_raised',
                finding.severity,
                `Severity raised from ${known.severity} to ${finding.severity}: ${finding.message}`,
              ),
            );
          }
        } else if (rank >= min) {
          batch.alerts.push(make(cluster, finding, 'new_fail', finding.severity, finding.message));
        }
      } else if (finding.status === 'pass' || finding.status === 'not_applicable') {
        if (known?.status === 'fail' && severityRank(known.severity) >= min) {
          batch.alerts.push(
            make(
              cluster,
              { ...finding, title: known.title },
              'resolved',
              known.severity,
              `Resolved: ${finding.message}`,
            ),
          );
        }
      } else if (finding.status === 'unknown') {
        if (last?.status === 'unknown' && hasBefore && older !== undefined && older.status !== 'unknown') {
          if (rank >= min) {
            batch.alerts.push(
              make(
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
  }

  // A cluster gone from a complete inventory of the same scope was deleted or moved out: its fails are resolved.
  // A narrower or different scope says nothing about clusters outside it.
  if (previous && sameScope(previous, current)) {
    for (const [id, { cluster, findings }] of prev) {
      if (seen.has(id)) continue;
      for (const finding of findings.values()) {
        if (finding.status === 'fail' && severityRank(finding.severity) >= min) {
          batch.alerts.push(
            make(
              cluster,
              finding,
              'resolved',
              finding.severity,
              'Resolved: the cluster is no longer in the inventory (deleted or moved out of the scanned scope).',
            ),
          );
        }
      }
    }
  }

  batch.alerts.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      TRANSITION_ORDER[a.transition] - TRANSITION_ORDER[b.transition] ||
      a.clusterName.localeCompare(b.clusterName) ||
      a.ruleId.localeCompare(b.ruleId),
  );
  return batch;
}
