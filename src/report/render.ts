// Rendering a report as json, csv, md, table or html. Everything that came from Azure (names, tags, messages) is
// escaped for the target format: a cluster name or tag is attacker-controllable text.
import { stringify } from 'csv-stringify/sync';
import { SEVERITIES, type ClusterReport, type Finding, type ScanReport } from '../model';
import { compareFindings, formatTags, needsAttention } from './findings';
import { renderHtml, type RunSummary } from './html';
import { renderSarif } from './sarif';

export { compareFindings, formatTags, needsAttention };

export const REPORT_FORMATS = ['table', 'json', 'csv', 'md', 'html', 'sarif'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(value: unknown): value is ReportFormat {
  return typeof value === 'string' && (REPORT_FORMATS as readonly string[]).includes(value);
}

export interface RenderOptions {
  /** md and table list only findings that need attention unless this is set (csv, json and html list all). */
  includePassing?: boolean;
  /** Terminal width for `table` (default 80). */
  width?: number;
  /** html: summaries of stored runs for the trend chart. */
  history?: RunSummary[];
  /** html: links each cluster to `${clusterLinkBase}/clusters/SUB/RG/NAME?format=html`. */
  clusterLinkBase?: string;
  /** html: findings above which passes are counted, not listed (default HTML_FULL_TABLE_LIMIT). */
  fullTableLimit?: number;
}

export function renderReport(report: ScanReport, format: ReportFormat, options: RenderOptions = {}): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'csv':
      return renderCsv(report);
    case 'md':
      return renderMarkdown(report, options);
    case 'table':
      return renderTable(report, options);
    case 'html':
      return renderHtml(report, {
        history: options.history,
        ...(options.clusterLinkBase !== undefined ? { clusterLinkBase: options.clusterLinkBase } : {}),
        ...(options.fullTableLimit !== undefined ? { fullTableLimit: options.fullTableLimit } : {}),
      });
    case 'sarif':
      return renderSarif(report);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// json: pretty, and with keys in the schema's order whatever order the report object was built or stored in.

function orderedFinding(f: Finding): Finding {
  return {
    ruleId: f.ruleId,
    status: f.status,
    severity: f.severity,
    title: f.title,
    message: f.message,
    remediation: f.remediation,
    details: f.details ?? {},
  };
}

function orderedCluster(c: ClusterReport): ClusterReport {
  return {
    id: c.id,
    name: c.name,
    subscriptionId: c.subscriptionId,
    resourceGroup: c.resourceGroup,
    location: c.location,
    kubernetesVersion: c.kubernetesVersion,
    tags: c.tags,
    findings: c.findings.map(orderedFinding),
  };
}

export function renderJson(report: ScanReport): string {
  const ordered: ScanReport = {
    schemaVersion: report.schemaVersion,
    runId: report.runId,
    asOf: report.asOf,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    scope: { subscriptions: report.scope.subscriptions, managementGroups: report.scope.managementGroups },
    complete: report.complete,
    summary: {
      clusters: report.summary.clusters,
      status: {
        pass: report.summary.status.pass,
        fail: report.summary.status.fail,
        unknown: report.summary.status.unknown,
        not_applicable: report.summary.status.not_applicable,
        exempt: report.summary.status.exempt,
      },
      failBySeverity: {
        critical: report.summary.failBySeverity.critical,
        high: report.summary.failBySeverity.high,
        medium: report.summary.failBySeverity.medium,
        low: report.summary.failBySeverity.low,
      },
    },
    clusters: report.clusters.map(orderedCluster),
  };
  if (report.problems && report.problems.length > 0) ordered.problems = report.problems;
  if (report.page) {
    const { top, offset, totalClusters, nextSkipToken, nextLink } = report.page;
    ordered.page = { top, offset, totalClusters, ...(nextSkipToken ? { nextSkipToken, nextLink } : {}) };
  }
  return JSON.stringify(ordered, null, 2) + '\n';
}

// ---------------------------------------------------------------------------------------------------------------
// csv

export const CSV_COLUMNS = [
  'clusterId',
  'clusterName',
  'subscriptionId',
  'resourceGroup',
  'location',
  'kubernetesVersion',
  'ruleId',
  'status',
  'severity',
  'title',
  'message',
  'remediation',
  'tags',
] as const;

/**
 * Spreadsheet formula injection: a cell that starts with = + - @ (or tab / CR) is prefixed with `'`, and so is every
 * part that starts with = + - @ after a `;`, tab, CR or LF and any blanks (spreadsheets that split on those
 * separators would read that part as a cell of its own).
 */
export function neutraliseCsvCell(value: string): string {
  const inner = value.replace(/([;\t\r\n][ \t\r\n]*)([=+\-@])/g, "$1'$2");
  return /^[=+\-@\t\r]/.test(inner) ? `'${inner}` : inner;
}

export function renderCsv(report: ScanReport): string {
  const rows: string[][] = [];
  for (const c of report.clusters) {
    for (const f of c.findings) {
      rows.push(
        [
          c.id,
          c.name,
          c.subscriptionId,
          c.resourceGroup,
          c.location,
          c.kubernetesVersion ?? '',
          f.ruleId,
          f.status,
          f.severity,
          f.title,
          f.message,
          f.remediation,
          formatTags(c.tags),
        ].map(neutraliseCsvCell),
      );
    }
  }
  // Every field quoted, empty ones too: no cell is ever read as a bare value.
  return stringify(rows, {
    header: true,
    columns: [...CSV_COLUMNS],
    quoted: true,
    quoted_empty: true,
    record_delimiter: 'unix',
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

/** Text safe inside a Markdown table cell: no table breaks, code spans, links or raw HTML. */
export function escapeMarkdown(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\\/g, '\\\\')
    .replace(/([|`*[\]])/g, '\\$1')
    .replace(/\r\n|\r|\n/g, ' ');
}

export function renderMarkdown(report: ScanReport, options: RenderOptions = {}): string {
  const s = report.summary;
  const lines: string[] = [];
  lines.push('# AKS compliance report', '');
  lines.push(`- Run: ${escapeMarkdown(report.runId)}`);
  lines.push(`- As of: ${escapeMarkdown(report.asOf)}`);
  lines.push(`- Complete: ${report.complete ? 'yes' : 'no (part of the inventory could not be read)'}`);
  lines.push(`- Clusters: ${s.clusters}`, '');
  lines.push('## Summary', '');
  lines.push('| pass | fail | unknown | not applicable | exempt |', '|---:|---:|---:|---:|---:|');
  lines.push(
    `| ${s.status.pass} | ${s.status.fail} | ${s.status.unknown} | ${s.status.not_applicable} | ${s.status.exempt} |`,
    '',
  );
  lines.push('| ' + SEVERITIES.join(' | ') + ' |', '|' + SEVERITIES.map(() => '---:').join('|') + '|');
  lines.push('| ' + SEVERITIES.map((sev) => s.failBySeverity[sev]).join(' | ') + ' |', '');
  if (report.problems && report.problems.length > 0) {
    lines.push('## Could not be read', '');
    for (const p of report.problems) {
      lines.push(`- ${escapeMarkdown(p.source)} ${escapeMarkdown(p.scope)}: ${escapeMarkdown(p.message)}`);
    }
    lines.push('');
  }
  lines.push('## Findings', '');
  lines.push(
    '| cluster | resource group | subscription | version | rule | status | severity | message | remediation |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  let hidden = 0;
  for (const c of report.clusters) {
    for (const f of [...c.findings].sort(compareFindings)) {
      if (!options.includePassing && !needsAttention(f)) {
        hidden += 1;
        continue;
      }
      const cells = [
        c.name,
        c.resourceGroup,
        c.subscriptionId,
        c.kubernetesVersion ?? 'unknown',
        f.ruleId,
        f.status,
        f.status === 'fail' || f.status === 'exempt' ? f.severity : '',
        f.message,
        f.remediation,
      ];
      lines.push('| ' + cells.map(escapeMarkdown).join(' | ') + ' |');
    }
  }
  if (hidden > 0) lines.push('', `${hidden} passing or not applicable findings are not listed.`);
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------------
// table (a terminal, 80 columns by default)

/** Terminal-safe text: control characters (escape sequences included) become spaces. */
export function terminalSafe(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

/** Cuts to `width` code points, ending with an ellipsis when cut; pads to `width` when `pad` is set. */
export function fit(value: string, width: number, pad = false): string {
  const chars = [...terminalSafe(value)];
  const text = chars.length > width ? chars.slice(0, Math.max(0, width - 1)).join('') + '…' : chars.join('');
  return pad ? text + ' '.repeat(Math.max(0, width - [...text].length)) : text;
}

const STATUS_LABEL: Record<Finding['status'], string> = {
  fail: 'FAIL',
  unknown: 'UNKNOWN',
  exempt: 'EXEMPT',
  not_applicable: 'N/A',
  pass: 'PASS',
};

export function renderTable(report: ScanReport, options: RenderOptions = {}): string {
  const width = Math.max(40, options.width ?? 80);
  const s = report.summary;
  const out: string[] = [];
  const line = (text: string) => out.push(fit(text, width));
  line(`AKS compliance  run ${report.runId}  as of ${report.asOf.slice(0, 10)}`);
  line(report.complete ? 'Inventory complete' : 'INCOMPLETE: part of the inventory could not be read');
  line(
    `Clusters ${s.clusters}  pass ${s.status.pass}  fail ${s.status.fail}  unknown ${s.status.unknown}` +
      `  n/a ${s.status.not_applicable}  exempt ${s.status.exempt}`,
  );
  line('Fails by severity: ' + SEVERITIES.map((sev) => `${sev} ${s.failBySeverity[sev]}`).join('  '));
  for (const p of report.problems ?? []) line(`! ${p.source} ${p.scope}: ${p.message}`);

  const statusW = 7;
  const sevW = 8;
  const ruleW = Math.min(34, width - 2 - statusW - sevW - 3 - 10);
  const msgW = width - 2 - statusW - sevW - ruleW - 3;
  for (const c of report.clusters) {
    out.push('');
    const quiet = c.findings.filter((f) => !options.includePassing && !needsAttention(f));
    const pass = quiet.filter((f) => f.status === 'pass').length;
    const na = quiet.length - pass;
    const counts = [pass > 0 ? `pass ${pass}` : '', na > 0 ? `n/a ${na}` : ''].filter(Boolean).join(', ');
    const tail = ` ${c.kubernetesVersion ?? '?'}${counts ? `  (${counts})` : ''}`;
    const head = fit(`${c.name}  ${c.resourceGroup}  ${c.location}`, Math.max(10, width - [...tail].length));
    line(head + tail);
    for (const f of [...c.findings].sort(compareFindings)) {
      if (!options.includePassing && !needsAttention(f)) continue;
      const sev = f.status === 'fail' || f.status === 'exempt' ? f.severity : '';
      line(
        '  ' +
          fit(STATUS_LABEL[f.status], statusW, true) +
          ' ' +
          fit(sev, sevW, true) +
          ' ' +
          fit(f.ruleId, ruleW, true) +
          ' ' +
          fit(f.message, msgW),
      );
    }
  }
  return out.map((l) => l.trimEnd()).join('\n') + '\n';
}
