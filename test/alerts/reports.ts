// Small hand-made scan reports for the alert tests.
import {
  SEVERITIES,
  STATUSES,
  type ClusterReport,
  type Finding,
  type ScanReport,
  type Severity,
  type Status,
} from '../../src/model';

export function finding(
  ruleId: string,
  status: Status,
  severity: Severity = 'high',
  extra: Partial<Finding> = {},
): Finding {
  return {
    ruleId,
    status,
    severity,
    title: `${ruleId} title`,
    message: `${ruleId} is ${status}`,
    remediation: `az aks update --resource-group rg --name c --fix-${ruleId}`,
    details: {},
    ...extra,
  };
}

export function cluster(name: string, findings: Finding[], extra: Partial<ClusterReport> = {}): ClusterReport {
  const subscriptionId = '00000000-0000-0000-0000-000000000001';
  return {
    id: `/subscriptions/${subscriptionId}/resourceGroups/rg-${name}/providers/Microsoft.ContainerService/managedClusters/${name}`,
    name,
    subscriptionId,
    resourceGroup: `rg-${name}`,
    location: 'westeurope',
    kubernetesVersion: '1.31.2',
    tags: {},
    findings,
    ...extra,
  };
}

export function report(runId: string, clusters: ClusterReport[], extra: Partial<ScanReport> = {}): ScanReport {
  const status = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const failBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const c of clusters) {
    for (const f of c.findings) {
      status[f.status] += 1;
      if (f.status === 'fail') failBySeverity[f.severity] += 1;
    }
  }
  return {
    schemaVersion: 1,
    runId,
    asOf: '2026-11-27T02:00:00.000Z',
    startedAt: '2026-11-27T02:00:00.000Z',
    finishedAt: '2026-11-27T02:01:00.000Z',
    scope: { subscriptions: [], managementGroups: [] },
    complete: true,
    summary: { clusters: clusters.length, status, failBySeverity },
    clusters,
    problems: [],
    ...extra,
  };
}
