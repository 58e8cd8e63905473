// Reports at fleet scale over HTTP: JSON and CSV in pages (`top`, `skipToken`, checked against the published
// schema), the summary route, and each cluster's own HTML page that the HTML report links to; called as the
// Functions host calls the handlers, against a FindingStore on Azurite.
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { handleGetCluster } from '../../src/http/clusters';
import type { HttpDeps } from '../../src/http/common';
import { handleGetReport, handleGetReportSummary } from '../../src/http/reports';
import { matchRoute, ROUTES } from '../../src/http/routes';
import type { ClusterReport, Finding, ScanReport } from '../../src/model';
import { reportAggregates } from '../../src/report/aggregates';
import { buildReport } from '../../src/report/build';
import { renderReport } from '../../src/report/render';
import { RULES_BY_ID } from '../../src/rules/index';
import { validateReport } from '../../src/report/schema';
import { FindingStore } from '../../src/store/findingStore';
import { DEMO_USER } from '../../sim';
import { generateFleet } from '../../sim/fleet/generator';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';
import { header, json } from './responses';

const SUBS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
const HOSTILE = `<b>"x"</b>`;

function finding(ruleId: string, status: Finding['status'], severity: Finding['severity'] = 'high'): Finding {
  // A finding's title is its rule's (the summary of a run read thin takes titles from the catalog).
  const title = RULES_BY_ID.get(ruleId)!.title;
  return { ruleId, status, severity, title, message: `${ruleId} ${status} ${HOSTILE}`, remediation: '', details: {} };
} // prettier-ignore

function cluster(i: number): ClusterReport {
  const sub = SUBS[i % 2];
  const name = `aks-${String(i).padStart(2, '0')}`;
  return {
    id: `/subscriptions/${sub}/resourceGroups/rg-${i % 3}/providers/Microsoft.ContainerService/managedClusters/${name}`,
    name,
    subscriptionId: sub,
    resourceGroup: `rg-${i % 3}`,
    location: 'westeurope',
    kubernetesVersion: i % 4 ? '1.31.2' : '1.30.1',
    tags: { team: HOSTILE },
    findings: [
      finding('aks_local_accounts_disabled', i % 2 ? 'fail' : 'pass'),
      finding('aks_version_supported', i % 4 ? 'pass' : 'fail', 'critical'),
      finding('aks_entra_id_enabled', 'pass'),
    ],
  };
}

const REPORT: ScanReport = buildReport({
  runId: '20261127T020000Z-pages1',
  asOf: new Date('2026-11-27T02:00:00Z'),
  startedAt: new Date('2026-11-27T02:00:00Z'),
  finishedAt: new Date('2026-11-27T02:01:00Z'),
  scope: { subscriptions: [], managementGroups: [] },
  complete: true,
  clusters: Array.from({ length: 25 }, (_, i) => cluster(i)),
  problems: [],
});

let local: LocalAzure;
let deps: HttpDeps;
/** A person in the groups holding Reports.Read (the simulator's sign-in issues the token). */
let bearer: string;

function context(): InvocationContext {
  return new InvocationContext({ logHandler: () => undefined });
}

