// The HTML report: one self-contained page (inline CSS and script, no network requests, a Content-Security-Policy
// that allows only this page's own style and script by hash). Every value from the report is escaped in markup, and
// the findings reach the script as JSON inside a non-executable block with `<` written as \u003c.
import { createHash } from 'node:crypto';
import escapeHtml from 'escape-html';
import { SEVERITIES, STATUSES, type ClusterReport, type Finding, type ScanReport, type Status } from '../model';
import {
  failsByRuleChart,
  n,
  nodeImageChart,
  PATTERN_DEFS,
  trendChart,
  versionChart,
  type RunSummary,
} from './html/charts';
import { CLIENT_SCRIPT } from './html/client';
import { STYLE } from './html/style';
import { formatTags } from './findings';
import { STATUS_ORDER, clusterHref, encodeTableData, tableData, type TableData } from './html/tableData';

export type { RunSummary } from './html/charts';

/** Findings above which the HTML report counts passes instead of listing them (HtmlOptions.fullTableLimit). */
export const HTML_FULL_TABLE_LIMIT = 20_000;

/** The rules whose findings' details the HTML report's charts read, passes included (node image ages, versions). */
export const HTML_DETAIL_RULES: readonly string[] = ['aks_node_image_current', 'aks_version_supported'];

export interface HtmlOptions {
  /** Summaries of stored runs for the trend chart (any order; the report's own run is added when missing). */
  history?: RunSummary[];
  /** Findings rendered per page of the table (default 500). */
  pageSize?: number;
  /**
   * Reports with more findings than this list every finding that is not a pass and count the passes per rule and
   * cluster (default 20,000: about 1,200 clusters).
   */
  fullTableLimit?: number;
  /** Links each cluster to its own page, `${clusterLinkBase}/clusters/SUB/RG/NAME?format=html` (none when absent). */
  clusterLinkBase?: string;
}

const e = (value: unknown): string => escapeHtml(String(value));
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('base64');

/** The page's Content-Security-Policy: nothing but its own inline style and script, identified by their hashes. */
export const CONTENT_SECURITY_POLICY =
  `default-src 'none'; style-src 'sha256-${sha256(STYLE)}'; script-src 'sha256-${sha256(CLIENT_SCRIPT)}'; ` +
  `img-src data:; base-uri 'none'; form-action 'none'`;

const STATUS_LABEL: Record<Status, string> = {
  fail: '\u2716 Fail',
  unknown: '? Unknown',
  exempt: '\u2691 Exempt',
  not_applicable: '\u2013 N/A',
  pass: '\u2714 Pass',
};

/** JSON that is safe inside a `<script type="application/json">` block (no `</script>`, no `<!--`). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const sevShown = (f: Finding) => f.status === 'fail' || f.status === 'exempt';

/** The same markup the script builds, for the first page: the page reads (and prints) without the script. */
function rowHtml(c: ClusterReport, f: Finding, linkBase: string | undefined): string {
  const tags = formatTags(c.tags ?? {});
  const href = clusterHref(linkBase, c);
  return (
    '<tr>' +
    `<td><span class="st st-${e(f.status)}">${e(STATUS_LABEL[f.status] ?? f.status)}</span></td>` +
    `<td>${sevShown(f) ? `<span class="sev sev-${e(f.severity)}">${e(f.severity)}</span>` : ''}</td>` +
    `<td class="cluster" title="${e(c.id)}">` +
    (href ? `<a href="${e(href)}"><strong>${e(c.name)}</strong></a>` : `<strong>${e(c.name)}</strong>`) +
    `<span class="sub">${e(c.resourceGroup)} \u00b7 ${e(c.location)}</span>` +
    (tags ? `<span class="tags" title="${e(tags)}">tags: ${e(tags)}</span>` : '') +
    '</td>' +
    `<td class="sub-id">${e(c.subscriptionId)}</td>` +
    `<td>${e(c.kubernetesVersion ?? 'unknown')}</td>` +
    `<td class="rule" title="${e(f.title)}">${e(f.ruleId)}</td>` +
    `<td class="msg">${e(f.message)}</td>` +
    `<td class="fix">${f.remediation ? `<code>${e(f.remediation)}</code>` : ''}</td>` +
    '</tr>'
  );
}

/**
 * Rows written as markup (what reads and prints without the script): a page, or at fleet scale a short one, since
 * the script draws its own first page and parsing long rows is most of the page's load time.
 */
