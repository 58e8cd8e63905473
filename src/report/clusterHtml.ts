// One cluster's own page (GET /api/clusters/{sub}/{rg}/{name}?format=html): its latest findings, every one, and its
// status history. Self-contained like the report (the report's style, no script, a CSP allowing only that style);
// every value is escaped.
import { createHash } from 'node:crypto';
import escapeHtml from 'escape-html';
import type { ClusterReport } from '../model';
import type { ClusterHistoryEntry } from '../store/findingStore';
import { compareFindings, formatTags } from './findings';
import { STYLE } from './html/style';

const e = (value: unknown): string => escapeHtml(String(value));

export const CLUSTER_PAGE_CSP =
  `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'; ` +
  `img-src data:; base-uri 'none'; form-action 'none'`;

const LABEL = {
  fail: '\u2716 Fail',
  unknown: '? Unknown',
  exempt: '\u2691 Exempt',
  not_applicable: '\u2013 N/A',
  pass: '\u2714 Pass',
};

export function renderClusterHtml(
  found: { cluster: ClusterReport; runId: string | null; history: ClusterHistoryEntry[] },
  reportHref?: string,
): string {
  const c = found.cluster;
  const findings = [...c.findings].sort(compareFindings);
  const meta = (label: string, value: string) => `<div><dt>${e(label)}</dt><dd>${e(value)}</dd></div>`;
  const rows = findings
    .map(
      (f) =>
        '<tr>' +
        `<td><span class="st st-${e(f.status)}">${e(LABEL[f.status] ?? f.status)}</span></td>` +
        `<td>${f.status === 'fail' || f.status === 'exempt' ? `<span class="sev sev-${e(f.severity)}">${e(f.severity)}</span>` : ''}</td>` +
        `<td class="rule" title="${e(f.title)}">${e(f.ruleId)}</td>` +
        `<td class="msg">${e(f.message)}</td>` +
        `<td class="fix">${f.remediation ? `<code>${e(f.remediation)}</code>` : ''}</td>` +
        '</tr>',
    )
    .join('\n');
  const history = [...found.history]
    .reverse()
    .map(
      (h) =>
        `<tr><td>${e(h.recordedAt)}</td><td>${e(h.runId)}</td><td>` +
        h.transitions
          .map(
            (t) =>
              `${e(t.ruleId)}: ${e(t.from ?? 'absent')} \u2192 ${e(t.to ?? 'absent')}` +
              (t.kubernetesVersion
                ? ` (${e(t.kubernetesVersion.from ?? '-')} \u2192 ${e(t.kubernetesVersion.to ?? '-')})`
                : ''),
          )
          .join('<br>') +
        '</td></tr>',
    )
    .join('\n');
  return (
    [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<meta http-equiv="Content-Security-Policy" content="${CLUSTER_PAGE_CSP}">`,
      '<meta name="referrer" content="no-referrer">',
      `<title>AKS compliance \u2013 ${e(c.name)}</title>`,
      `<style>${STYLE}</style>`,
      '</head>',
      '<body>',
      '<header class="page">',
      `<h1>${e(c.name)}</h1>`,
      '<dl>' +
        meta('Resource ID', c.id) +
        meta('Subscription', c.subscriptionId) +
        meta('Resource group', c.resourceGroup) +
        meta('Location', c.location) +
        meta('Kubernetes', c.kubernetesVersion ?? 'unknown') +
        meta('Tags', formatTags(c.tags ?? {}) || 'none') +
        meta('As of run', found.runId ?? 'none') +
        '</dl>',
      reportHref ? `<p><a href="${e(reportHref)}">The fleet report</a></p>` : '',
      '</header>',
      '<main>',
      '<section class="card" aria-labelledby="h-findings"><h2 id="h-findings">Findings</h2>',
      '<div class="table-wrap"><table class="findings"><caption>Every finding of the cluster, what needs attention first.</caption>',
      '<thead><tr><th scope="col">Status</th><th scope="col">Severity</th><th scope="col">Rule</th>' +
        '<th scope="col">Finding</th><th scope="col">Remediation</th></tr></thead>',
      `<tbody>\n${rows}\n</tbody></table></div></section>`,
      '<section class="card" aria-labelledby="h-history"><h2 id="h-history">History</h2>',
      history
        ? '<div class="table-wrap"><table><caption>Status changes, newest first.</caption><thead><tr>' +
          `<th scope="col">Recorded</th><th scope="col">Run</th><th scope="col">Changes</th></tr></thead><tbody>\n${history}\n</tbody></table></div>`
        : '<p class="note">No change recorded.</p>',
      '</section>',
      '</main>',
      '</body>',
      '</html>',
    ].join('\n') + '\n'
  );
}
