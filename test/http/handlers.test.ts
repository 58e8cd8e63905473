// The HTTP handlers, called as the Functions host calls them (HttpRequest, InvocationContext), against a
// FindingStore on Azurite and, for POST /api/scans, the simulator.
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { createAzureClients } from '../../src/azure/clients';
import { loadSettings } from '../../src/config/settings';
import { handleGetCluster } from '../../src/http/clusters';
import type { HttpDeps } from '../../src/http/common';
import { handleExemptionHistory, handleExemptions } from '../../src/http/exemptions';
import { handleGetReport } from '../../src/http/reports';
import { matchRoute, ROUTES } from '../../src/http/routes';
import { handleStartScan } from '../../src/http/scans';
import { httpFunctionOptions } from '../../src/functions/http';
import { nightlyScanOptions, timerRunId } from '../../src/functions/nightlyScan';
import type { ClusterReport, Finding, ScanReport } from '../../src/model';
import { buildReport } from '../../src/report/build';
import { FindingStore } from '../../src/store/findingStore';
import { generateFleet } from '../../sim/fleet/generator';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';
import { DEMO_USER } from '../../sim';
import { createQueueClient } from '../../src/azure/queues';
import { localQueueHost, type LocalQueueHost } from '../../src/demo/queueHost';
import { runQueuedScan, SCAN_QUEUE } from '../../src/scan/onDemand';
import { header, json } from './responses';

const SUB_A = '11111111-1111-4111-8111-111111111111';
const SUB_B = '22222222-2222-4222-8222-222222222222';
const HOSTILE_NAME = `<script>alert("x")</script>'"`;

function id(sub: string, rg: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

function finding(ruleId: string, status: Finding['status'], severity: Finding['severity']): Finding {
  return {
    ruleId,
    status,
    severity,
    title: `${ruleId} title`,
    message: `${ruleId} ${status}`,
    remediation: `az aks update --resource-group rg --name n`,
    details: {},
  };
}

function cluster(sub: string, rg: string, name: string, tags: Record<string, string> = {}): ClusterReport {
  return {
    id: id(sub, rg, name),
    name,
    subscriptionId: sub,
    resourceGroup: rg,
    location: 'westeurope',
    kubernetesVersion: '1.31.2',
    tags,
    findings: [
      finding('aks_local_accounts_disabled', 'fail', 'high'),
      finding('aks_version_supported', 'fail', 'critical'),
      finding('aks_entra_id_enabled', 'pass', 'high'),
    ],
  };
}

function report(runId: string, clusters: ClusterReport[]): ScanReport {
  return buildReport({
    runId,
    asOf: new Date('2026-11-27T02:00:00Z'),
    startedAt: new Date('2026-11-27T02:00:00Z'),
    finishedAt: new Date('2026-11-27T02:01:00Z'),
    scope: { subscriptions: [], managementGroups: [] },
    complete: true,
    clusters,
    problems: [],
  });
}

const CLUSTERS = [
  cluster(SUB_A, 'rg-one', 'aks-one', { env: 'prod' }),
  // Hostile text: a name with markup and quotes (not a valid ARM name, but reports must never trust names), and
  // tags that are spreadsheet formulas.
  {
    ...cluster(SUB_B, 'rg-two', 'aks-two', {
      '=cmd|x': `=cmd|' /C calc'!A0`,
      owner: '+SUM(1,2)',
      team: `x;=cmd|' /C calc'!A0`,
    }),
    name: HOSTILE_NAME,
  },
];
const R1 = report('20261126T020000Z-aaaaaa', CLUSTERS);
const R2 = report('20261127T020000Z-bbbbbb', [CLUSTERS[0], { ...CLUSTERS[1], findings: CLUSTERS[1].findings.slice() }]);
R2.clusters[1].findings[0] = finding('aks_local_accounts_disabled', 'pass', 'high');
const R2B = buildReport({
  ...R2,
  asOf: new Date(R2.asOf),
  startedAt: new Date(R2.startedAt),
  finishedAt: new Date(R2.finishedAt),
  problems: [],
});

let local: LocalAzure;
let deps: HttpDeps;
/** A person in the groups holding Reports.Read, Scans.Run and Exemptions.Write. */
let bearer: string;
const generated = generateFleet({ seed: 5, clusters: 30, subscriptions: 3, regions: 2 });
const NOW = new Date('2026-11-27T12:00:00Z');

function context(): InvocationContext {
  return new InvocationContext({ logHandler: () => undefined });
}

function get(path: string, params: Record<string, string> = {}, headers: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({
    method: 'GET',
    url: `http://localhost:7071${path}`,
    params,
    headers: { authorization: `Bearer ${bearer}`, ...headers },
  });
}

function request(method: string, path: string, body?: string, headers: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({
    method,
    url: `http://localhost:7071${path}`,
    ...(body !== undefined ? { body: { string: body } } : {}),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, ...headers },
  });
}

