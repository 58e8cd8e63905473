// A self-contained HTML page for a report: no scripts or styles from elsewhere, every value escaped.
import escapeHtml from 'escape-html';
import { SEVERITIES, type ScanReport } from '../model';
import { compareFindings, formatTags } from './findings';

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#1b1b1b}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.num{text-align:right}
.fail{color:#a4262c;font-weight:600}.unknown{color:#8a6100}.exempt{color:#5c2d91}.pass{color:#107c10}
code{font-family:ui-monospace,Consolas,monospace;font-size:.9em;white-space:pre-wrap}
@media print{body{margin:0}}
`;

const e = (value: unknown): string => escapeHtml(String(value));

export function renderHtml(report: ScanReport): string {
  const s = report.summary;
  const parts: string[] = [];
  parts.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No script, no network: the page must stay inert even if a value escaped the escaping.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>AKS compliance report ${e(report.runId)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<h1>AKS compliance report</h1>',
    '<dl>',
    `<dt>Run</dt><dd>${e(report.runId)}</dd>`,
    `<dt>As of</dt><dd>${e(report.asOf)}</dd>`,
    `<dt>Finished</dt><dd>${e(report.finishedAt)}</dd>`,
    `<dt>Complete</dt><dd>${report.complete ? 'yes' : 'no: part of the inventory could not be read'}</dd>`,
    '</dl>',
    '<h2>Summary</h2>',
    '<table><caption>Findings by status</caption>',
    '<thead><tr><th scope="col">clusters</th><th scope="col">pass</th><th scope="col">fail</th>' +
      '<th scope="col">unknown</th><th scope="col">not applicable</th><th scope="col">exempt</th></tr></thead>',
    `<tbody><tr><td class="num">${s.clusters}</td><td class="num">${s.status.pass}</td>` +
      `<td class="num">${s.status.fail}</td><td class="num">${s.status.unknown}</td>` +
      `<td class="num">${s.status.not_applicable}</td><td class="num">${s.status.exempt}</td></tr></tbody>`,
    '</table>',
    '<table><caption>Fails by severity</caption>',
    '<thead><tr>' + SEVERITIES.map((sev) => `<th scope="col">${sev}</th>`).join('') + '</tr></thead>',
    '<tbody><tr>' + SEVERITIES.map((sev) => `<td class="num">${s.failBySeverity[sev]}</td>`).join('') + '</tr></tbody>',
    '</table>',
  );
  if (report.problems && report.problems.length > 0) {
    parts.push('<h2>Could not be read</h2>', '<ul>');
    for (const p of report.problems) parts.push(`<li>${e(p.source)} ${e(p.scope)}: ${e(p.message)}</li>`);
    parts.push('</ul>');
  }
  parts.push(
    '<h2>Findings</h2>',
    '<table>',
    '<thead><tr>' +
      [
        'cluster',
        'resource group',
        'subscription',
        'location',
        'version',
        'tags',
        'rule',
        'status',
        'severity',
        'message',
        'remediation',
      ]
        .map((h) => `<th scope="col">${h}</th>`)
        .join('') +
      '</tr></thead>',
    '<tbody>',
  );
  for (const c of report.clusters) {
    for (const f of [...c.findings].sort(compareFindings)) {
      parts.push(
        '<tr>' +
          `<td title="${e(c.id)}">${e(c.name)}</td>` +
          `<td>${e(c.resourceGroup)}</td>` +
          `<td>${e(c.subscriptionId)}</td>` +
          `<td>${e(c.location)}</td>` +
          `<td>${e(c.kubernetesVersion ?? 'unknown')}</td>` +
          `<td>${e(formatTags(c.tags))}</td>` +
          `<td title="${e(f.title)}">${e(f.ruleId)}</td>` +
          `<td class="${e(f.status)}">${e(f.status)}</td>` +
          `<td>${f.status === 'fail' || f.status === 'exempt' ? e(f.severity) : ''}</td>` +
          `<td>${e(f.message)}</td>` +
          `<td><code>${e(f.remediation)}</code></td>` +
          '</tr>',
      );
    }
  }
  parts.push('</tbody>', '</table>', '</body>', '</html>');
  return parts.join('\n') + '\n';
}
