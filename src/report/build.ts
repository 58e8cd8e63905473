// Building the schemaVersion 1 report from evaluated clusters: the summary is always computed here, never by callers.
import {
  SEVERITIES,
  STATUSES,
  type ClusterRecord,
  type ClusterReport,
  type ScanProblem,
  type ScanReport,
  type Severity,
  type Status,
} from '../model';

export interface BuildReportInput {
  runId: string;
  asOf: Date;
  startedAt: Date;
  finishedAt: Date;
  scope: { subscriptions?: string[]; managementGroups?: string[] };
  complete: boolean;
  clusters: ClusterReport[];
  problems: ScanProblem[];
}

/** A report's summary counted cluster by cluster (a streaming scan keeps no clusters). */
export class SummaryAccumulator {
  private clusters = 0;
  private readonly status = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  private readonly failBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;

  add(cluster: ClusterReport): void {
    this.clusters += 1;
    for (const finding of cluster.findings) {
      this.status[finding.status] += 1;
      // Exempt findings are accepted risks: only live fails count towards severities (and `--fail-on`).
      if (finding.status === 'fail') this.failBySeverity[finding.severity] += 1;
    }
  }

  value(): ScanReport['summary'] {
    return { clusters: this.clusters, status: { ...this.status }, failBySeverity: { ...this.failBySeverity } };
  }
}

export function summarise(clusters: ClusterReport[]): ScanReport['summary'] {
  const summary = new SummaryAccumulator();
  for (const cluster of clusters) summary.add(cluster);
  return summary.value();
}

export function buildReport(input: BuildReportInput): ScanReport {
  const report: ScanReport = {
    schemaVersion: 1,
    runId: input.runId,
    asOf: input.asOf.toISOString(),
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    scope: {
      subscriptions: [...(input.scope.subscriptions ?? [])],
      managementGroups: [...(input.scope.managementGroups ?? [])],
    },
    complete: input.complete,
    summary: summarise(input.clusters),
    clusters: input.clusters,
  };
  if (input.problems.length > 0) report.problems = input.problems;
  return report;
}

/** The cluster part of a report entry, before findings are added. */
export function clusterReportBase(cluster: ClusterRecord): Omit<ClusterReport, 'findings'> {
  const props = cluster.properties;
  const current = props.currentKubernetesVersion;
  const declared = props.kubernetesVersion;
  const version =
    typeof current === 'string' && current.length > 0
      ? current
      : typeof declared === 'string' && declared.length > 0
        ? declared
        : null;
  return {
    id: cluster.id,
    name: cluster.name,
    subscriptionId: cluster.subscriptionId,
    resourceGroup: cluster.resourceGroup,
    location: cluster.location,
    kubernetesVersion: version,
    tags: { ...cluster.tags },
  };
}
