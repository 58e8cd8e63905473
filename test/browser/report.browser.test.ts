// The HTML report in a real browser (Debian's chromium, driven by playwright-core): it loads from a file with no
// console errors and no request beyond the file, filters and sorting change the rows as the data says, the copy
// button gives feedback, the hostile cluster stays text, and 10,000 clusters stay usable. Writes
// test-artifacts/report.png and test-artifacts/report.html.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SEVERITIES, type ScanReport } from '../../src/model';
import { startDemo } from '../../src/demo/run';
import { renderReport } from '../../src/report/render';
import { runScan } from '../../src/scan/runScan';
import { HOSTILE_NAME, sampleFleet } from '../../sim/fleet/sample';
import { startLocalAzure } from '../harness/localAzure';

// Browser globals used inside page.evaluate callbacks (the project compiles without the DOM library).
declare const document: {
  getElementById(id: string): { dataset: Record<string, string | undefined> } | null;
  querySelectorAll(selector: string): { length: number };
};
declare const navigator: { clipboard: { readText(): Promise<string> } };

export const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(__dirname, '../../test-artifacts');
const AS_OF = new Date('2026-11-27T00:00:00Z');

let browser: Browser;
let report: ScanReport;
let reportUrl: string;

function launchArgs(): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser test needs Debian's chromium (apt-get install -y chromium; .ci/run installs it)`,
    );
  }
  const { fleet } = sampleFleet(AS_OF);
  const local = await startLocalAzure({ fleet });
  try {
    report = await runScan({ settings: local.settings, clients: local.clients }, { asOf: AS_OF });
  } finally {
    await local.stop();
  }
  const history = [3, 2, 1].map((daysAgo, i) => ({
    runId: `earlier-${i}`,
    finishedAt: new Date(Date.parse(report.finishedAt) - daysAgo * 86_400_000).toISOString(),
    summary: {
      ...report.summary,
      failBySeverity: { ...report.summary.failBySeverity, high: report.summary.failBySeverity.high + daysAgo * 3 },
    },
  }));
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, 'report.html');
  writeFileSync(file, renderReport(report, 'html', { history }));
  reportUrl = pathToFileURL(file).href;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: launchArgs() });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

interface Watched {
  context: BrowserContext;
  page: Page;
  errors: string[];
  requests: string[];
  dialogs: string[];
}

