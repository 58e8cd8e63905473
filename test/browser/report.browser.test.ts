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
import { fleetReport } from '../../bench/fleetReport';
import { FULL_SIZE, fleetOptionsFor } from '../../bench/run';

// Browser globals used inside page.evaluate callbacks (the project compiles without the DOM library).
declare const document: {
  documentElement: { dataset: Record<string, string | undefined> };
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

test('the bench fleet (10,000 clusters): one file of at most 5 MB, interactive within 3 s, passes counted', async () => {
  const big = fleetReport(fleetOptionsFor(FULL_SIZE));
  const started = Date.now();
  const html = renderReport(big, 'html', { clusterLinkBase: '/api' });
  const renderMs = Date.now() - started;
  const bytes = Buffer.byteLength(html);
  expect(bytes).toBeLessThanOrEqual(5_000_000);
  const file = join(ARTIFACTS, 'report-10k.html');
  writeFileSync(file, html);
  const all = findings(big);
  const nonPass = all.filter(({ f }) => f.status !== 'pass');
  const passes = all.length - nonPass.length;
  expect(passes).toBeGreaterThan(0);
  const w = await open(pathToFileURL(file).href);
  try {
    // Interactive: from navigation to the script ready and a filter applied.
    const loadStart = Date.now();
    await w.page.reload({ waitUntil: 'load' });
    await w.page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    await w.page.selectOption('#f-severity', 'critical');
    const critical = all.filter(({ f }) => f.status === 'fail' && f.severity === 'critical');
    expect((await matching(w.page)).matching).toBe(critical.length);
    const interactiveMs = Date.now() - loadStart;
    await w.page.selectOption('#f-severity', '');
    expect(await matching(w.page)).toEqual({ matching: nonPass.length, shown: 500, rows: 500 });
    // Passes are counted (per rule and per cluster), not listed.
    const passOption = await w.page.locator('#f-status option[value="pass"]').textContent();
    expect(passOption).toContain(new Intl.NumberFormat('en-US').format(passes));
    await w.page.selectOption('#f-status', 'pass');
    expect((await matching(w.page)).matching).toBe(0);
    await w.page.selectOption('#f-status', '');
    // A message with the cluster's own names comes back whole, and the cluster links to its own page.
    const first = await w.page.locator('#findings-body tr').first();
    const name = await first.locator('td.cluster strong').textContent();
    const cluster = big.clusters.find((c) => c.name === name)!;
    const href = await first.locator('td.cluster a').getAttribute('href');
    expect(href).toBe(
      `/api/clusters/${cluster.subscriptionId}/${encodeURIComponent(cluster.resourceGroup)}/${encodeURIComponent(cluster.name)}?format=html`,
    );
    const message = await first.locator('td.msg').textContent();
    expect(cluster.findings.map((f) => f.message)).toContain(message);
    // The text search finds the cluster's findings through its expanded texts.
    await w.page.fill('#f-text', cluster.name.toLowerCase());
    await w.page.waitForFunction((n) => Number(document.getElementById('count')!.dataset.matching) < n, nonPass.length);
    const own = nonPass.filter(({ c }) => c === cluster).length;
    expect((await matching(w.page)).matching).toBeGreaterThanOrEqual(own);
    process.stdout.write(
      `bench fleet report: ${(bytes / 1e6).toFixed(2)} MB, ${all.length} findings (${nonPass.length} listed), ` +
        `render ${renderMs} ms, interactive ${interactiveMs} ms\n`,
    );
    expect(interactiveMs).toBeLessThan(3_000);
    expect(w.errors).toEqual([]);
    // Loaded twice (the first load and the timed reload), and nothing else.
    expect([...new Set(w.requests)]).toEqual([pathToFileURL(file).href]);
  } finally {
    await w.context.close();
    rmSync(file, { force: true });
  }
}, 180_000);

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
