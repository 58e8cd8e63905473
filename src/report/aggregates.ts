// A report's totals and chart data without its findings: what GET /api/reports/{runId}/summary serves (the same
// figures the HTML report draws its charts from), small whatever the fleet's size.
import { SEVERITIES, STATUSES, type ScanReport, type Severity, type Status } from '../model';
import { RULES_BY_ID } from '../rules/index';

/** The rules whose finding details the aggregates read (the node image age chart); of the others, status and severity. */
export const AGGREGATE_DETAIL_RULES: readonly string[] = ['aks_node_image_current'];

export interface RuleAggregate {
  ruleId: string;
  title: string;
  status: Record<Status, number>;
  failBySeverity: Record<Severity, number>;
}

export interface ReportAggregates {
  runId: string;
  asOf: string;
  finishedAt: string;
  complete: boolean;
  summary: ScanReport['summary'];
  /** Clusters with at least one fail. */
  clustersWithFails: number;
  problems: number;
  /** Findings per rule, by status and (fails) severity, in rule ID order. */
  byRule: RuleAggregate[];
  /** Clusters per Kubernetes minor (`unknown` when the version could not be read), in version order. */
  byMinor: { minor: string; clusters: number }[];
  /** Node pools by node image age (days), from aks_node_image_current. */
  nodeImageAge: { bucket: string; pools: number }[];
}

const AGE_BUCKETS = [
  { bucket: '0-30', min: 0, max: 30 },
  { bucket: '31-60', min: 31, max: 60 },
  { bucket: '61-90', min: 61, max: 90 },
  { bucket: '91-180', min: 91, max: 180 },
  { bucket: '>180', min: 181, max: Number.POSITIVE_INFINITY },
];

function zero<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

function minorOf(version: string | null): string {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  return m ? `${m[1]}.${m[2]}` : 'unknown';
}

function compareMinors(a: string, b: string): number {
  const parts = (m: string) => m.split('.').map(Number);
  if (a === 'unknown' || b === 'unknown') return a === b ? 0 : a === 'unknown' ? 1 : -1;
  const [x, y] = [parts(a), parts(b)];
  return x[0] - y[0] || x[1] - y[1];
}

export function reportAggregates(report: ScanReport): ReportAggregates {
  const rules = new Map<string, RuleAggregate>();
  const minors = new Map<string, number>();
  const ages = AGE_BUCKETS.map(() => 0);
  let noDate = 0;
  let clustersWithFails = 0;
  for (const c of report.clusters) {
    const minor = minorOf(c.kubernetesVersion);
    minors.set(minor, (minors.get(minor) ?? 0) + 1);
    let failed = false;
    for (const f of c.findings) {
      let rule = rules.get(f.ruleId);
      if (!rule) {
        // A report read thin has no titles for passes: the catalog's title of the rule then.
        const title = f.title || (RULES_BY_ID.get(f.ruleId)?.title ?? '');
        rule = { ruleId: f.ruleId, title, status: zero(STATUSES), failBySeverity: zero(SEVERITIES) };
        rules.set(f.ruleId, rule);
      }
      rule.status[f.status] += 1;
      if (f.status === 'fail') {
        rule.failBySeverity[f.severity] += 1;
        failed = true;
      }
      if (f.ruleId === 'aks_node_image_current') {
        const d = (f.details ?? {}) as { pools?: { ageDays?: unknown }[]; unreadablePools?: unknown[] };
        for (const p of Array.isArray(d.pools) ? d.pools : []) {
          const age = p?.ageDays;
          if (typeof age !== 'number' || !Number.isFinite(age)) continue;
          const i = AGE_BUCKETS.findIndex((b) => age >= b.min && age <= b.max);
          if (i >= 0) ages[i] += 1;
        }
        if (Array.isArray(d.unreadablePools)) noDate += d.unreadablePools.length;
      }
    }
    if (failed) clustersWithFails += 1;
  }
  return {
    runId: report.runId,
    asOf: report.asOf,
    finishedAt: report.finishedAt,
    complete: report.complete,
    summary: report.summary,
    clustersWithFails,
    problems: report.problems?.length ?? 0,
    byRule: [...rules.values()].sort((a, b) => a.ruleId.localeCompare(b.ruleId)),
    byMinor: [...minors].sort(([a], [b]) => compareMinors(a, b)).map(([minor, clusters]) => ({ minor, clusters })),
    nodeImageAge: [
      ...AGE_BUCKETS.map((b, i) => ({ bucket: b.bucket, pools: ages[i] })),
      { bucket: 'no date', pools: noDate },
    ],
  };
}