async function open(url: string, token?: string): Promise<Watched> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    ...(token ? { extraHTTPHeaders: { authorization: `Bearer ${token}` } } : {}),
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  const watched: Watched = { context, page, errors: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') watched.errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => watched.errors.push(`pageerror: ${err.message}`));
  page.on('request', (r) => watched.requests.push(r.url()));
  page.on('dialog', (d) => {
    watched.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#findings-body tr');
  return watched;
}

function findings(r: ScanReport) {
  return r.clusters.flatMap((c) => c.findings.map((f) => ({ c, f })));
}

async function matching(page: Page): Promise<{ matching: number; shown: number; rows: number }> {
  return page.evaluate(() => {
    const count = document.getElementById('count')!;
    return {
      matching: Number(count.dataset.matching),
      shown: Number(count.dataset.shown),
      rows: document.querySelectorAll('#findings-body tr').length,
    };
  });
}

test('the report loads from a file with no console errors, no network requests and no script from data', async () => {
  const w = await open(reportUrl);
  try {
    expect(w.errors).toEqual([]);
    expect(w.requests).toEqual([reportUrl]);
    expect(w.dialogs).toEqual([]);
    const total = findings(report).length;
    expect(await matching(w.page)).toEqual({
      matching: total,
      shown: Math.min(500, total),
      rows: Math.min(500, total),
    });
    // Every chart is drawn, with a title for assistive technology.
    for (const id of ['chart-rules', 'chart-versions', 'chart-images', 'chart-trend']) {
      expect(await w.page.locator(`svg.chart [id="${id}-t"]`).count()).toBe(1);
    }
    // The hostile cluster name reads as text in the table.
    await w.page.fill('#f-text', '<script>alert(1)');
    await w.page.waitForFunction(() => Number(document.getElementById('count')!.dataset.matching) < 100);
    const names = await w.page.locator('#findings-body td.cluster strong').allTextContents();
    expect(names.length).toBe(report.clusters.find((c) => c.name === HOSTILE_NAME)!.findings.length);
    expect(new Set(names)).toEqual(new Set([HOSTILE_NAME]));
    expect(w.dialogs).toEqual([]);

    await w.page.click('#f-reset');
    await w.page.screenshot({
      path: join(ARTIFACTS, 'report.png'),
      fullPage: true,
      clip: { x: 0, y: 0, width: 1440, height: 2300 },
    });
    expect(existsSync(join(ARTIFACTS, 'report.png'))).toBe(true);
    expect(w.errors).toEqual([]);
  } finally {
    await w.context.close();
  }
});

test('filters by severity, status, rule, subscription and text give the counts the data says', async () => {
  const w = await open(reportUrl);
  try {
    const all = findings(report);
    for (const sev of SEVERITIES) {
      await w.page.selectOption('#f-severity', sev);
      const expected = all.filter(({ f }) => (f.status === 'fail' || f.status === 'exempt') && f.severity === sev);
      const got = await matching(w.page);
      expect(got.matching).toBe(expected.length);
      expect(got.rows).toBe(Math.min(500, expected.length));
      const shownSeverities = await w.page.locator('#findings-body td:nth-child(2)').allTextContents();
      expect(new Set(shownSeverities)).toEqual(expected.length ? new Set([sev]) : new Set());
    }
    await w.page.selectOption('#f-severity', '');

    await w.page.selectOption('#f-status', 'fail');
    expect((await matching(w.page)).matching).toBe(report.summary.status.fail);
    await w.page.selectOption('#f-status', 'unknown');
    expect((await matching(w.page)).matching).toBe(report.summary.status.unknown);
    await w.page.selectOption('#f-status', 'attention');
    expect((await matching(w.page)).matching).toBe(
      report.summary.status.fail + report.summary.status.unknown + report.summary.status.exempt,
    );

    // Pass has more than one page: "show more" appends the next rows.
    await w.page.selectOption('#f-status', 'pass');
    const pass = await matching(w.page);
    expect(pass.matching).toBe(report.summary.status.pass);
    expect(pass.rows).toBe(Math.min(500, pass.matching));
    if (pass.matching > 500) {
      await w.page.click('#more');
      expect((await matching(w.page)).rows).toBe(Math.min(1000, pass.matching));
    }

    await w.page.selectOption('#f-status', 'fail');
    const sub = report.clusters[0].subscriptionId;
    await w.page.selectOption('#f-subscription', sub);
    await w.page.selectOption('#f-rule', 'aks_version_supported');
    expect((await matching(w.page)).matching).toBe(
      all.filter(({ c, f }) => c.subscriptionId === sub && f.ruleId === 'aks_version_supported' && f.status === 'fail')
        .length,
    );

    await w.page.click('#f-reset');
    await w.page.fill('#f-text', 'AKSUbuntu');
    await w.page.waitForFunction(
      (total) => Number(document.getElementById('count')!.dataset.matching) < total,
      all.length,
    );
    const needle = 'aksubuntu';
    const expected = all.filter(({ f }) => `${f.message}\n${f.remediation}`.toLowerCase().includes(needle)).length;
    expect((await matching(w.page)).matching).toBe(expected);
    expect(w.errors).toEqual([]);
  } finally {
    await w.context.close();
  }
});

test('column headers sort with aria-sort, and copy buttons copy with visible feedback', async () => {
  const w = await open(reportUrl);
  try {
    const clusterHead = w.page.locator('th[data-key="cluster"]');
    await clusterHead.locator('button').click();
    expect(await clusterHead.getAttribute('aria-sort')).toBe('ascending');
    expect(await w.page.locator('th[data-key="status"]').getAttribute('aria-sort')).toBeNull();
    const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
    const sorted = [...report.clusters].sort(
      (a, b) => collator.compare(a.name, b.name) || collator.compare(a.resourceGroup, b.resourceGroup),
    );
    const firstName = async () =>
      (await w.page.locator('#findings-body tr:first-child td.cluster strong').textContent())!;
    expect(await firstName()).toBe(sorted[0].name);
    const column = await w.page.locator('#findings-body td.cluster strong').allTextContents();
    expect([...column].sort(collator.compare)).toEqual(column);

    await clusterHead.locator('button').click();
    expect(await clusterHead.getAttribute('aria-sort')).toBe('descending');
    expect(await firstName()).toBe(sorted[sorted.length - 1].name);

    await w.page.locator('th[data-key="version"] button').click();
    const versions = await w.page.locator('#findings-body td:nth-child(5)').allTextContents();
    const key = (v: string) => {
      const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
      return m ? Number(m[1]) * 1e8 + Number(m[2]) * 1e4 + Number(m[3] ?? 0) : -1;
    };
    expect(versions.map(key)).toEqual([...versions.map(key)].sort((a, b) => a - b));

    const first = w.page.locator('#findings-body tr:first-child');
    const command = (await first.locator('td.fix code').textContent())!;
    await first.locator('button.copy').click();
    await w.page.waitForSelector('#findings-body tr:first-child button.copy.done');
    expect(await first.locator('button.copy').textContent()).toContain('Copied');
    expect(await w.page.locator('#copy-status').textContent()).toContain('Copied');
    expect(await w.page.evaluate(() => navigator.clipboard.readText())).toBe(command);
    expect(w.errors).toEqual([]);
  } finally {
    await w.context.close();
  }
});

test('10,000 clusters x 17 findings: the page renders quickly and filters stay responsive', async () => {
  const template = report.clusters;
  const clusters = Array.from({ length: 10_000 }, (_, i) => {
    const base = template[i % template.length];
    const name = `${base.name.slice(0, 40)}-${i}`;
    return { ...base, name, id: `${base.id}-${i}` };
  });
  const big: ScanReport = { ...report, clusters };
  const started = Date.now();
  const html = renderReport(big, 'html');
  const renderMs = Date.now() - started;
  const file = join(ARTIFACTS, 'report-10k.html');
  writeFileSync(file, html);
  const w = await open(pathToFileURL(file).href);
  try {
    const loadStart = Date.now();
    await w.page.reload({ waitUntil: 'load' });
    await w.page.waitForSelector('#findings-body tr');
    const loadMs = Date.now() - loadStart;
    const total = clusters.reduce((s, c) => s + c.findings.length, 0);
    expect(await matching(w.page)).toEqual({ matching: total, shown: 500, rows: 500 });
    const filterStart = Date.now();
    await w.page.selectOption('#f-severity', 'critical');
    const critical = clusters
      .flatMap((c) => c.findings)
      .filter((f) => f.status === 'fail' && f.severity === 'critical');
    expect((await matching(w.page)).matching).toBe(critical.length);
    const filterMs = Date.now() - filterStart;
    const textStart = Date.now();
    await w.page.fill('#f-text', 'aks_version_supported');
    await w.page.waitForFunction(() => document.getElementById('count')!.dataset.matching !== undefined);
    const textMs = Date.now() - textStart;
    process.stdout.write(
      `10k report: ${(html.length / 1e6).toFixed(1)} MB, render ${renderMs} ms, load ${loadMs} ms, ` +
        `severity filter ${filterMs} ms, text filter ${textMs} ms\n`,
    );
    expect(renderMs).toBeLessThan(15_000);
    expect(loadMs).toBeLessThan(15_000);
    expect(filterMs).toBeLessThan(3_000);
    expect(w.errors).toEqual([]);
  } finally {
    await w.context.close();
    rmSync(file, { force: true });
  }
}, 120_000);

test('the report endpoint, served by the demo, loads under its CSP header with no errors and no other request', async () => {
  const lines: string[] = [];
  const demo = await startDemo({
    port: 0,
    outputDir: join(ARTIFACTS, 'demo'),
    out: () => {},
    log: (l) => lines.push(l),
  });
  try {
    const url = `http://127.0.0.1:${demo.port}/api/reports/latest?format=html`;
    const w = await open(url, demo.token);
    try {
      expect(w.errors).toEqual([]);
      expect(w.requests).toEqual([url]);
      const total = demo.report.clusters.reduce((s, c) => s + c.findings.length, 0);
      expect((await matching(w.page)).matching).toBe(total);
      await w.page.selectOption('#f-status', 'fail');
      expect((await matching(w.page)).matching).toBe(demo.report.summary.status.fail);
      // The trend comes from the store's run history.
      expect(await w.page.locator('svg.chart [id="chart-trend-t"]').count()).toBe(1);
      expect(w.errors).toEqual([]);
    } finally {
      await w.context.close();
    }
  } finally {
    await demo.stop();
  }
}, 90_000);
