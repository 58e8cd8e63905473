import type { ClusterReport, Finding } from '../model';
import { buildReport, clusterReportBase } from './build';
import { FilterError, filterReport } from './filter';
import { escapeMarkdown, neutraliseCsvCell, renderReport, REPORT_FORMATS } from './render';
import { validateReport } from './schema';

const HOSTILE_NAME = '<script>alert(1)</script>';
const HOSTILE_TAG = `"=cmd|' /C calc'!A0"`;

function finding(ruleId: string, status: Finding['status'], severity: Finding['severity'], message = 'm'): Finding {
  return {
    ruleId,
    status,
    severity,
    title: `${ruleId} title`,
    message,
    remediation: `az aks fix ${ruleId}`,
    details: {},
  };
}

function cluster(
  name: string,
  findings: Finding[],
  tags: Record<string, string> = {},
  sub = '00000000-0000-0000-0000-000000000001',
): ClusterReport {
  return {
    ...clusterReportBase({
      id: `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/${encodeURIComponent(name)}`,
      name,
      subscriptionId: sub,
      resourceGroup: 'rg1',
      location: 'westeurope',
      tags,
      properties: { kubernetesVersion: '1.33.1', currentKubernetesVersion: '1.33.2' },
    }),
    findings,
  };
}

function sampleReport() {
  return buildReport({
    runId: 'run-1',
    asOf: new Date('2026-11-27T00:00:00Z'),
    startedAt: new Date('2026-11-27T02:00:00Z'),
    finishedAt: new Date('2026-11-27T02:00:05Z'),
    scope: {},
    complete: true,
    problems: [],
    clusters: [
      cluster(
        HOSTILE_NAME,
        [
          finding('aks_version_supported', 'fail', 'critical', 'line one\nline | two `code` <b>&'),
          finding('aks_entra_id_enabled', 'pass', 'high'),
          finding('aks_local_accounts_disabled', 'exempt', 'high'),
          finding('aks_node_image_current', 'unknown', 'medium', '=HYPERLINK("http://evil")'),
        ],
        { owner: HOSTILE_TAG, "it's": '"quoted"' },
      ),
      cluster(
        'prod-aks',
        [
          finding('aks_version_supported', 'pass', 'critical'),
          finding('aks_azure_rbac_enabled', 'not_applicable', 'low'),
          finding('aks_auto_upgrade_enabled', 'fail', 'medium', 'x'.repeat(300)),
        ],
        {},
        '00000000-0000-0000-0000-000000000002',
      ),
    ],
  });
}

describe('buildReport', () => {
  test('summary counts every status and only live fails by severity', () => {
    const r = sampleReport();
    expect(r.summary).toEqual({
      clusters: 2,
      status: { pass: 2, fail: 2, unknown: 1, not_applicable: 1, exempt: 1 },
      failBySeverity: { critical: 1, high: 0, medium: 1, low: 0 },
    });
    expect(r.clusters[0].kubernetesVersion).toBe('1.33.2');
    expect(r.problems).toBeUndefined();
  });

  test('clusterReportBase falls back to kubernetesVersion, then null', () => {
    const base = { id: 'x', name: 'n', subscriptionId: 's', resourceGroup: 'r', location: 'l', tags: {} };
    expect(clusterReportBase({ ...base, properties: { kubernetesVersion: '1.30.1' } }).kubernetesVersion).toBe(
      '1.30.1',
    );
    expect(clusterReportBase({ ...base, properties: { currentKubernetesVersion: 7 } }).kubernetesVersion).toBeNull();
  });
});

describe('validateReport', () => {
  test('accepts a built report, with and without problems', () => {
    expect(validateReport(sampleReport())).toEqual([]);
    const withProblems = {
      ...sampleReport(),
      complete: false,
      problems: [{ source: 'resourceGraph', scope: 's', message: 'm' }],
    };
    expect(validateReport(withProblems)).toEqual([]);
  });

  test('rejects a broken report and says where', () => {
    const r = JSON.parse(JSON.stringify(sampleReport()));
    r.clusters[0].findings[0].status = 'failed';
    delete r.summary.status.exempt;
    r.asOf = 'yesterday';
    const errors = validateReport(r);
    expect(errors.some((e) => e.startsWith('/clusters/0/findings/0/status'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/summary/status') && e.includes('exempt'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/asOf'))).toBe(true);
    expect(validateReport({ ...sampleReport(), schemaVersion: 2 })).not.toEqual([]);
    expect(validateReport({ ...sampleReport(), extra: 1 })).toEqual([expect.stringContaining('extra')]);
  });
});

describe('filterReport', () => {
  test('filters by comma lists and recomputes the summary', () => {
    const r = filterReport(sampleReport(), { status: 'fail,unknown', severity: ['critical', 'medium'] });
    expect(r.clusters.map((c) => c.findings.map((f) => f.ruleId))).toEqual([
      ['aks_version_supported', 'aks_node_image_current'],
      ['aks_auto_upgrade_enabled'],
    ]);
    expect(r.summary.status).toEqual({ pass: 0, fail: 2, unknown: 1, not_applicable: 0, exempt: 0 });
    expect(validateReport(r)).toEqual([]);
  });

  test('subscription keeps whole clusters; rule narrows findings', () => {
    const bySub = filterReport(sampleReport(), { subscription: '00000000-0000-0000-0000-000000000002' });
    expect(bySub.clusters.map((c) => c.name)).toEqual(['prod-aks']);
    expect(bySub.summary.clusters).toBe(1);
    const byRule = filterReport(sampleReport(), { rule: 'aks_entra_id_enabled' });
    expect(byRule.summary).toMatchObject({ clusters: 1, status: { pass: 1 } });
  });

  test.each([
    ['severity', { severity: 'urgent' }],
    ['status', { status: 'pass,failed' }],
    ['subscription', { subscription: 'not-a-guid' }],
    ['rule', { rule: 'DROP TABLE' }],
  ] as const)('an invalid %s value names the filter', (name, filters) => {
    expect(() => filterReport(sampleReport(), filters)).toThrow(FilterError);
    try {
      filterReport(sampleReport(), filters);
    } catch (err) {
      expect((err as FilterError).filter).toBe(name);
      expect((err as Error).message).toContain(name);
    }
  });
});

