// What is worth an alert: the difference between two scan reports, reduced to the changes people act on.
// Pure: no I/O, no clock (generatedAt comes from the current report's finishedAt).
// The comparison itself is done one cluster at a time (clusterAlerts.ts); this file holds the batch's vocabulary and
// the whole-report form of the comparison.
import {
  normaliseId,
  type ClusterReport,
  type ScanProblem,
  type ScanReport,
  type Severity,
  type Status,
} from '../model';
import { AlertCollector, partialRunBatch } from './clusterAlerts';
import { sameScope } from '../store/scope';

export { LIMITS, newProblems } from './clusterAlerts';

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

/** A report's clusters by normalised ID (a repeated ID: the last one). */
function clustersById(report: ScanReport | undefined): Map<string, ClusterReport> {
  return new Map((report?.clusters ?? []).map((c) => [normaliseId(c.id), c]));
}

/**
 * The alerts of one run against the previous one (each cluster as alertsForCluster compares it).
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
  if (!current.complete) return partialRunBatch(current, options);

  const prev = clustersById(previous);
  if (options.scopeClusterId !== undefined) {
    const only = normaliseId(options.scopeClusterId);
    for (const id of [...prev.keys()]) if (id !== only) prev.delete(id);
  }
  const before = clustersById(options.history?.[0]);
  const hasBefore = options.history !== undefined && options.history.length > 0;

  const collector = new AlertCollector(current, options);
  const seen = new Set<string>();
  for (const cluster of current.clusters) {
    const id = normaliseId(cluster.id);
    seen.add(id);
    collector.add(cluster, prev.get(id), before.get(id), hasBefore);
  }

  // A cluster gone from a complete inventory of the same scope was deleted or moved out: its fails are resolved.
  // A narrower or different scope says nothing about clusters outside it.
  if (previous && sameScope(previous.scope, current.scope)) {
    for (const [id, cluster] of prev) if (!seen.has(id)) collector.gone(cluster);
  }
  return collector.finish();
}