function expectError(response: HttpResponseInit, status: number, mentions: string): void {
  expect(response.status).toBe(status);
  expect(header(response, 'content-type')).toMatch(/^application\/json/);
  const body = json(response);
  expect(typeof body.error.code).toBe('string');
  expect(body.error.message).toContain(mentions);
  expect(String(response.body)).not.toMatch(/\n\s+at /); // no stack trace
}

beforeAll(async () => {
  local = await startLocalAzure({ fleet: generated.fleet, azurite: { queues: true } });
  bearer = local.sim.signIn.userToken(DEMO_USER);
  const settings = local.settings;
  const clients = local.clients;
  const store = new FindingStore(clients, { tablePrefix: 'httptest' });
  await store.recordRun(R1, { trigger: 'timer' });
  await store.recordRun(R2B, { trigger: 'timer' });
  deps = { settings, clients, store, now: () => NOW };
});
afterAll(async () => {
  await local?.stop();
});

describe('GET /api/reports/{runId}', () => {
  it('serves the latest report as JSON, equal to what the run returned', async () => {
    const response = await handleGetReport(get('/api/reports/latest', { runId: 'latest' }), context(), deps);
    expect(response.status).toBe(200);
    expect(header(response, 'content-type')).toBe('application/json; charset=utf-8');
    expect(json(response)).toEqual(JSON.parse(JSON.stringify(R2B)));
  });

  it('serves an earlier run by ID', async () => {
    const response = await handleGetReport(get(`/api/reports/${R1.runId}`, { runId: R1.runId }), context(), deps);
    expect(response.status).toBe(200);
    expect(json(response)).toEqual(JSON.parse(JSON.stringify(R1)));
  });

  it('filters by severity, status, subscription and rule', async () => {
    const path = `/api/reports/${R1.runId}?status=fail&severity=critical&subscription=${SUB_A}&rule=aks_version_supported`;
    const body = json(await handleGetReport(get(path, { runId: R1.runId }), context(), deps));
    expect(body.clusters).toHaveLength(1);
    expect(body.clusters[0].findings.map((f: Finding) => f.ruleId)).toEqual(['aks_version_supported']);
    const repeated = json(
      await handleGetReport(
        get(`/api/reports/${R1.runId}?status=pass&status=fail&rule=aks_entra_id_enabled`, { runId: R1.runId }),
        context(),
        deps,
      ),
    );
    expect(repeated.clusters.flatMap((c: ClusterReport) => c.findings)).toHaveLength(2);
  });

  it.each([
    ['csv', 'text/csv; charset=utf-8'],
    ['md', 'text/markdown; charset=utf-8'],
    ['html', 'text/html; charset=utf-8'],
  ])('renders format=%s with its content type', async (format, type) => {
    const response = await handleGetReport(
      get(`/api/reports/latest?format=${format}`, { runId: 'latest' }),
      context(),
      deps,
    );
    expect(response.status).toBe(200);
    expect(header(response, 'content-type')).toBe(type);
    expect(String(response.body)).toContain('aks-one');
    if (format === 'html') {
      expect(header(response, 'content-security-policy')).toMatch(/default-src 'none'/);
      expect(header(response, 'content-security-policy')).not.toMatch(/unsafe-inline/);
    }
  });

  it('keeps a hostile cluster name and formula tags inert in HTML, CSV and Markdown', async () => {
    const html = String(
      (await handleGetReport(get('/api/reports/latest?format=html', { runId: 'latest' }), context(), deps)).body,
    );
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain(`alert("x")</script>`);
    expect(html).toContain('&lt;script&gt;');

    const csv = String(
      (await handleGetReport(get('/api/reports/latest?format=csv', { runId: 'latest' }), context(), deps)).body,
    );
    expect(csv).toContain('cmd|');
    // Every field is quoted; no cell, and no part of a cell after ; tab CR or LF, starts with a formula character.
    expect(csv).not.toMatch(/(^|,)"?[=+@]/m);
    expect(csv).not.toMatch(/[;\t\r\n]\s*[=+\-@]/);
    expect(csv).toContain(`team=x;'=cmd|' /C calc'!A0`);
    expect(csv.split('\n')[0].startsWith('"clusterId","clusterName"')).toBe(true);

    const md = String(
      (await handleGetReport(get('/api/reports/latest?format=md', { runId: 'latest' }), context(), deps)).body,
    );
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;');
  });

  it('answers 400 for a bad format, filter or unknown parameter, naming it', async () => {
    expectError(
      await handleGetReport(get('/api/reports/latest?format=pdf', { runId: 'latest' }), context(), deps),
      400,
      'format',
    );
    expectError(
      await handleGetReport(get('/api/reports/latest?severity=urgent', { runId: 'latest' }), context(), deps),
      400,
      'severity',
    );
    expectError(
      await handleGetReport(get('/api/reports/latest?status=broken', { runId: 'latest' }), context(), deps),
      400,
      'status',
    );
    expectError(
      await handleGetReport(get('/api/reports/latest?subscription=nope', { runId: 'latest' }), context(), deps),
      400,
      'subscription',
    );
    expectError(
      await handleGetReport(get('/api/reports/latest?rule=Bad-Rule!', { runId: 'latest' }), context(), deps),
      400,
      'rule',
    );
    expectError(
      await handleGetReport(get('/api/reports/latest?colour=red', { runId: 'latest' }), context(), deps),
      400,
      'colour',
    );
    expectError(
      await handleGetReport(get('/api/reports/latest?format=csv&format=md', { runId: 'latest' }), context(), deps),
      400,
      'format',
    );
    expectError(await handleGetReport(get('/api/reports/x%3Cy', { runId: 'x<y' }), context(), deps), 400, 'runId');
  });

  it('accepts the function key parameter', async () => {
    const response = await handleGetReport(get('/api/reports/latest?code=abc', { runId: 'latest' }), context(), deps);
    expect(response.status).toBe(200);
  });

  it('answers 404 for an unknown run and 405 for another method', async () => {
    expectError(
      await handleGetReport(
        get('/api/reports/20200101T000000Z-000000', { runId: '20200101T000000Z-000000' }),
        context(),
        deps,
      ),
      404,
      '20200101T000000Z-000000',
    );
    const response = await handleGetReport(request('POST', '/api/reports/latest', '{}'), context(), deps);
    expectError(response, 405, 'POST');
    expect(header(response, 'allow')).toBe('GET');
  });

  it('answers 202 while a run is still running, and 409 for a failed run', async () => {
    await deps.store.markRunStarted({ runId: 'run-in-progress', trigger: 'http' });
    const running = await handleGetReport(
      get('/api/reports/run-in-progress', { runId: 'run-in-progress' }),
      context(),
      deps,
    );
    expect(running.status).toBe(202);
    expect(json(running)).toMatchObject({ status: 'running' });
    await deps.store.markRunFailed('run-in-progress', 'boom');
    expectError(
      await handleGetReport(get('/api/reports/run-in-progress', { runId: 'run-in-progress' }), context(), deps),
      409,
      'failed',
    );
  });

  it('answers 404 when nothing was recorded and a JSON 500 without internals when storage is not configured', async () => {
    const { settings, clients } = local;
    const empty = { settings, clients, store: new FindingStore(clients, { tablePrefix: 'httpempty' }) };
    expectError(
      await handleGetReport(get('/api/reports/latest', { runId: 'latest' }), context(), empty),
      404,
      'no scan run',
    );
    const noStorage = loadSettings({ ...local.env, AKS_COMPLIANCE_STORAGE: '' });
    const broken = { settings: noStorage, clients: createAzureClients(noStorage), store: undefined as never };
    const response = await handleGetReport(get('/api/reports/latest', { runId: 'latest' }), context(), {
      ...broken,
      get store(): FindingStore {
        return new FindingStore(broken.clients);
      },
    });
    expectError(response, 500, 'AKS_COMPLIANCE_STORAGE');
  });
});

describe('GET /api/clusters/{subscriptionId}/{resourceGroup}/{name}', () => {
  it('returns the latest findings and the status history', async () => {
    const response = await handleGetCluster(
      get(`/api/clusters/${SUB_B}/rg-two/aks-two`, { subscriptionId: SUB_B, resourceGroup: 'rg-two', name: 'aks-two' }),
      context(),
      deps,
    );
    expect(response.status).toBe(200);
    const body = json(response);
    expect(body.cluster.findings[0]).toMatchObject({ ruleId: 'aks_local_accounts_disabled', status: 'pass' });
    expect(body.history.map((h: { runId: string }) => h.runId)).toEqual([R1.runId, R2B.runId]);
    expect(body.history[1].transitions).toEqual([
      expect.objectContaining({ ruleId: 'aks_local_accounts_disabled', from: 'fail', to: 'pass' }),
    ]);
  });

  it('compares IDs case-insensitively', async () => {
    const response = await handleGetCluster(
      get('/api/clusters/x', { subscriptionId: SUB_A.toUpperCase(), resourceGroup: 'RG-ONE', name: 'AKS-ONE' }),
      context(),
      deps,
    );
    expect(response.status).toBe(200);
  });

  it('answers 400 naming the bad parameter, 404 for an unknown cluster, 405 for another method', async () => {
    const params = { subscriptionId: SUB_A, resourceGroup: 'rg-one', name: 'aks-one' };
    expectError(
      await handleGetCluster(get('/x', { ...params, subscriptionId: 'nope' }), context(), deps),
      400,
      'subscriptionId',
    );
    expectError(
      await handleGetCluster(get('/x', { ...params, resourceGroup: 'a/b' }), context(), deps),
      400,
      'resourceGroup',
    );
    expectError(await handleGetCluster(get('/x', { ...params, name: '<script>' }), context(), deps), 400, 'name');
    expectError(await handleGetCluster(get('/x?format=csv', params), context(), deps), 400, 'format');
    expectError(
      await handleGetCluster(get('/x', { ...params, name: 'aks-missing' }), context(), deps),
      404,
      'aks-missing',
    );
    expectError(await handleGetCluster(request('DELETE', '/x'), context(), deps), 405, 'DELETE');
  });
});

describe('GET|POST|DELETE /api/exemptions', () => {
  const valid = {
    ruleId: 'aks_local_accounts_disabled',
    scope: `/subscriptions/${SUB_A}`,
    justification: 'Break-glass account until the migration.',
    expiresOn: '2027-03-01',
  };

  it('creates, lists, replaces (with If-Match) and deletes an exemption; the author is the token', async () => {
    const created = await handleExemptions(
      request('POST', '/api/exemptions', JSON.stringify({ ...valid, id: 'ex-http' })),
      context(),
      deps,
    );
    expect(created.status).toBe(201);
    expect(header(created, 'location')).toBe('/api/exemptions?id=ex-http');
    const etag = header(created, 'etag')!;
    expect(json(created)).toMatchObject({ author: DEMO_USER.upn, authorOid: DEMO_USER.oid, version: 1, etag });
    const replaced = await handleExemptions(
      request('POST', '/api/exemptions', JSON.stringify({ ...valid, id: 'ex-http', justification: 'updated' }), {
        'if-match': etag,
      }),
      context(),
      deps,
    );
    expect(replaced.status).toBe(200);
    expect(json(replaced)).toMatchObject({ version: 2, change: 'changed', author: DEMO_USER.upn });
    const listed = json(await handleExemptions(get('/api/exemptions'), context(), deps));
    expect(listed.exemptions).toEqual([
      expect.objectContaining({
        id: 'ex-http',
        justification: 'updated',
        expiresOn: '2027-03-01T00:00:00.000Z',
        active: true,
      }),
    ]);
    const one = await handleExemptions(get('/api/exemptions?id=ex-http'), context(), deps);
    expect(header(one, 'etag')).toBe(header(replaced, 'etag'));
    expectError(
      await handleExemptions(request('DELETE', '/api/exemptions?id=ex-http'), context(), deps),
      428,
      'If-Match',
    );
    const deleted = await handleExemptions(
      request('DELETE', '/api/exemptions?id=ex-http', undefined, { 'if-match': header(one, 'etag')! }),
      context(),
      deps,
    );
    expect(deleted.status).toBe(204);
    expectError(
      await handleExemptions(
        request('DELETE', '/api/exemptions?id=ex-http', undefined, { 'if-match': '*' }),
        context(),
        deps,
      ),
      404,
      'ex-http',
    );
  });

  it('generates an id when none is given', async () => {
    const created = await handleExemptions(request('POST', '/api/exemptions', JSON.stringify(valid)), context(), deps);
    const body = json(created);
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      (
        await handleExemptions(
          request('DELETE', `/api/exemptions?id=${body.id}`, undefined, { 'if-match': header(created, 'etag')! }),
          context(),
          deps,
        )
      ).status,
    ).toBe(204);
  });

  it.each([
    ['ruleId', { ...valid, ruleId: 'aks_nope' }],
    ['scope', { ...valid, scope: 'everything' }],
    ['justification', { ...valid, justification: '' }],
    ['expiresOn', { ...valid, expiresOn: '2020-01-01' }],
    ['expiresOn', { ...valid, expiresOn: '2028-06-01' }],
    ['author', { ...valid, author: 'someone.else@contoso.example' }],
    ['createdAt', { ...valid, createdAt: '2026-01-01T00:00:00Z' }],
    ['extra', { ...valid, extra: 1 }],
  ])('rejects a bad %s with 400 naming it', async (field, body) => {
    expectError(
      await handleExemptions(request('POST', '/api/exemptions', JSON.stringify(body)), context(), deps),
      400,
      field,
    );
  });

  it('rejects bodies that are not JSON objects, too large, or of another type', async () => {
    expectError(await handleExemptions(request('POST', '/api/exemptions', '{nope'), context(), deps), 400, 'body');
    expectError(await handleExemptions(request('POST', '/api/exemptions', '[1]'), context(), deps), 400, 'exemption');
    expectError(await handleExemptions(request('POST', '/api/exemptions'), context(), deps), 400, 'body');
    const big = JSON.stringify({ ...valid, justification: 'x'.repeat(1_100_000) });
    expectError(await handleExemptions(request('POST', '/api/exemptions', big), context(), deps), 413, '1048576');
    // A Content-Length that understates the body does not get past the limit either.
    expectError(
      await handleExemptions(request('POST', '/api/exemptions', big, { 'content-length': '10' }), context(), deps),
      413,
      'bytes',
    );
    expectError(
      await handleExemptions(
        request('POST', '/api/exemptions', '{}', { 'content-length': '5000000' }),
        context(),
        deps,
      ),
      413,
      'bytes',
    );
    expectError(
      await handleExemptions(
        request('POST', '/api/exemptions', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' }),
        context(),
        deps,
      ),
      415,
      'Content-Type',
    );
  });

  it('DELETE needs a valid id; other methods get 405; an unknown id has no history', async () => {
    expectError(
      await handleExemptionHistory(get('/api/exemptions/nope/history', { id: 'nope' }), context(), deps),
      404,
      'nope',
    );
    expectError(await handleExemptions(request('DELETE', '/api/exemptions'), context(), deps), 400, 'id');
    expectError(await handleExemptions(request('DELETE', '/api/exemptions?id=a/b'), context(), deps), 400, 'id');
    expectError(await handleExemptions(request('PUT', '/api/exemptions', '{}'), context(), deps), 405, 'PUT');
    expectError(await handleExemptions(get('/api/exemptions?all=1'), context(), deps), 400, 'all');
  });
});

describe('POST /api/scans (queued, run by the queue-triggered worker)', () => {
  let scanDeps: HttpDeps;
  let worker: LocalQueueHost;

  beforeAll(() => {
    scanDeps = { settings: local.settings, clients: local.clients, store: new FindingStore(local.clients) };
    worker = localQueueHost({
      queue: createQueueClient(local.settings, local.clients.credential, SCAN_QUEUE),
      poison: createQueueClient(local.settings, local.clients.credential, `${SCAN_QUEUE}-poison`),
      functionName: 'scanQueue',
      handler: (entry, ctx) => runQueuedScan(entry, ctx, scanDeps),
      log: () => undefined,
    });
  });

  /** Posts a scan, lets the worker run the queued message, and returns the stored report. */
  async function scan(body?: string): Promise<ScanReport> {
    const response = await handleStartScan(request('POST', '/api/scans', body), context(), scanDeps);
    expect(response.status).toBe(202);
    const { runId } = json(response);
    expect(header(response, 'location')).toBe(`http://localhost:7071/api/reports/${runId}`);
    expect(await worker.drain()).toBe(1);
    const stored = await handleGetReport(get(`/api/reports/${runId}`, { runId }), context(), scanDeps);
    expect(stored.status).toBe(200);
    return json(stored) as ScanReport;
  }

  it('queues the scan (202 with the report URL, which answers 202 until the worker has run it)', async () => {
    const response = await handleStartScan(request('POST', '/api/scans'), context(), scanDeps);
    expect(response.status).toBe(202);
    const body = json(response);
    expect(body).toMatchObject({ status: 'queued' });
    const poll = () => handleGetReport(get(`/api/reports/${body.runId}`, { runId: body.runId }), context(), scanDeps);
    expect((await poll()).status).toBe(202);
    // One at a time: a second request while the first is queued is a 409 with Retry-After.
    const second = await handleStartScan(request('POST', '/api/scans'), context(), scanDeps);
    expectError(second, 409, body.runId);
    expect(header(second, 'retry-after')).toBe('60');
    expect(await worker.drain()).toBe(1);
    const done = await poll();
    expect(done.status).toBe(200);
    expect(json(done).clusters).toHaveLength(30);
    // The slot is free again.
    const third = await handleStartScan(request('POST', '/api/scans'), context(), scanDeps);
    expect(third.status).toBe(202);
    expect(await worker.drain()).toBe(1);
  });

  it('narrows to one cluster', async () => {
    const target = generated.fleet.clusters[3].id;
    const report = await scan(JSON.stringify({ clusterId: target }));
    expect(report.clusters.map((c: ClusterReport) => c.id.toLowerCase())).toEqual([target.toLowerCase()]);
    // The fleet report is still the fleet's.
    const latest = json(await handleGetReport(get('/api/reports/latest', { runId: 'latest' }), context(), scanDeps));
    expect(latest.clusters).toHaveLength(30);
  });

  it('refuses a scan outside the configured scope with 403 naming it, and queues nothing', async () => {
    const inside = generated.fleet.clusters[0].id.split('/')[2];
    const narrowed: HttpDeps = {
      ...scanDeps,
      settings: { ...local.settings, subscriptions: [inside] },
    };
    const outside = '99999999-9999-4999-8999-999999999999';
    const refused = await handleStartScan(
      request('POST', '/api/scans', JSON.stringify({ subscriptions: [inside, outside] })),
      context(),
      narrowed,
    );
    expectError(refused, 403, `AKS_COMPLIANCE_SUBSCRIPTIONS: ${inside}`);
    const cluster = await handleStartScan(
      request('POST', '/api/scans', JSON.stringify({ clusterId: id(outside, 'rg', 'aks') })),
      context(),
      narrowed,
    );
    expectError(cluster, 403, outside);
    const groups: HttpDeps = { ...scanDeps, settings: { ...local.settings, managementGroups: ['mg-platform'] } };
    expectError(
      await handleStartScan(
        request('POST', '/api/scans', JSON.stringify({ subscriptions: [inside] })),
        context(),
        groups,
      ),
      403,
      'mg-platform',
    );
    expect(await worker.drain()).toBe(0);
  });

  it('applies a stored exemption to exactly the matching fail, and an expired one to nothing', async () => {
    const before = await scan();
    const target = before.clusters.find((c) => c.findings.some((f) => f.status === 'fail'))!;
    const failing = target.findings.find((f) => f.status === 'fail')!;
    const exemption = {
      id: 'ex-scan',
      ruleId: failing.ruleId,
      scope: target.id.toUpperCase(),
      justification: 'accepted for the test',
      expiresOn: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    };
    const created = await handleExemptions(
      request('POST', '/api/exemptions', JSON.stringify(exemption)),
      context(),
      scanDeps,
    );
    expect(created.status).toBe(201);
    const after = await scan();
    const statuses = (r: ScanReport) =>
      r.clusters.flatMap((c) => c.findings.map((f) => `${c.id}|${f.ruleId}|${f.status}`));
    const diff = statuses(after).filter((s, i) => s !== statuses(before)[i]);
    expect(diff).toEqual([`${target.id}|${failing.ruleId}|exempt`]);
    const exempt = after.clusters.find((c) => c.id === target.id)!.findings.find((f) => f.ruleId === failing.ruleId)!;
    expect(exempt.details.exemption).toMatchObject({ id: 'ex-scan', author: DEMO_USER.upn });

    // Expired (stored directly: the API refuses a past expiry): no effect.
    const stored = await scanDeps.store.getExemptionRecord('ex-scan');
    await scanDeps.store.removeExemption(
      stored!,
      stored!.etag,
      { oid: DEMO_USER.oid, name: DEMO_USER.upn },
      new Date(),
    );
    await scanDeps.store.putExemption({
      ...exemption,
      id: 'ex-scan-expired',
      author: 'tester',
      scope: target.id,
      expiresOn: '2020-01-01T00:00:00.000Z',
      createdAt: '2019-12-01T00:00:00.000Z',
    });
    const expired = await scan();
    expect(statuses(expired)).toEqual(statuses(before));
  });

  it.each([
    ['subscriptions', { subscriptions: 'all' }],
    ['subscriptions[1]', { subscriptions: [SUB_A, 'nope'] }],
    ['clusterId', { clusterId: '/subscriptions/x/resourceGroups/y' }],
    ['clusterId', { subscriptions: [SUB_A], clusterId: id(SUB_A, 'rg', 'n') }],
    ['colour', { colour: 'red' }],
    ['body', 'not json'],
  ])('rejects a bad %s with 400', async (field, body) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    expectError(await handleStartScan(request('POST', '/api/scans', text), context(), scanDeps), 400, field);
  });

  it('answers 405 for GET and 413 for a large body', async () => {
    expectError(await handleStartScan(get('/api/scans'), context(), scanDeps), 405, 'GET');
    const big = JSON.stringify({ subscriptions: Array.from({ length: 40_000 }, () => SUB_A) });
    expectError(await handleStartScan(request('POST', '/api/scans', big), context(), scanDeps), 413, 'bytes');
  });
});