describe('renderReport', () => {
  test('every format keeps the hostile cluster name and tags inert', () => {
    const r = sampleReport();
    for (const format of REPORT_FORMATS) {
      const out = renderReport(r, format);
      if (format === 'json') {
        expect(JSON.parse(out).clusters[0].name).toBe(HOSTILE_NAME);
        continue;
      }
      if (format === 'html' || format === 'md') {
        expect(out).not.toContain('<script>');
        expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      }
      if (format === 'csv') expect(out).not.toMatch(/(^|,)"?=/m);
      if (format === 'html') {
        expect(out).toContain('&quot;=cmd|&#39; /C calc&#39;!A0&quot;');
        expect(out).not.toContain('<b>');
      }
      if (format === 'md') expect(out).toContain('\\|');
    }
  });

  test('json is pretty, schema-valid and stable whatever the key order', () => {
    const r = sampleReport();
    const shuffled = JSON.parse(JSON.stringify(r, Object.keys(r).reverse()));
    Object.assign(shuffled, { clusters: r.clusters, summary: r.summary, scope: r.scope });
    const out = renderReport(r, 'json');
    expect(renderReport(shuffled, 'json')).toBe(out);
    expect(out.split('\n')[1]).toBe('  "schemaVersion": 1,');
    expect(validateReport(JSON.parse(out))).toEqual([]);
  });

  test('csv: one row per finding, every field quoted, formula cells and parts neutralised, quotes escaped', () => {
    const out = renderReport(sampleReport(), 'csv');
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe(
      '"clusterId","clusterName","subscriptionId","resourceGroup","location","kubernetesVersion","ruleId","status","severity","title","message","remediation","tags"',
    );
    expect(out).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(out).toContain(`owner=""=cmd|' /C calc'!A0""`);
    // Every field is quoted: the whole text is quoted fields separated by commas and record ends, 13 to a record.
    expect(out).toMatch(/^(?:"(?:[^"]|"")*"[,\n])+$/);
    const fields = out.match(/"(?:[^"]|"")*"[,\n]/g) ?? [];
    expect(fields.filter((f) => f.endsWith('\n'))).toHaveLength(8);
    expect(fields).toHaveLength(13 * 8);
    // A tag value that hides a formula after a separator: team=x;=cmd|' /C calc'!A0
    expect(neutraliseCsvCell("team=x;=cmd|' /C calc'!A0")).toBe("team=x;'=cmd|' /C calc'!A0");
    expect(neutraliseCsvCell('a\t+1')).toBe("a\t'+1");
    expect(neutraliseCsvCell('a\r@SUM(A1)')).toBe("a\r'@SUM(A1)");
    expect(neutraliseCsvCell('a\n-2;b=1')).toBe("a\n'-2;b=1");
    expect(neutraliseCsvCell('=a;=b')).toBe("'=a;'=b");
    expect(neutraliseCsvCell('a=1; =b')).toBe("a=1; '=b");
    expect(neutraliseCsvCell('a-b;c@d')).toBe('a-b;c@d');
    expect(neutraliseCsvCell('=1+1')).toBe("'=1+1");
    expect(neutraliseCsvCell('+1')).toBe("'+1");
    expect(neutraliseCsvCell('-1')).toBe("'-1");
    expect(neutraliseCsvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutraliseCsvCell('\tx')).toBe("'\tx");
    expect(neutraliseCsvCell('\rx')).toBe("'\rx");
    expect(neutraliseCsvCell('safe')).toBe('safe');
    // 7 findings: the multi-line message is quoted, so count records not lines.
    expect(out.match(/^"\/subscriptions\//gm)).toHaveLength(7);
  });

  test('md escapes pipes, backticks, markup and newlines in cells', () => {
    expect(escapeMarkdown('a|b`c`<i>&\nd [x](javascript:1)')).toBe(
      'a\\|b\\`c\\`&lt;i&gt;&amp; d \\[x\\](javascript:1)',
    );
    const out = renderReport(sampleReport(), 'md');
    const row = out.split('\n').find((l) => l.includes('aks_version_supported') && l.includes('line one'));
    expect(row).toBeDefined();
    // A row has exactly the table's 10 unescaped pipes.
    expect(row!.replace(/\\\|/g, '').split('|')).toHaveLength(11);
    expect(out).toContain('3 passing or not applicable findings are not listed.');
  });

  test('table fits 80 columns, truncates with an ellipsis and summarises passes', () => {
    const out = renderReport(sampleReport(), 'table');
    const lines = out.trimEnd().split('\n');
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(out).toContain('…');
    expect(out).toMatch(/prod-aks .*\(pass 1, n\/a 1\)/);
    expect(lines.filter((l) => l.startsWith('  FAIL'))).toHaveLength(2);
    expect(out).not.toMatch(/\n {2}PASS/);
    const wide = renderReport(sampleReport(), 'table', { width: 120 });
    expect(Math.max(...wide.split('\n').map((l) => [...l].length))).toBeGreaterThan(80);
  });

  test('table strips terminal control sequences', () => {
    const r = sampleReport();
    r.clusters[1].name = 'evil\u001b[2Jname';
    expect(renderReport(r, 'table')).not.toContain('\u001b');
  });
});
