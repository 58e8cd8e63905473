// ResourceGraphReader against the local simulator, through the real Resource Graph SDK client over HTTPS.
// The SDK's own retries are switched off here (retryOptions.maxRetries 0) so that every retry seen is the reader's.
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { createCredential } from '../../src/azure/clients';
import { loadSettings } from '../../src/config/settings';
import { CLUSTERS_QUERY, ROLE_ASSIGNMENTS_QUERY, SUBSCRIPTION_CHAINS_QUERY } from '../../src/inventory/queries';
import { ResourceGraphReader, type ResourceGraphReaderOptions } from '../../src/inventory/resourceGraph';
import { startSimulator, type FaultSpec, type Simulator } from '../../sim';
import { generateFleet } from '../../sim/fleet/generator';
import type { Fleet } from '../../sim/fleet/types';
import { trustCa } from '../../sim/trust';

jest.setTimeout(60_000);

const CLUSTERS = 2500;
let sim: Simulator;
let fleet: Fleet;
let client: ResourceGraphClient;

/** Small delays so that retries do not slow the suite down. */
const FAST: ResourceGraphReaderOptions = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 5 };

beforeAll(async () => {
  fleet = generateFleet({ seed: 31, clusters: CLUSTERS, subscriptions: 20, regions: 6 }).fleet;
  sim = await startSimulator(fleet);
  trustCa(sim.caPem);
  const settings = loadSettings(sim.env);
  client = new ResourceGraphClient(createCredential(settings), {
    endpoint: settings.armEndpoint,
    credentials: { scopes: [`${settings.armEndpoint}/.default`] },
    retryOptions: { maxRetries: 0 },
  });
  // Sign in once so that token requests do not interleave with the counted calls.
  await client.resources({ query: SUBSCRIPTION_CHAINS_QUERY, options: { top: 1 } });
});

afterAll(async () => {
  await sim?.stop();
});

beforeEach(() => {
  sim.faults.clear();
  sim.counters.reset();
  sim.resetQuota();
});

function rgCalls(): number {
  return sim.counters.snapshot().resourceGraph;
}

function statuses(): Record<string, number> {
  return sim.counters.byStatus();
}

/** The real client, with a fault armed just before its n-th call (to hit a page in the middle of a read). */
function armedBefore(call: number, spec: FaultSpec): ResourceGraphClient {
  let n = 0;
  return {
    resources: (...args: Parameters<ResourceGraphClient['resources']>) => {
      n++;
      if (n === call) sim.faults.set('resourceGraph', spec);
      return client.resources(...args);
    },
  } as unknown as ResourceGraphClient;
}

function clusterIdsOf(subscriptions?: Set<string>): string[] {
  return fleet.clusters
    .filter((c) => !subscriptions || subscriptions.has(c.id.split('/')[2].toLowerCase()))
    .map((c) => c.id.toLowerCase())
    .sort();
}

function idsOf(rows: { id: string }[]): string[] {
  return rows.map((r) => r.id.toLowerCase()).sort();
}

describe('ResourceGraphReader paging', () => {
  it('reads 2,500 clusters in ceil(2500/1000) = 3 pages of 1000 with $skipToken', async () => {
    const reader = new ResourceGraphReader(client, FAST);
    const result = await reader.queryAll<{ id: string }>(CLUSTERS_QUERY, {});
    expect(result.complete).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.rows).toHaveLength(CLUSTERS);
    expect(idsOf(result.rows)).toEqual(clusterIdsOf());
    expect(rgCalls()).toBe(3);
    expect(reader.stats.calls).toBe(3);
  });

  it('reads a long subscription list in parts', async () => {
    const subs = fleet.subscriptions.map((s) => s.subscriptionId);
    const reader = new ResourceGraphReader(client, { ...FAST, maxSubscriptionsPerRequest: 7 });
    const result = await reader.queryAll<{ id: string }>(CLUSTERS_QUERY, { subscriptions: subs });
    expect(result.complete).toBe(true);
    expect(idsOf(result.rows)).toEqual(clusterIdsOf());
    // 20 subscriptions in parts of 7, 7 and 6, each paged on its own.
    const parts = [subs.slice(0, 7), subs.slice(7, 14), subs.slice(14)];
    const pages = parts
      .map((part) => clusterIdsOf(new Set(part.map((s) => s.toLowerCase()))).length)
      .reduce((sum, n) => sum + Math.max(1, Math.ceil(n / 1000)), 0);
    expect(rgCalls()).toBe(pages);
  });

  it('reads a management-group scope (partial scopes allowed)', async () => {
    const group = fleet.subscriptions[0].managementGroupAncestorsChain[0].name;
    const under = new Set(
      fleet.subscriptions
        .filter((s) => s.managementGroupAncestorsChain.some((g) => g.name === group))
        .map((s) => s.subscriptionId.toLowerCase()),
    );
    const reader = new ResourceGraphReader(client, FAST);
    const result = await reader.queryAll<{ id: string }>(CLUSTERS_QUERY, { managementGroups: [group] });
    expect(result.complete).toBe(true);
    expect(idsOf(result.rows)).toEqual(clusterIdsOf(under));
  });
});