describe('route table and registrations', () => {
  it('registers every route anonymous for the host (the handlers check the bearer token) and matches paths', () => {
    expect(ROUTES.map((r) => r.route).sort()).toEqual(
      [
        'clusters/{subscriptionId}/{resourceGroup}/{name}',
        'exemptions',
        'exemptions/{id}/history',
        'notify',
        'reports/{runId}',
        'reports/{runId}/summary',
        'scans',
      ].sort(),
    );
    for (const options of Object.values(httpFunctionOptions)) expect(options.authLevel).toBe('anonymous');
    expect(Object.keys(httpFunctionOptions).sort()).toEqual([
      'clusters',
      'exemptionHistory',
      'exemptions',
      'reportSummary',
      'reports',
      'scans',
    ]);
    expect(matchRoute(ROUTES, 'reports/latest')).toMatchObject({
      route: { name: 'reports' },
      params: { runId: 'latest' },
    });
    expect(matchRoute(ROUTES, `clusters/${SUB_A}/rg/aks`)?.params).toEqual({
      subscriptionId: SUB_A,
      resourceGroup: 'rg',
      name: 'aks',
    });
    expect(matchRoute(ROUTES, 'nothing/here')).toBeUndefined();
  });

  it('schedules the nightly scan from the setting, never on start-up, with a run ID per occurrence', () => {
    expect(nightlyScanOptions.schedule).toBe('%AKS_COMPLIANCE_SCHEDULE%');
    expect(nightlyScanOptions.runOnStartup).toBe(false);
    const timer = {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: '2026-11-26T02:00:00Z',
        next: '2026-11-27T02:00:00Z',
        lastUpdated: '2026-11-26T02:00:01Z',
      },
    };
    const first = timerRunId(timer, new Date('2026-11-27T02:00:03Z'));
    expect(first).toBe('20261127T020000Z-timer');
    expect(timerRunId(timer, new Date('2026-11-27T02:07:00Z'))).toBe(first);
  });
});