function markupRows(data: TableData): number {
  return data.passesCounted ? Math.min(100, data.pageSize) : data.pageSize;
}

function firstPage(report: ScanReport, data: TableData): string {
  const pageSize = markupRows(data);
  const all: { c: ClusterReport; f: Finding }[] = [];
  for (const c of report.clusters) {
    for (const f of c.findings) if (!data.passesCounted || f.status !== 'pass') all.push({ c, f });
  }
  const sevKey = (f: Finding) => (sevShown(f) ? SEVERITIES.indexOf(f.severity) : 9);
  const statusKey = (f: Finding) => STATUS_ORDER.indexOf(f.status);
  const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  // Only the first page is rendered: sort by the cheap keys, then order the candidates by name.
  all.sort((a, b) => statusKey(a.f) - statusKey(b.f) || sevKey(a.f) - sevKey(b.f));
  let cut = Math.min(all.length, pageSize);
  if (cut > 0) {
    const last = all[cut - 1].f;
    while (cut < all.length && statusKey(all[cut].f) === statusKey(last) && sevKey(all[cut].f) === sevKey(last)) cut++;
  }
  const head = all.slice(0, cut);
  head.sort(
    (a, b) =>
      statusKey(a.f) - statusKey(b.f) ||
      sevKey(a.f) - sevKey(b.f) ||
      collator.compare(a.c.name, b.c.name) ||
      collator.compare(a.c.resourceGroup, b.c.resourceGroup) ||
      a.f.ruleId.localeCompare(b.f.ruleId),
  );
  return head
    .slice(0, pageSize)
    .map(({ c, f }) => rowHtml(c, f, data.clusterLinkBase))
    .join('\n');
}

function summarySection(report: ScanReport): string {
  const s = report.summary;
  const withFails = report.clusters.filter((c) => c.findings.some((f) => f.status === 'fail')).length;
  const judged = s.status.pass + s.status.fail + s.status.unknown;
  const passRate = judged > 0 ? Math.floor((s.status.pass / judged) * 1000) / 10 : undefined;
  const tile = (cls: string, value: number | string, label: string) =>
    `<li class="${cls}"><span class="n">${typeof value === 'number' ? n(value) : e(value)}</span><span class="l">${e(label)}</span></li>`;
  const problems = report.problems ?? [];
  const completeness = report.complete
    ? '<p><span class="badge complete">\u2714 Complete</span> Every part of the inventory in scope was read.</p>'
    : '<p><span class="badge partial">\u26a0 Partial</span> Part of the inventory could not be read: findings there are ' +
      'unknown or missing, and nothing is marked resolved from this run.</p>';
  const problemList =
    problems.length > 0
      ? '<h3>What could not be read</h3><ul class="problems">' +
        problems
          .slice(0, 200)
          .map((p) => `<li><strong>${e(p.source)}</strong> ${e(p.scope)}: ${e(p.message)}</li>`)
          .join('') +
        (problems.length > 200 ? `<li>\u2026 and ${n(problems.length - 200)} more (see the JSON report)</li>` : '') +
        '</ul>'
      : '';
  return (
    '<section class="card" aria-labelledby="h-summary"><h2 id="h-summary">Fleet summary</h2>' +
    completeness +
    '<ul class="tiles" aria-label="Clusters and findings by status">' +
    tile('t-clusters', s.clusters, 'clusters') +
    tile('t-fail', withFails, 'clusters with a fail') +
    (passRate !== undefined ? tile('t-pass', `${passRate}%`, 'of judged checks pass') : '') +
    tile('t-fail', s.status.fail, '\u2716 fail') +
    tile('t-unknown', s.status.unknown, '? unknown') +
    tile('t-exempt', s.status.exempt, '\u2691 exempt') +
    tile('t-pass', s.status.pass, '\u2714 pass') +
    tile('t-na', s.status.not_applicable, '\u2013 not applicable') +
    '</ul>' +
    '<h3>Fails by severity</h3><ul class="tiles" aria-label="Fails by severity">' +
    SEVERITIES.map((sev) => tile(`sev-${sev}`, s.failBySeverity[sev], sev)).join('') +
    '</ul>' +
    problemList +
    '</section>'
  );
}