describe('ResourceGraphReader request options', () => {
  it('sends $top 1000 and objectArray, never allowPartialScopes, and the authorization scope filter only when asked', async () => {
    const sent: Parameters<ResourceGraphClient['resources']>[0][] = [];
    const recording = {
      resources: (...args: Parameters<ResourceGraphClient['resources']>) => {
        sent.push(args[0]);
        return client.resources(...args);
      },
    } as unknown as ResourceGraphClient;
    const reader = new ResourceGraphReader(recording, FAST);
    const group = fleet.subscriptions[0].managementGroupAncestorsChain[0].name;
    await reader.queryAll(CLUSTERS_QUERY, { managementGroups: [group] });
    await reader.queryAll(SUBSCRIPTION_CHAINS_QUERY, { subscriptions: [fleet.subscriptions[0].subscriptionId] });
    const roles = await reader.queryAll(
      ROLE_ASSIGNMENTS_QUERY,
      { subscriptions: [fleet.subscriptions[0].subscriptionId] },
      { authorizationScopeFilter: 'AtScopeAboveAndBelow' },
    );
    expect(roles.complete).toBe(true);
    expect(sent[0].managementGroups).toEqual([group]);
    expect(sent[0].options).toMatchObject({ top: 1000, resultFormat: 'objectArray' });
    for (const request of sent) expect(request.options?.allowPartialScopes).toBeUndefined();
    expect(sent[1].subscriptions).toEqual([fleet.subscriptions[0].subscriptionId]);
    expect(sent.filter((r) => r.options?.authorizationScopeFilter !== undefined).map((r) => r.query)).toEqual([
      ROLE_ASSIGNMENTS_QUERY,
    ]);
    // Every page after the first carries the previous page's $skipToken.
    expect(sent.filter((r) => r.options?.skipToken).length).toBe(sent.length - 3);
  });

  it('the simulator refuses authorizationScopeFilter on a table other than authorizationresources', async () => {
    await expect(
      client.resources({ query: CLUSTERS_QUERY, options: { authorizationScopeFilter: 'AtScopeAboveAndBelow' } }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('ResourceGraphReader quota', () => {
  it('waits for the quota window instead of collecting 429s, across queries sharing one reader', async () => {
    // 100-row pages: 25 cluster pages + 1 chain page against 15 queries per 5 s.
    const reader = new ResourceGraphReader(client, { ...FAST, pageSize: 100 });
    const [clusters, chains] = await Promise.all([
      reader.queryAll<{ id: string }>(CLUSTERS_QUERY, {}),
      reader.queryAll<{ id: string }>(SUBSCRIPTION_CHAINS_QUERY, {}),
    ]);
    expect(clusters.complete).toBe(true);
    expect(chains.complete).toBe(true);
    expect(clusters.rows).toHaveLength(CLUSTERS);
    expect(chains.rows).toHaveLength(fleet.subscriptions.length);
    expect(statuses()['resourceGraph 429'] ?? 0).toBe(0);
    expect(rgCalls()).toBe(26);
    expect(reader.stats.quotaWaits).toBeGreaterThanOrEqual(1);
    expect(reader.stats.throttled).toBe(0);
  });
});

describe('ResourceGraphReader retries', () => {
  it('rides out a 429 storm, honouring Retry-After', async () => {
    sim.faults.set('resourceGraph', { throttleRate: 0.6, retryAfterSeconds: 0.05 });
    const reader = new ResourceGraphReader(client, { ...FAST, maxAttempts: 20 });
    const result = await reader.queryAll<{ id: string }>(CLUSTERS_QUERY, {});
    expect(result.complete).toBe(true);
    expect(idsOf(result.rows)).toEqual(clusterIdsOf());
    expect(statuses()['resourceGraph 429']).toBeGreaterThan(0);
    expect(reader.stats.throttled).toBe(statuses()['resourceGraph 429']);
    expect(rgCalls()).toBe(3 + statuses()['resourceGraph 429']);
  });

  it.each([
    ['a 503', 'error', 'resourceGraph 503'],
    ['a dropped connection', 'drop', 'resourceGraph dropped'],
    ['a cut-short answer', 'malformed', 'resourceGraph 200'],
  ] as const)('retries %s on the middle page and keeps every row once', async (_label, kind, statusKey) => {
    const reader = new ResourceGraphReader(armedBefore(2, { failNext: { count: 2, kind } }), FAST);
    const result = await reader.queryAll<{ id: string }>(CLUSTERS_QUERY, {});
    expect(result.complete).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.rows).toHaveLength(CLUSTERS);
    expect(idsOf(result.rows)).toEqual(clusterIdsOf());
    expect(rgCalls()).toBe(5);
    expect(reader.stats.retries).toBe(2);
    if (kind === 'malformed') expect(statuses()[statusKey]).toBe(5);
    else expect(statuses()[statusKey]).toBe(2);
  });

  it('a page that keeps failing: complete false, a problem, the rows read so far kept', async () => {
    const reader = new ResourceGraphReader(armedBefore(2, { errorRate: 1 }), { ...FAST, maxAttempts: 3 });
    const result = await reader.queryAll<{ id: string }>(CLUSTERS_QUERY, {});
    expect(result.complete).toBe(false);
    expect(result.rows).toHaveLength(1000);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0].source).toBe('resourceGraph');
    expect(result.problems[0].message).toMatch(/page 2 failed after 3 attempts/);
    expect(result.problems[0].message).toMatch(/HTTP 503/);
    expect(rgCalls()).toBe(1 + 3);
  });

  it('does not retry a bad request', async () => {
    const reader = new ResourceGraphReader(client, FAST);
    const result = await reader.queryAll('resources | take 5', {});
    expect(result.complete).toBe(false);
    expect(result.problems[0].message).toMatch(/HTTP 400/);
    expect(rgCalls()).toBe(1);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const reader = new ResourceGraphReader(client, { ...FAST, abortSignal: controller.signal });
    const result = await reader.queryAll(CLUSTERS_QUERY, {});
    expect(result.complete).toBe(false);
    expect(result.problems[0].message).toMatch(/cancelled/);
    expect(rgCalls()).toBe(0);
  });
});

describe('ResourceGraphReader unreadable subscriptions', () => {
  it('gets the readable subscriptions of a list without the unreadable one, which Resource Graph leaves out', async () => {
    const subs = fleet.subscriptions.map((s) => s.subscriptionId);
    const withClusters = new Set(fleet.clusters.map((c) => c.id.split('/')[2].toLowerCase()));
    const refused = subs.find((s) => withClusters.has(s.toLowerCase()))!;
    sim.faults.set('resourceGraph', { forbiddenSubscriptions: [refused] });
    const reader = new ResourceGraphReader(client, FAST);
    // The answer is a success that simply lacks the refused subscription: only the subscription rows can show it.
    const result = await reader.queryAll<{ id: string }>(CLUSTERS_QUERY, { subscriptions: subs });
    expect(result.complete).toBe(true);
    const readable = new Set(subs.filter((s) => s !== refused).map((s) => s.toLowerCase()));
    expect(idsOf(result.rows)).toEqual(clusterIdsOf(readable));
    const chains = await reader.queryAll<{ subscriptionId: string }>(SUBSCRIPTION_CHAINS_QUERY, {
      subscriptions: subs,
    });
    expect(chains.rows.map((r) => r.subscriptionId.toLowerCase()).sort()).toEqual([...readable].sort());
  });

  it('a 403 over a list means none of it is readable: every subscription is named, in one request', async () => {
    const subs = fleet.subscriptions.slice(0, 4).map((s) => s.subscriptionId);
    sim.faults.set('resourceGraph', { forbiddenSubscriptions: subs });
    const reader = new ResourceGraphReader(client, FAST);
    const result = await reader.queryAll(SUBSCRIPTION_CHAINS_QUERY, { subscriptions: subs });
    expect(result.complete).toBe(false);
    expect(result.rows).toEqual([]);
    expect(result.problems.map((p) => p.scope).sort()).toEqual(subs.map((s) => `/subscriptions/${s}`).sort());
    expect(result.problems[0].message).toMatch(/access denied: HTTP 403/);
    expect(rgCalls()).toBe(1);
    // The next query of the run does not ask for them again, and still reports them.
    sim.counters.reset();
    const again = await reader.queryAll(CLUSTERS_QUERY, { subscriptions: subs });
    expect(again.problems).toHaveLength(4);
    expect(rgCalls()).toBe(0);
  });

  it('a refused tenant-wide read is a problem, not a crash', async () => {
    sim.faults.set('resourceGraph', { forbidden: true });
    const reader = new ResourceGraphReader(client, FAST);
    const result = await reader.queryAll(CLUSTERS_QUERY, {});
    expect(result.complete).toBe(false);
    expect(result.problems[0].scope).toBe('tenant');
    expect(result.problems[0].message).toMatch(/access denied/);
    expect(rgCalls()).toBe(1);
  });
});
