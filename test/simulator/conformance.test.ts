// Conformance of the simulator through the product's own client factory and the real SDKs, over HTTPS.
import { QUERIES } from '../../src/inventory/queries';
import type { Fleet } from '../../sim/fleet/types';
import { generateFleet } from '../../sim/fleet/generator';
import { resourceGraphExamples } from '../../sim/fleet/fixtures';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';

const PACKED = [
  'kubernetesVersion',
  'currentKubernetesVersion',
  'provisioningState',
  'powerState',
  'supportPlan',
  'enableRBAC',
  'aadProfile',
  'disableLocalAccounts',
  'apiServerAccessProfile',
  'autoUpgradeProfile',
  'agentPoolProfiles',
];

let local: LocalAzure;
let fleet: Fleet;

beforeAll(async () => {
  fleet = generateFleet({ seed: 11, clusters: 2500, principals: 3000, regions: 6 }).fleet;
  local = await startLocalAzure({ fleet });
});
afterAll(() => local?.stop());
beforeEach(() => {
  local.sim.resetQuota();
  local.sim.faults.clear();
  local.sim.counters.reset();
});

async function armToken(): Promise<string> {
  const token = await local.clients.credential.getToken(`${local.settings.armEndpoint}/.default`);
  if (!token) throw new Error('no token');
  return token.token;
}

async function graphToken(): Promise<string> {
  const token = await local.clients.credential.getToken(`${local.settings.graphEndpoint}/.default`);
  if (!token) throw new Error('no token');
  return token.token;
}