function chartCard(id: string, title: string, body: string, note = ''): string {
  return `<section class="card" aria-labelledby="${id}"><h2 id="${id}">${e(title)}</h2>${note}${body}</section>`;
}

function option(value: string, label: string): string {
  return `<option value="${e(value)}">${e(label)}</option>`;
}

function findingsSection(report: ScanReport, data: TableData): string {
  const total = data.rows.length;
  const statusCounts = new Map<Status, number>(STATUSES.map((s) => [s, 0]));
  for (const r of data.rows) {
    const st = STATUS_ORDER[r[2]];
    statusCounts.set(st, (statusCounts.get(st) ?? 0) + 1);
  }
  if (data.passesCounted)
    statusCounts.set(
      'pass',
      data.rules.reduce((sum, r) => sum + r[2], 0),
    );
  const rules = [...data.rules].sort((a, b) => a[0].localeCompare(b[0]));
  const subs = [...data.subs].sort((a, b) => a.localeCompare(b));
  const shown = Math.min(total, markupRows(data));
  const head = (label: string, key?: string, sort?: 'ascending') =>
    key
      ? `<th scope="col" data-key="${key}"${sort ? ` aria-sort="${sort}"` : ''}><button type="button">${e(label)}</button></th>`
      : `<th scope="col">${e(label)}</th>`;
  return (
    '<section class="card" aria-labelledby="h-findings"><h2 id="h-findings">Findings</h2>' +
    '<div class="controls" role="search" aria-label="Filter the findings">' +
    '<label for="f-severity">Severity (of fails)<select id="f-severity">' +
    option('', 'All') +
    SEVERITIES.map((s) => option(s, s)).join('') +
    '</select></label>' +
    '<label for="f-status">Status<select id="f-status">' +
    option('', 'All') +
    option('attention', 'Needs attention (fail, unknown, exempt)') +
    STATUS_ORDER.map((s) =>
      option(
        s,
        `${s.replace('_', ' ')} (${n(statusCounts.get(s) ?? 0)}${s === 'pass' && data.passesCounted ? ', counted, not listed' : ''})`,
      ),
    ).join('') +
    '</select></label>' +
    '<label for="f-rule">Rule<select id="f-rule">' +
    option('', 'All') +
    rules.map(([id]) => option(id, id)).join('') +
    '</select></label>' +
    '<label for="f-subscription">Subscription<select id="f-subscription">' +
    option('', 'All') +
    subs.map((s) => option(s, s)).join('') +
    '</select></label>' +
    '<label for="f-text">Search<input id="f-text" type="search" placeholder="cluster, tag, message, command\u2026" ' +
    'autocomplete="off"></label>' +
    '<button type="button" id="f-reset">Clear filters</button>' +
    '</div>' +
    `<p id="count" role="status" data-matching="${total}" data-shown="${shown}">` +
    `${shown < total ? `Showing ${n(shown)} of ` : 'Showing all '}${n(total)} findings.</p>` +
    (data.passesCounted
      ? `<p class="note">This fleet has ${n(report.clusters.length)} clusters: the table lists every finding that is ` +
        'not a pass; passes are counted per rule (below) and per cluster. Each cluster\u2019s page lists all of its ' +
        'findings; the json and csv formats list every finding.</p>'
      : '') +
    `<p class="print-note">The printout lists the findings shown on screen when printing.</p>` +
    '<noscript><p class="note">Filters, sorting and copy buttons need JavaScript; without it the first ' +
    `${n(shown)} findings are listed. The csv and json formats list every finding.</p></noscript>` +
    '<div class="table-wrap"><table class="findings">' +
    '<caption>Findings per cluster and rule, what needs attention first. Sort by a column by choosing its heading.</caption>' +
    '<colgroup>' +
    ['status', 'sev', 'cluster', 'sub', 'version', 'rule', 'msg', 'fix'].map((c) => `<col class="c-${c}">`).join('') +
    '</colgroup>' +
    '<thead><tr>' +
    head('Status', 'status', 'ascending') +
    head('Severity', 'severity') +
    head('Cluster', 'cluster') +
    head('Subscription', 'subscription') +
    head('Version', 'version') +
    head('Rule', 'rule') +
    head('Finding') +
    head('Remediation') +
    '</tr></thead>' +
    `<tbody id="findings-body">\n${firstPage(report, data)}\n</tbody></table></div>` +
    `<button type="button" id="more"${shown >= total ? ' hidden' : ''}>Show more</button>` +
    '<p id="copy-status" class="sr-only" aria-live="polite"></p>' +
    '</section>' +
    (data.passesCounted ? byRuleSection(data) : '')
  );
}

