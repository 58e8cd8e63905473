import { createHash } from 'node:crypto';
import type { ClusterReport, Finding, ScanReport } from '../../model';
import { buildReport } from '../build';
import { CONTENT_SECURITY_POLICY, jsonForScript, renderHtml } from '../html';

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
const FORMULA = "=cmd|' /C calc'!A0";

function finding(ruleId: string, status: Finding['status'], severity: Finding['severity'], details = {}): Finding {
  return { ruleId, status, severity, title: `${ruleId} title`, message: `${ruleId} says ${HOSTILE}`, remediation: `az aks fix --name '${HOSTILE}'`, details }; // prettier-ignore
}

function cluster(name: string, version: string, findings: Finding[]): ClusterReport {
  return {
    id: `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`,
    name,
    subscriptionId: '00000000-0000-0000-0000-000000000001',
    resourceGroup: 'rg',
    location: 'westeurope',
    kubernetesVersion: version,
    tags: { owner: FORMULA, note: HOSTILE },
    findings,
  };
}

const window = { oldestSupportedMinor: '1.34', newestSupportedMinor: '1.36' };

function report(): ScanReport {
  return buildReport({
    runId: 'run-1',
    asOf: new Date('2026-11-27T00:00:00Z'),
    startedAt: new Date('2026-11-27T02:00:00Z'),
    finishedAt: new Date('2026-11-27T02:00:05Z'),
    scope: {},
    complete: false,
    problems: [{ source: 'resourceGraph', scope: '/subscriptions/x', message: `forbidden ${HOSTILE}` }],
    clusters: [
      cluster(HOSTILE, '1.30.4', [
        finding('aks_version_supported', 'fail', 'critical', { minor: '1.30', supportedBy: null, ...window }),
        finding('aks_node_image_current', 'fail', 'high', {
          maxAgeDays: 30,
          pools: [{ name: 'a', ageDays: 120 }],
          unreadablePools: [{ name: 'b' }],
        }),
      ]),
      cluster('aks-ok', '1.35.2', [
        finding('aks_version_supported', 'pass', 'critical', {
          minor: '1.35',
          supportedBy: 'KubernetesOfficial',
          ...window,
        }),
        finding('aks_node_image_current', 'pass', 'high', { maxAgeDays: 30, pools: [{ name: 'a', ageDays: 3 }] }),
        finding('aks_local_accounts_disabled', 'exempt', 'high'),
      ]),
    ],
  });
}

function between(html: string, open: RegExp, close: string): string {
  const m = open.exec(html);
  if (!m) throw new Error(`no ${open}`);
  const start = m.index + m[0].length;
  return html.slice(start, html.indexOf(close, start));
}

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

test('the CSP allows exactly the inline style and script of the page, and nothing is loaded from elsewhere', () => {
  const html = renderHtml(report());
  const style = between(html, /<style>/, '</style>');
  const script = between(html, /<script type="module">/, '</script>');
  expect(CONTENT_SECURITY_POLICY).toContain(`'sha256-${sha(style)}'`);
  expect(CONTENT_SECURITY_POLICY).toContain(`'sha256-${sha(script)}'`);
  expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'none';/);
  expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`);
  expect(html).not.toMatch(/\b(src|href|action)\s*=\s*["']?[a-z]*:?\/\//i);
  // Inline event handlers and style attributes would be blocked by the CSP.
  expect(html).not.toMatch(/\son[a-z]+\s*=\s*["']/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
  expect(html.match(/<script\b/g)).toHaveLength(2);
});

test('report values are escaped in markup and in the JSON block', () => {
  const html = renderHtml(report());
  expect(html).not.toContain(HOSTILE);
  expect(html).not.toContain('<img');
  expect(html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html).toContain('=cmd|&#39; /C calc&#39;!A0');
  const json = between(html, /<script type="application\/json" id="report-data" data-encoding="json">/, '</script>');
  expect(json).not.toMatch(/[<>&]/);
  const data = JSON.parse(json) as { clusters: string[][]; text: string[] };
  expect(data.clusters[0][0]).toBe(HOSTILE);
  expect(data.text).toContain(`aks_version_supported says ${HOSTILE}`);
});

test('jsonForScript keeps the value and removes every character that could end the script block', () => {
  const value = { a: '</script><!-- & \u2028 \u2029 >' };
  const text = jsonForScript(value);
  expect(text).not.toMatch(/[<>&\u2028\u2029]/);
  expect(JSON.parse(text)).toEqual(value);
});

test('summary, problems and charts come from the report', () => {
  const html = renderHtml(report());
  expect(html).toContain('\u26a0 Partial');
  expect(html).toContain('forbidden &quot;&gt;&lt;script&gt;');
  // Fails by rule: two rules with one fail each.
  expect(html).toContain('<title id="chart-rules-t">Fails by rule and severity</title>');
  // Versions: the window band and the minors 1.33 (platform) to 1.36 drawn even without clusters.
  expect(html).toContain('supported window 1.34 to 1.36');
  for (const minor of ['1.30', '1.33', '1.34', '1.35', '1.36']) expect(html).toContain(`>${minor}</text>`);
  // Node images: 3 days, 120 days and one without a date.
  expect(html).toContain('3 node pools; 2 are older than 30 days or carry no date.');
});

test('the trend says in one line that no history was given, and draws one bar per stored run', () => {
  const r = report();
  expect(renderHtml(r)).toContain('No run history was provided');
  const summary = { ...r.summary, failBySeverity: { critical: 3, high: 2, medium: 1, low: 0 } };
  const html = renderHtml(r, {
    history: [
      { runId: 'run-0', finishedAt: '2026-11-26T02:00:00Z', summary },
      { runId: 'run-1', finishedAt: r.finishedAt, summary: r.summary },
    ],
  });
  expect(html).not.toContain('No run history was provided');
  expect(html).toContain('2 runs from 2026-11-26 02:00 to 2026-11-27 02:00; fails went from 6 to 2.');
});

test('the first page of the table is rendered in markup, what needs attention first', () => {
  const html = renderHtml(report(), { pageSize: 2 });
  const body = between(html, /<tbody id="findings-body">/, '</tbody>');
  expect(body.match(/<tr>/g)).toHaveLength(2);
  expect(body.indexOf('sev-critical')).toBeLessThan(body.indexOf('sev-high'));
  expect(html).toContain('data-matching="5" data-shown="2"');
  expect(html).toMatch(/<button type="button" id="more">/);
});

test('an empty fleet renders every section with a note instead of a chart', () => {
  const empty = buildReport({
    runId: 'run-empty',
    asOf: new Date('2026-11-27T00:00:00Z'),
    startedAt: new Date('2026-11-27T02:00:00Z'),
    finishedAt: new Date('2026-11-27T02:00:01Z'),
    scope: { subscriptions: ['00000000-0000-0000-0000-000000000009'] },
    complete: true,
    problems: [],
    clusters: [],
  });
  const html = renderHtml(empty);
  expect(html).toContain('No fails in this run.');
  expect(html).toContain('No clusters in this report.');
  expect(html).toContain('No node pool carried a node image version in this report.');
  expect(html).toContain('data-matching="0" data-shown="0"');
  expect(html).toContain('subscriptions 00000000-0000-0000-0000-000000000009');
  expect(html).toContain('<button type="button" id="more" hidden>');
});
