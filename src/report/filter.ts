// Narrowing a report to what a reader asked for (CLI flags and the report endpoint's query parameters).
import { isSeverity, isStatus, normaliseId, type ScanReport, type Severity, type Status } from '../model';
import { summarise } from './build';

/** Each filter takes one value or a comma list; absent or empty means no filtering on that field. */
export interface ReportFilters {
  severity?: string | string[];
  status?: string | string[];
  subscription?: string | string[];
  rule?: string | string[];
}

/** A filter value that is not allowed; `filter` names the filter so callers can report it (flag or parameter). */
export class FilterError extends Error {
  override name = 'FilterError';
  constructor(
    readonly filter: keyof ReportFilters,
    message: string,
  ) {
    super(message);
  }
}

function values(raw: string | string[] | undefined): string[] {
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

const RULE_ID = /^[a-z][a-z0-9_]*$/;
const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ParsedFilters {
  severity: Set<Severity>;
  status: Set<Status>;
  subscription: Set<string>;
  rule: Set<string>;
}

/** Validates filter values; throws FilterError naming the filter and the bad value. */
export function parseFilters(filters: ReportFilters): ParsedFilters {
  const severity = values(filters.severity).map((v) => v.toLowerCase());
  for (const v of severity) {
    if (!isSeverity(v)) {
      throw new FilterError('severity', `severity "${v}" is not one of critical, high, medium, low`);
    }
  }
  const status = values(filters.status).map((v) => v.toLowerCase());
  for (const v of status) {
    if (!isStatus(v)) {
      throw new FilterError('status', `status "${v}" is not one of pass, fail, unknown, not_applicable, exempt`);
    }
  }
  const subscription = values(filters.subscription);
  for (const v of subscription) {
    if (!SUBSCRIPTION_ID.test(v)) throw new FilterError('subscription', `subscription "${v}" is not a subscription ID`);
  }
  const rule = values(filters.rule);
  for (const v of rule) {
    if (!RULE_ID.test(v) || v.length > 100) throw new FilterError('rule', `rule "${v}" is not a rule ID`);
  }
  return {
    severity: new Set(severity as Severity[]),
    status: new Set(status as Status[]),
    subscription: new Set(subscription.map(normaliseId)),
    rule: new Set(rule),
  };
}

/**
 * The report restricted to matching findings. Clusters left without findings are dropped when any finding filter is
 * set; the summary describes the filtered view.
 */
export function filterReport(report: ScanReport, filters: ReportFilters): ScanReport {
  const f = parseFilters(filters);
  const findingFilter = f.severity.size > 0 || f.status.size > 0 || f.rule.size > 0;
  if (!findingFilter && f.subscription.size === 0) return report;
  const clusters = report.clusters
    .filter((c) => f.subscription.size === 0 || f.subscription.has(normaliseId(c.subscriptionId)))
    .map((c) => ({
      ...c,
      findings: c.findings.filter(
        (x) =>
          (f.severity.size === 0 || f.severity.has(x.severity)) &&
          (f.status.size === 0 || f.status.has(x.status)) &&
          (f.rule.size === 0 || f.rule.has(x.ruleId)),
      ),
    }))
    .filter((c) => !findingFilter || c.findings.length > 0);
  return { ...report, clusters, summary: summarise(clusters) };
}