/** Findings per rule and status: the aggregate that stands in for the passing rows at fleet scale. */
function byRuleSection(data: TableData): string {
  const counts = data.rules.map((r): Record<Status, number> => ({
    fail: 0,
    unknown: 0,
    exempt: 0,
    not_applicable: 0,
    pass: r[2],
  }));
  for (const r of data.rows) counts[r[1]][STATUS_ORDER[r[2]]] += 1;
  const rules = data.rules.map((r, i) => ({ id: r[0], title: r[1], c: counts[i] }));
  rules.sort((a, b) => a.id.localeCompare(b.id));
  return (
    '<section class="card" aria-labelledby="h-by-rule"><h2 id="h-by-rule">Findings by rule</h2>' +
    '<div class="table-wrap"><table class="by-rule"><caption>Every finding of every cluster, counted per rule and ' +
    'status.</caption><thead><tr><th scope="col">Rule</th>' +
    STATUS_ORDER.map((s) => `<th scope="col">${e(STATUS_LABEL[s])}</th>`).join('') +
    '</tr></thead><tbody>' +
    rules
      .map(
        (r) =>
          `<tr><th scope="row" title="${e(r.title)}">${e(r.id)}</th>` +
          STATUS_ORDER.map((s) => `<td>${n(r.c[s])}</td>`).join('') +
          '</tr>',
      )
      .join('') +
    '</tbody></table></div></section>'
  );
}

export function renderHtml(report: ScanReport, options: HtmlOptions = {}): string {
  const pageSize = Math.max(1, Math.floor(options.pageSize ?? 500));
  const data = tableData(report, {
    pageSize,
    fullTableLimit: options.fullTableLimit ?? HTML_FULL_TABLE_LIMIT,
    ...(options.clusterLinkBase !== undefined ? { clusterLinkBase: options.clusterLinkBase } : {}),
  });
  const encoded = encodeTableData(data, jsonForScript);
  const scope =
    report.scope.subscriptions.length === 0 && report.scope.managementGroups.length === 0
      ? 'every subscription the identity can read'
      : [
          report.scope.subscriptions.length ? `subscriptions ${report.scope.subscriptions.join(', ')}` : '',
          report.scope.managementGroups.length ? `management groups ${report.scope.managementGroups.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ');
  const meta = (label: string, value: string) => `<div><dt>${e(label)}</dt><dd>${e(value)}</dd></div>`;
  return (
    [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
      '<meta name="referrer" content="no-referrer">',
      `<title>AKS compliance report \u2013 ${e(report.asOf.slice(0, 10))} \u2013 ${e(report.runId)}</title>`,
      `<style>${STYLE}</style>`,
      '</head>',
      '<body>',
      PATTERN_DEFS,
      '<header class="page">',
      '<h1>AKS compliance report</h1>',
      '<dl>' +
        meta('Run', report.runId) +
        meta('As of', report.asOf) +
        meta('Finished', report.finishedAt) +
        meta('Scope', scope) +
        meta('Inventory', report.complete ? 'complete' : 'PARTIAL') +
        '</dl>',
      '</header>',
      '<main>',
      summarySection(report),
      '<div class="grid">',
      chartCard('h-rules', 'Fails by rule and severity', failsByRuleChart(report)),
      chartCard(
        'h-versions',
        'Clusters by Kubernetes version',
        versionChart(report),
        '<p class="note">Support status of each cluster\u2019s minor version in its region\u2019s version list.</p>',
      ),
      chartCard('h-images', 'Node image age', nodeImageChart(report)),
      chartCard('h-trend', 'Compliance trend', trendChart(report, options.history)),
      '</div>',
      findingsSection(report, data),
      '</main>',
      `<footer>aks-compliance report schemaVersion ${e(report.schemaVersion)}; started ${e(report.startedAt)}, ` +
        `finished ${e(report.finishedAt)}.</footer>`,
      `<script type="application/json" id="report-data" data-encoding="${encoded.encoding}">${encoded.body}</script>`,
      `<script type="module">${CLIENT_SCRIPT}</script>`,
      '</body>',
      '</html>',
    ].join('\n') + '\n'
  );
}
