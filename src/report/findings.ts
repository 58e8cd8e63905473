// Ordering and small text helpers shared by the report formats.
import { severityRank, type Finding, type ScanReport } from '../model';

/** The findings a run's summary counts (every status). */
export function findingsCounted(summary: ScanReport['summary'] | undefined): number {
  return Object.values(summary?.status ?? {}).reduce((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
}

export function formatTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`))
    .join('; ');
}

/** Findings needing attention first: fails by severity, then unknown, exempt, not applicable, pass. */
const STATUS_ORDER: Record<Finding['status'], number> = { fail: 0, unknown: 1, exempt: 2, not_applicable: 3, pass: 4 };

export function compareFindings(a: Finding, b: Finding): number {
  return (
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    severityRank(b.severity) - severityRank(a.severity) ||
    a.ruleId.localeCompare(b.ruleId)
  );
}

export function needsAttention(f: Finding): boolean {
  return f.status === 'fail' || f.status === 'unknown' || f.status === 'exempt';
}