function argRequest(token: string | undefined, body: unknown): Promise<Response> {
  return fetch(`${local.settings.armEndpoint}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

describe('Resource Graph through ResourceGraphClient', () => {
  it('reads 2,500 clusters through three pages of at most 1000 rows, projected as KQL would', async () => {
    const rows: Record<string, unknown>[] = [];
    const pages: { count: number; totalRecords: number; resultTruncated: unknown }[] = [];
    let skipToken: string | undefined;
    do {
      const page = await local.clients.resourceGraph.resources({
        query: QUERIES.clusters,
        options: { top: 1000, ...(skipToken ? { skipToken } : {}) },
      });
      pages.push({ count: page.count, totalRecords: page.totalRecords, resultTruncated: page.resultTruncated });
      rows.push(...(page.data as Record<string, unknown>[]));
      skipToken = page.skipToken;
    } while (skipToken);
    expect(pages).toEqual([
      { count: 1000, totalRecords: 2500, resultTruncated: 'false' },
      { count: 1000, totalRecords: 2500, resultTruncated: 'false' },
      { count: 500, totalRecords: 2500, resultTruncated: 'false' },
    ]);
    expect(local.sim.counters.snapshot().resourceGraph).toBe(3);
    expect(new Set(rows.map((r) => r.id)).size).toBe(2500);
    const ids = rows.map((r) => String(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

    const source = new Map(fleet.clusters.map((c) => [c.id, c]));
    for (const row of rows) {
      const cluster = source.get(String(row.id));
      if (!cluster) throw new Error(`row ${String(row.id)} is not a fleet cluster`);
      expect(row.type).toBe('microsoft.containerservice/managedclusters');
      expect(row.resourceGroup).toBe(cluster.id.split('/')[4].toLowerCase());
      expect(row.subscriptionId).toBe(cluster.id.split('/')[2].toLowerCase());
      expect(Object.keys(row.properties as object).sort()).toEqual([...PACKED].sort());
      for (const key of PACKED) {
        expect((row.properties as Record<string, unknown>)[key]).toEqual(cluster.properties[key] ?? null);
      }
    }
  });

  it('defaults to pages of 100 rows and rejects $top outside 1..1000', async () => {
    const page = await local.clients.resourceGraph.resources({ query: QUERIES.clusters });
    expect(page.count).toBe(100);
    expect(page.skipToken).toBeTruthy();
    const token = await armToken();
    for (const top of [0, 1001, 2.5]) {
      const res = await argRequest(token, { query: QUERIES.clusters, options: { $top: top } });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toContain('$top');
    }
  });

  it('answers the chains and role-assignment queries from the fleet', async () => {
    const chains = await local.clients.resourceGraph.resources({
      query: QUERIES.subscriptionChains,
      options: { top: 1000 },
    });
    expect(chains.totalRecords).toBe(fleet.subscriptions.length);
    const first = (chains.data as Record<string, unknown>[])[0];
    const sub = fleet.subscriptions.find((s) => `/subscriptions/${s.subscriptionId}` === first.id);
    expect(first.managementGroupAncestorsChain).toEqual(sub?.managementGroupAncestorsChain);

    const assignments = await local.clients.resourceGraph.resources({
      query: QUERIES.roleAssignments,
      options: { top: 1000, authorizationScopeFilter: 'AtScopeAboveAndBelow' },
    });
    expect(assignments.totalRecords).toBeGreaterThan(0);
    for (const row of assignments.data as Record<string, string>[]) {
      expect(Object.keys(row).sort()).toEqual(['id', 'principalId', 'principalType', 'roleDefinitionId', 'scope']);
      expect(row.scope).toBe(row.scope.toLowerCase());
      expect(row.roleDefinitionId).toBe(row.roleDefinitionId.toLowerCase());
    }
  });

  it('refuses a query it does not know with a 400 that says so, never a guess', async () => {
    const { basic } = resourceGraphExamples();
    const res = await argRequest(await armToken(), basic.parameters?.query);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { details: { code: string; message: string }[] } };
    expect(body.error.details[0].code).toBe('UnsupportedQuery');
    expect(body.error.details[0].message).toContain('src/inventory/queries.ts');
  });
});

describe('AKS resource provider through ContainerServiceClient', () => {
  it('lists a region version catalog (`values`) and 404s an unknown location', async () => {
    const cluster = fleet.clusters[0];
    const sub = cluster.id.split('/')[2];
    const location = cluster.location;
    const list = await local.clients.containerService(sub).managedClusters.listKubernetesVersions(location);
    const expected = fleet.kubernetesVersions[location.toLowerCase().replace(/\s+/g, '')].values;
    expect(list.values?.map((v) => v.version)).toEqual(expected.map((v) => v.version));
    expect(list.values?.[0].patchVersions).toEqual(expected[0].patchVersions);
    expect(local.sim.counters.snapshot().kubernetesVersions).toBe(1);
    await expect(
      local.clients.containerService(sub).managedClusters.listKubernetesVersions('atlantis'),
    ).rejects.toMatchObject({ statusCode: 404 });
  });

  it('serves clusters and upgrade profiles that the SDK reads', async () => {
    const cluster = fleet.clusters[1];
    const [, , sub, , rg, , , , name] = cluster.id.split('/');
    const client = local.clients.containerService(sub);
    const got = await client.managedClusters.get(rg, name);
    expect(got.id).toBe(cluster.id);
    const profile = await client.managedClusters.getUpgradeProfile(rg, name);
    expect(profile.controlPlaneProfile.kubernetesVersion).toBe(
      cluster.properties.currentKubernetesVersion ?? cluster.properties.kubernetesVersion,
    );
    const pool = (cluster.properties.agentPoolProfiles as { name: string }[])[0];
    const poolProfile = await client.agentPools.getUpgradeProfile(rg, name, pool.name);
    expect(poolProfile.latestNodeImageVersion).toMatch(/\S/);
    expect(local.sim.counters.snapshot().upgradeProfiles).toBe(2);
  });
});

describe('Microsoft Graph through the Graph client', () => {
  it('resolves 1,500 principals through two getByIds calls, honouring $select', async () => {
    const ids = fleet.directory.slice(0, 1500).map((d) => d.id);
    expect(ids.length).toBe(1500);
    const found: Record<string, unknown>[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const res = await local.clients.graph
        .api('/directoryObjects/getByIds')
        .select(['id', 'displayName', 'userPrincipalName', 'userType', 'accountEnabled', 'securityEnabled'])
        .post({ ids: ids.slice(i, i + 1000) });
      found.push(...(res.value as Record<string, unknown>[]));
    }
    expect(local.sim.counters.snapshot()['graph.getByIds']).toBe(2);
    expect(new Set(found.map((o) => o.id))).toEqual(new Set(ids));
    const user = found.find((o) => o['@odata.type'] === '#microsoft.graph.user');
    expect(user).toHaveProperty('userType');
    expect(user).toHaveProperty('accountEnabled');

    const plain = await local.clients.graph.api('/directoryObjects/getByIds').post({ ids: [String(user?.id)] });
    expect(plain.value[0]).not.toHaveProperty('userType');
    expect(plain.value[0]).not.toHaveProperty('accountEnabled');
  });

  it('filters by types, omits unknown IDs, refuses more than 1000', async () => {
    const group = fleet.directory.find((d) => d['@odata.type'] === '#microsoft.graph.group');
    const user = fleet.directory.find((d) => d['@odata.type'] === '#microsoft.graph.user');
    const res = await local.clients.graph
      .api('/directoryObjects/getByIds')
      .post({ ids: [group?.id, user?.id, '00000000-0000-0000-0000-0000000000ff'], types: ['group'] });
    expect(res.value.map((o: { id: string }) => o.id)).toEqual([group?.id]);
    const tooMany = Array.from({ length: 1001 }, (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`);
    await expect(local.clients.graph.api('/directoryObjects/getByIds').post({ ids: tooMany })).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it('counts transitive members only with ConsistencyLevel: eventual, also inside $batch', async () => {
    const groups = fleet.directory.filter((d) => d['@odata.type'] === '#microsoft.graph.group').slice(0, 20);
    const count = await local.clients.graph
      .api(`/groups/${groups[0].id}/transitiveMembers/$count`)
      .header('ConsistencyLevel', 'eventual')
      .get();
    expect(Number(count)).toBe(groups[0].transitiveMemberCount ?? 0);
    await expect(
      local.clients.graph.api(`/groups/${groups[0].id}/transitiveMembers/$count`).get(),
    ).rejects.toMatchObject({
      statusCode: 400,
    });

    local.sim.faults.set('graph.memberCount', { failNext: { count: 2, kind: 'throttle' }, retryAfterSeconds: 2.128 });
    const batch = await local.clients.graph.api('/$batch').post({
      requests: groups.map((g, i) => ({
        id: String(i),
        method: 'GET',
        url: `/groups/${g.id}/transitiveMembers/$count`,
        headers: { ConsistencyLevel: 'eventual' },
      })),
    });
    const responses = batch.responses as {
      id: string;
      status: number;
      headers: Record<string, string>;
      body: unknown;
    }[];
    expect(responses).toHaveLength(20);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(2);
    for (const r of responses.filter((x) => x.status === 429)) expect(r.headers['retry-after']).toBe('2.128');
    for (const r of responses.filter((x) => x.status === 200)) {
      expect(Number(r.body)).toBe(groups[Number(r.id)].transitiveMemberCount ?? 0);
    }
    expect(local.sim.counters.snapshot()['graph.batch']).toBe(1);
    // Two direct calls (with and without the header) and twenty inside the batch.
    expect(local.sim.counters.snapshot()['graph.memberCount']).toBe(22);
    expect(local.sim.counters.byStatus()['graph.memberCount 429']).toBe(2);

    const tooBig = groups.concat(groups[0]).map((g, i) => ({ id: String(i), method: 'GET', url: `/groups/${g.id}` }));
    await expect(local.clients.graph.api('/$batch').post({ requests: tooBig })).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});

describe('sign-in and tokens', () => {
  it('refuses requests without a token (ARM and Graph) and tokens minted for another audience', async () => {
    const res = await argRequest(undefined, { query: QUERIES.clusters });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('AuthenticationFailed');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);

    const graph = await fetch(`${local.settings.graphEndpoint}/v1.0/directoryObjects/getByIds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [] }),
    });
    expect(graph.status).toBe(401);
    expect(((await graph.json()) as { error: { code: string } }).error.code).toBe('InvalidAuthenticationToken');

    const wrongAudience = await fetch(`${local.settings.graphEndpoint}/v1.0/directoryObjects/getByIds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await armToken()}` },
      body: JSON.stringify({ ids: [] }),
    });
    expect(wrongAudience.status).toBe(401);
    const forged = await argRequest(`${(await armToken()).slice(0, -4)}AAAA`, { query: QUERIES.clusters });
    expect(forged.status).toBe(401);
  });

  it('refuses a wrong client secret the way Entra ID does', async () => {
    const { ClientSecretCredential } = await import('@azure/identity');
    const bad = new ClientSecretCredential(local.env.AZURE_TENANT_ID, local.env.AZURE_CLIENT_ID, 'wrong', {
      authorityHost: local.settings.authorityHost,
      disableInstanceDiscovery: true,
    });
    await expect(bad.getToken(`${local.settings.armEndpoint}/.default`)).rejects.toThrow(/AADSTS7000215/);
  });

  it('issues v2.0 tokens for the API (aud = its client ID) and the AKS server app, and refuses an unknown resource', async () => {
    const { ClientSecretCredential } = await import('@azure/identity');
    const cred = new ClientSecretCredential(
      local.env.AZURE_TENANT_ID,
      local.env.AZURE_CLIENT_ID,
      local.env.AZURE_CLIENT_SECRET,
      {
        authorityHost: local.settings.authorityHost,
        disableInstanceDiscovery: true,
      },
    );
    const claims = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    const api = await cred.getToken(`${local.sim.signIn.api.applicationIdUri}/.default`);
    expect(claims(api!.token)).toMatchObject({ aud: local.sim.signIn.api.clientId, ver: '2.0' });
    const aks = await cred.getToken('6dae42f8-4368-4678-94ff-3960e28e3630/.default');
    expect(claims(aks!.token).aud).toBe('6dae42f8-4368-4678-94ff-3960e28e3630');
    await expect(cred.getToken('https://unknown.example.com/.default')).rejects.toThrow(/AADSTS500011/);
  });
});

describe('Resource Graph quota', () => {
  it('answers 20 calls in one second against 15 per 5 s with 15 successes and 5 RateLimiting 429s', async () => {
    const token = await armToken();
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => argRequest(token, { query: QUERIES.subscriptionChains, options: { $top: 1 } })),
    );
    // All 20 fall in one 5-second quota window (the condition the counts below rely on, not a speed target).
    expect(Date.now() - started).toBeLessThan(5000);
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(15);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    const remaining = responses
      .filter((r) => r.status === 200)
      .map((r) => Number(r.headers.get('x-ms-user-quota-remaining')))
      .sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 15 }, (_, i) => i));
    const { rateLimiting429 } = resourceGraphExamples();
    for (const r of responses) {
      expect(r.headers.get('x-ms-user-quota-resets-after')).toMatch(/^00:00:0[0-5]$/);
      if (r.status !== 429) continue;
      expect(r.headers.get('x-ms-user-quota-remaining')).toBe('0');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const body = (await r.json()) as typeof rateLimiting429;
      expect(Object.keys(body.error as object).sort()).toEqual(Object.keys(rateLimiting429.error as object).sort());
      expect((body.error as { code: string }).code).toBe('RateLimiting');
      expect((body.error as { details: unknown }).details).toEqual(
        (rateLimiting429.error as { details: unknown }).details,
      );
    }
    expect(local.sim.counters.byStatus()['resourceGraph 429']).toBe(5);
  });

  it('shows the quota headers to the SDK through onResponse', async () => {
    const seen: (string | undefined)[] = [];
    await local.clients.resourceGraph.resources(
      { query: QUERIES.subscriptionChains, options: { top: 1 } },
      { onResponse: (raw) => seen.push(raw.headers.get('x-ms-user-quota-remaining')) },
    );
    expect(seen).toEqual(['14']);
  });
});

describe('fault injection', () => {
  it('adds the configured latency', async () => {
    local.sim.faults.set('kubernetesVersions', { latencyMs: 400 });
    const cluster = fleet.clusters[0];
    const started = Date.now();
    await local.clients
      .containerService(cluster.id.split('/')[2])
      .managedClusters.listKubernetesVersions(cluster.location);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('fails exactly the next N requests, then recovers', async () => {
    local.sim.faults.set('resourceGraph', { failNext: { count: 2, kind: 'error' } });
    const token = await armToken();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await argRequest(token, { query: QUERIES.subscriptionChains })).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('throttles Graph with a fractional Retry-After and the Graph 429 body', async () => {
    local.sim.faults.set('graph.getByIds', { throttleRate: 1, retryAfterSeconds: 0.25 });
    const res = await fetch(`${local.settings.graphEndpoint}/v1.0/directoryObjects/getByIds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await graphToken()}` },
      body: JSON.stringify({ ids: [] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('0.25');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TooManyRequests');
  });

  it('drops connections, cuts bodies short and denies Graph as configured', async () => {
    const token = await armToken();
    local.sim.faults.set('resourceGraph', { dropRate: 1 });
    await expect(argRequest(token, { query: QUERIES.subscriptionChains })).rejects.toThrow();
    local.sim.faults.set('resourceGraph', { malformedRate: 1 });
    const res = await argRequest(token, { query: QUERIES.subscriptionChains });
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
    local.sim.faults.set('graph.getByIds', { forbidden: true });
    await expect(local.clients.graph.api('/directoryObjects/getByIds').post({ ids: [] })).rejects.toMatchObject({
      statusCode: 403,
      code: 'Authorization_RequestDenied',
    });
  });

  it('refuses a list of only forbidden subscriptions with a 403 naming none of them, and omits it tenant-wide', async () => {
    const target = fleet.clusters[0].id.split('/')[2].toLowerCase();
    local.sim.faults.set('resourceGraph', { forbiddenSubscriptions: [target] });
    const named = local.clients.resourceGraph.resources({ query: QUERIES.clusters, subscriptions: [target] });
    await expect(named).rejects.toMatchObject({ statusCode: 403, code: 'AccessDenied' });
    await expect(named).rejects.not.toThrow(new RegExp(target));
    const all = await local.clients.resourceGraph.resources({ query: QUERIES.clusters, options: { top: 1000 } });
    const expected = fleet.clusters.filter((c) => c.id.split('/')[2].toLowerCase() !== target).length;
    expect(all.totalRecords).toBe(expected);
  });

  it('draws the same fault pattern for the same seed', async () => {
    const token = await armToken();
    const pattern = async (): Promise<number[]> => {
      local.sim.faults.set('resourceGraph', { errorRate: 0.5 });
      local.sim.resetQuota();
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await argRequest(token, { query: QUERIES.subscriptionChains })).status);
      return out;
    };
    const first = await pattern();
    const second = await pattern();
    expect(first).toEqual(second);
    expect(first).toContain(503);
    expect(first).toContain(200);
  });
});