/** A GET routed through the route table, as the host routes it. */
function get(path: string): HttpRequest {
  const url = new URL(`http://localhost:7071${path}`);
  const matched = matchRoute(ROUTES, url.pathname.replace(/^\/api\//, ''));
  return new HttpRequest({
    method: 'GET',
    url: url.href,
    params: matched?.params ?? {},
    headers: { authorization: `Bearer ${bearer}` },
  });
}

function expectError(response: HttpResponseInit, status: number, mentions: string): void {
  expect(response.status).toBe(status);
  expect(json(response).error.message).toContain(mentions);
}

beforeAll(async () => {
  local = await startLocalAzure({
    fleet: generateFleet({ seed: 3, clusters: 2, subscriptions: 1, regions: 1 }).fleet,
    azurite: true,
  });
  bearer = local.sim.signIn.userToken(DEMO_USER);
  const store = new FindingStore(local.clients, { tablePrefix: 'httppages' });
  await store.recordRun(REPORT, { trigger: 'timer' });
  deps = { settings: local.settings, clients: local.clients, store, now: () => new Date('2026-11-27T12:00:00Z') };
});
afterAll(async () => {
  await local?.stop();
});

describe('GET /api/reports/{runId} in pages', () => {
  it('pages JSON by clusters; every page matches the schema and the pages together are the report', async () => {
    let path: string | undefined = '/api/reports/latest?top=10';
    const pages: ScanReport[] = [];
    while (path) {
      const response = await handleGetReport(get(path), context(), deps);
      expect(response.status).toBe(200);
      const page = json(response) as ScanReport;
      expect(validateReport(page)).toEqual([]);
      expect(page.summary).toEqual(REPORT.summary);
      pages.push(page);
      path = page.page?.nextLink ? `/api/${page.page.nextLink}` : undefined;
    }
    expect(pages.map((p) => p.clusters.length)).toEqual([10, 10, 5]);
    expect(pages.map((p) => p.page!.offset)).toEqual([0, 10, 20]);
    expect(pages.every((p) => p.page!.totalClusters === 25)).toBe(true);
    expect(pages[2].page!.nextSkipToken).toBeUndefined();
    expect(pages.flatMap((p) => p.clusters)).toEqual(JSON.parse(JSON.stringify(REPORT.clusters)));
  });

  it('pages after the filters and keeps them in nextLink', async () => {
    const first = json(await handleGetReport(get(`/api/reports/${REPORT.runId}?status=fail&top=4`), context(), deps));
    const failing = REPORT.clusters.filter((c) => c.findings.some((f) => f.status === 'fail'));
    expect(first.page.totalClusters).toBe(failing.length);
    expect(first.page.nextLink).toContain('status=fail');
    const second = json(await handleGetReport(get(`/api/${first.page.nextLink}`), context(), deps));
    expect(second.clusters.map((c: ClusterReport) => c.id)).toEqual(failing.slice(4, 8).map((c) => c.id));
    // The listing is read thin and the page's clusters whole: filtered findings keep their messages and details.
    const expected = failing
      .slice(4, 8)
      .map((c) => ({ ...c, findings: c.findings.filter((f) => f.status === 'fail') }));
    expect(second.clusters).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('serves a report that fits one page as it is, and says where the page sits when paging is asked for', async () => {
    const whole = json(await handleGetReport(get(`/api/reports/${REPORT.runId}`), context(), deps));
    expect(whole).toEqual(JSON.parse(JSON.stringify(REPORT)));
    const one = json(await handleGetReport(get(`/api/reports/${REPORT.runId}?top=1000`), context(), deps));
    expect(one.page).toEqual({ top: 1000, offset: 0, totalClusters: 25 });
    expect(validateReport(one)).toEqual([]);
  });

  it('pages CSV with a Link header to the next page, the header row on each', async () => {
    const response = await handleGetReport(get('/api/reports/latest?format=csv&top=20'), context(), deps);
    const lines = String(response.body).trim().split('\n');
    expect(lines[0]).toMatch(/^"?clusterId"?,/);
    expect(lines).toHaveLength(1 + 20 * 3);
    const link = /^<\.\.\/(reports\/[^>]+)>; rel="next"$/.exec(header(response, 'link') ?? '');
    expect(link).not.toBeNull();
    const next = await handleGetReport(get(`/api/${link![1]}`), context(), deps);
    expect(String(next.body).trim().split('\n')).toHaveLength(1 + 5 * 3);
    expect(header(next, 'link')).toBeUndefined();
  });

  it('refuses a bad top, a foreign or broken skipToken, and paging of a one-document format', async () => {
    expectError(await handleGetReport(get('/api/reports/latest?top=0'), context(), deps), 400, 'top');
    expectError(await handleGetReport(get('/api/reports/latest?top=5001'), context(), deps), 400, 'top');
    expectError(await handleGetReport(get('/api/reports/latest?top=1e3'), context(), deps), 400, 'top');
    expectError(await handleGetReport(get('/api/reports/latest?skipToken=%25%25'), context(), deps), 400, 'skipToken');
    const page = json(await handleGetReport(get('/api/reports/latest?top=10'), context(), deps));
    const token = page.page.nextSkipToken as string;
    expectError(await handleGetReport(get(`/api/reports/other-run?skipToken=${token}`), context(), deps), 400, 'skipToken');
    const far = Buffer.from(JSON.stringify({ r: REPORT.runId, o: 99 })).toString('base64url');
    expectError(await handleGetReport(get(`/api/reports/latest?skipToken=${far}`), context(), deps), 400, 'skipToken');
    expectError(await handleGetReport(get('/api/reports/latest?format=html&top=5'), context(), deps), 400, 'top');
  }); // prettier-ignore

  it('links every cluster of the HTML report to its own page', async () => {
    const response = await handleGetReport(get('/api/reports/latest?format=html'), context(), deps);
    const html = String(response.body);
    for (const c of REPORT.clusters.slice(0, 3)) {
      expect(html).toContain(`<a href="../clusters/${c.subscriptionId}/${c.resourceGroup}/${c.name}?format=html">`);
    }
  });
});

describe('the new routes need the Reports.Read role', () => {
  it('answers 401 without a token on the summary, pages and cluster page', async () => {
    const anonymous = (path: string): HttpRequest => {
      const url = new URL(`http://localhost:7071${path}`);
      return new HttpRequest({ method: 'GET', url: url.href, params: matchRoute(ROUTES, url.pathname.slice(5))!.params });
    };
    const c = REPORT.clusters[0];
    expect((await handleGetReportSummary(anonymous('/api/reports/latest/summary'), context(), deps)).status).toBe(401);
    expect((await handleGetReport(anonymous('/api/reports/latest?top=5'), context(), deps)).status).toBe(401);
    const page = anonymous(`/api/clusters/${c.subscriptionId}/${c.resourceGroup}/${c.name}?format=html`);
    expect((await handleGetCluster(page, context(), deps)).status).toBe(401);
  }); // prettier-ignore
});

describe('GET /api/reports/{runId}/summary', () => {
  it('serves the totals and chart data of the run, and the runs’ trend', async () => {
    const response = await handleGetReportSummary(get('/api/reports/latest/summary'), context(), deps);
    expect(response.status).toBe(200);
    const body = json(response);
    const { trend, ...aggregates } = body;
    expect(aggregates).toEqual(JSON.parse(JSON.stringify(reportAggregates(REPORT))));
    expect(aggregates.clustersWithFails).toBe(REPORT.clusters.filter((c) => c.findings.some((f) => f.status === 'fail')).length);
    expect(aggregates.byMinor).toEqual([
      { minor: '1.30', clusters: 7 },
      { minor: '1.31', clusters: 18 },
    ]);
    expect(trend).toEqual([expect.objectContaining({ runId: REPORT.runId, summary: REPORT.summary })]);
    expect(String(response.body).length).toBeLessThan(renderReport(REPORT, 'json').length);
  }); // prettier-ignore

  it('answers an unknown run with 404 and a query parameter with 400', async () => {
    expectError(await handleGetReportSummary(get('/api/reports/nope/summary'), context(), deps), 404, 'nope');
    expectError(await handleGetReportSummary(get('/api/reports/latest/summary?top=1'), context(), deps), 400, 'top');
  });
});

describe('GET /api/clusters/{sub}/{rg}/{name}?format=html', () => {
  it('serves the cluster’s own page: every finding escaped, its history, a CSP with no script', async () => {
    const c = REPORT.clusters[4];
    const response = await handleGetCluster(
      get(`/api/clusters/${c.subscriptionId}/${c.resourceGroup}/${c.name}?format=html`),
      context(),
      deps,
    );
    expect(response.status).toBe(200);
    expect(header(response, 'content-type')).toBe('text/html; charset=utf-8');
    expect(header(response, 'content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-/);
    const html = String(response.body);
    expect(html).not.toContain('<script');
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('&lt;b&gt;&quot;x&quot;&lt;/b&gt;');
    expect(html.match(/<tr><td><span class="st /g)).toHaveLength(c.findings.length);
    expect(html).toContain(REPORT.runId);
    expect(html).toContain('href="../../../reports/latest?format=html"');
    const asJson = await handleGetCluster(get(`/api/clusters/${c.subscriptionId}/${c.resourceGroup}/${c.name}`), context(), deps);
    expect(json(asJson).cluster.findings).toHaveLength(c.findings.length);
    expectError(
      await handleGetCluster(get(`/api/clusters/${c.subscriptionId}/${c.resourceGroup}/${c.name}?format=pdf`), context(), deps),
      400,
      'format',
    );
  }); // prettier-ignore
});
