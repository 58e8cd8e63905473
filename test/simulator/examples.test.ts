// Every verbatim Azure API example is served or parsed as it is by the simulator (through the real SDKs where the
// product uses one). A new example file without a case here fails the last test.
import { toClusterRecord } from '../../src/inventory/clusters';
import { QUERIES } from '../../src/inventory/queries';
import {
  agentPoolUpgradeProfileExample,
  exampleResponseBody,
  graphExamples,
  kubernetesVersionsExample,
  listExampleFiles,
  managedClusterExamples,
  managedClustersListExample,
  managedClusterUpgradeProfileExample,
  readExample,
  resourceGraphExamples,
  roleAssignmentExample,
  roleDefinitionExample,
  teamsCardExample,
} from '../../sim/fleet/fixtures';
import type { ArmManagedCluster, ArmRoleAssignment, DirectoryEntry, Fleet } from '../../sim/fleet/types';
import type { KubernetesVersionWire } from '../../src/model';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const covered = new Set<string>();
function covers(...files: string[]): void {
  for (const f of files) covered.add(f);
}

function subscriptionOf(id: string): string {
  return id.split('/')[2];
}

/** The examples all describe `clustername1`: each gets its own name (from its file) so that all are served. */
function renamed(file: string, body: Record<string, unknown>): ArmManagedCluster {
  const name = file
    .replace(/^aks\/ManagedClusters/, '')
    .replace(/\..*$/, '')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
  const id = String(body.id).replace(/[^/]+$/, name);
  return { ...(body as unknown as ArmManagedCluster), id, name };
}

/** A fleet made only of the verbatim examples. */
function examplesFleet(): Fleet {
  const clusters = new Map<string, ArmManagedCluster>();
  for (const { file, body } of managedClusterExamples()) {
    const c = renamed(file, body);
    clusters.set(c.id.toLowerCase(), c);
  }
  const listed = managedClustersListExample().value.map((b) => renamed('aks/ManagedClustersList.json', b));
  for (const c of listed) clusters.set(c.id.toLowerCase(), c);
  const subs = new Set([...clusters.values()].map((c) => subscriptionOf(c.id)));
  const assignment = roleAssignmentExample() as ArmRoleAssignment;
  subs.add(subscriptionOf(assignment.id));
  // The same assignment with an AKS-access role: the product's query must return it.
  const aksAssignment: ArmRoleAssignment = {
    ...assignment,
    id: assignment.id.replace(/[0-9a-f]{4}$/, 'aaaa'),
    properties: {
      ...assignment.properties,
      roleDefinitionId: assignment.properties.roleDefinitionId.replace(
        /[^/]+$/,
        'B1FF04BB-8A4E-4DC4-8EB5-8693973CE19B',
      ),
    },
  };
  const { getByIdsResponse } = graphExamples();
  return {
    tenantId: TENANT,
    subscriptions: [...subs].map((s) => ({
      subscriptionId: s,
      displayName: s,
      tenantId: TENANT,
      managementGroupAncestorsChain: [{ name: TENANT, displayName: 'Tenant Root Group' }],
    })),
    clusters: [...clusters.values()],
    kubernetesVersions: Object.fromEntries(
      [...new Set([...clusters.values()].map((c) => c.location.toLowerCase().replace(/\s+/g, '')))].map((l) => [
        l,
        kubernetesVersionsExample() as unknown as { values: KubernetesVersionWire[] },
      ]),
    ),
    roleAssignments: [assignment, aksAssignment],
    directory: getByIdsResponse.value as unknown as DirectoryEntry[],
  };
}

let local: LocalAzure;
let fleet: Fleet;
beforeAll(async () => {
  fleet = examplesFleet();
  local = await startLocalAzure({ fleet });
});
afterAll(() => local?.stop());

async function token(resource: string): Promise<string> {
  const t = await local.clients.credential.getToken(`${resource}/.default`);
  if (!t) throw new Error('no token');
  return t.token;
}

describe('AKS examples', () => {
  it('serves every ManagedClusters example body through ContainerServiceClient.get, unchanged', async () => {
    const examples = managedClusterExamples();
    covers(...examples.map((e) => e.file));
    for (const { file, body: original } of examples) {
      const body = renamed(file, original);
      const [, , sub, , rg, , , , name] = String(body.id).split('/');
      const res = await fetch(
        `${local.settings.armEndpoint}/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}?api-version=2025-10-01`,
        { headers: { authorization: `Bearer ${await token(local.settings.armEndpoint)}` } },
      );
      const served = await res.json();
      expect({ file, status: res.status, served }).toEqual({ file, status: 200, served: body });
      const sdk = await local.clients.containerService(sub).managedClusters.get(rg, name);
      expect(sdk.name).toBe(name);
    }
  });

  it('lists the ManagedClustersList example through the SDK pager', async () => {
    covers('aks/ManagedClustersList.2025-10-01.json');
    const list = managedClustersListExample().value.map((b) => renamed('aks/ManagedClustersList.json', b));
    const sub = subscriptionOf(String(list[0].id));
    const names: string[] = [];
    for await (const c of local.clients.containerService(sub).managedClusters.list()) names.push(String(c.name));
    expect(names).toEqual(expect.arrayContaining(list.map((c) => String(c.name))));
  });

  it('projects example clusters through the cluster query into rows toClusterRecord accepts', async () => {
    const page = await local.clients.resourceGraph.resources({ query: QUERIES.clusters, options: { top: 1000 } });
    expect(page.totalRecords).toBe(fleet.clusters.length);
    for (const row of page.data as unknown[]) {
      const parsed = toClusterRecord(row);
      expect('record' in parsed ? parsed.record.id : parsed.error).toMatch(/managedClusters/i);
    }
  });

  it('serves the KubernetesVersions_List example as a region catalog, read by listKubernetesVersions', async () => {
    covers('aks/KubernetesVersions_List.2025-10-01.json');
    const cluster = fleet.clusters[0];
    const list = await local.clients
      .containerService(subscriptionOf(cluster.id))
      .managedClusters.listKubernetesVersions(cluster.location);
    const example = kubernetesVersionsExample().values;
    expect(list.values?.map((v) => [v.version, v.isPreview ?? false, v.patchVersions])).toEqual(
      example.map((v) => [v.version, v.isPreview ?? false, v.patchVersions]),
    );
  });

  it('serves upgrade profiles shaped like the examples (properties always present)', async () => {
    covers('aks/ManagedClustersGetUpgradeProfile.2025-10-01.json', 'aks/AgentPoolsGetUpgradeProfile.2025-10-01.json');
    const cluster = fleet.clusters.find((c) => Array.isArray(c.properties.agentPoolProfiles)) as ArmManagedCluster;
    const [, , sub, , rg, , , , name] = cluster.id.split('/');
    const pool = (cluster.properties.agentPoolProfiles as { name: string }[])[0].name;
    const auth = { authorization: `Bearer ${await token(local.settings.armEndpoint)}` };
    const base = `${local.settings.armEndpoint}/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;
    const clusterProfile = (await (
      await fetch(`${base}/upgradeProfiles/default?api-version=2025-10-01`, { headers: auth })
    ).json()) as Record<string, Record<string, unknown>>;
    const example = managedClusterUpgradeProfileExample() as Record<string, Record<string, unknown>>;
    expect(Object.keys(clusterProfile).sort()).toEqual(Object.keys(example).sort());
    expect(Object.keys(clusterProfile.properties).sort()).toEqual(Object.keys(example.properties).sort());
    const poolResponse = await fetch(`${base}/agentPools/${pool}/upgradeProfiles/default?api-version=2025-10-01`, {
      headers: auth,
    });
    const poolProfile = (await poolResponse.json()) as Record<string, Record<string, unknown>>;
    expect({ status: poolResponse.status, poolProfile }).toEqual({ status: 200, poolProfile: expect.anything() });
    const poolExample = agentPoolUpgradeProfileExample() as Record<string, Record<string, unknown>>;
    expect(Object.keys(poolProfile).sort()).toEqual(Object.keys(poolExample).sort());
    expect(Object.keys(poolProfile.properties).sort()).toEqual(Object.keys(poolExample.properties).sort());
    const sdk = await local.clients.containerService(sub).agentPools.getUpgradeProfile(rg, name, pool);
    expect(sdk.latestNodeImageVersion).toBe(poolProfile.properties.latestNodeImageVersion);
  });
});

describe('authorization examples', () => {
  it('returns the RoleAssignments_Get example only when its role is an AKS-access role, lower-cased', async () => {
    covers('authorization/RoleAssignments_Get.2022-04-01.json');
    const page = await local.clients.resourceGraph.resources({ query: QUERIES.roleAssignments });
    const example = roleAssignmentExample();
    expect(page.data).toEqual([
      {
        id: example.id.replace(/[0-9a-f]{4}$/, 'aaaa'),
        principalId: example.properties.principalId,
        principalType: 'User',
        roleDefinitionId: '/providers/microsoft.authorization/roledefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
        scope: example.properties.scope.toLowerCase(),
      },
    ]);
  });

  it('parses the GetRoleDefinitionById example: the trailing GUID of its ID is its name', () => {
    covers('authorization/GetRoleDefinitionById.2022-04-01.json');
    const def = roleDefinitionExample() as { id: string; name: string };
    expect(def.id.split('/').at(-1)).toBe(def.name);
  });
});

describe('Resource Graph examples', () => {
  it('refuses the example queries (not the product queries) and answers product queries in the examples shape', async () => {
    const { basic, firstPage, nextPage } = resourceGraphExamples();
    covers(
      'arg/ResourcesBasicQuery.2022-10-01.json',
      'arg/ResourcesFirstPageQuery.2022-10-01.json',
      'arg/ResourcesNextPageQuery.2022-10-01.json',
    );
    const auth = `Bearer ${await token(local.settings.armEndpoint)}`;
    for (const example of [basic, firstPage, nextPage]) {
      const res = await fetch(
        `${local.settings.armEndpoint}/providers/Microsoft.ResourceGraph/resources?api-version=${String(example.parameters?.['api-version'])}`,
        {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify(example.parameters?.query),
        },
      );
      expect(res.status).toBe(400);
    }
    const res = await fetch(
      `${local.settings.armEndpoint}/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01`,
      {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERIES.clusters, options: { $top: 1, $skip: 0 } }),
      },
    );
    const served = (await res.json()) as Record<string, unknown>;
    const shape = (o: Record<string, unknown>): Record<string, string> =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? 'array' : typeof v]));
    expect(shape(served)).toEqual(shape(firstPage.responses['200'].body as Record<string, unknown>));
    const next = await fetch(
      `${local.settings.armEndpoint}/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01`,
      {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERIES.clusters, options: { $skipToken: served.$skipToken } }),
      },
    );
    const second = (await next.json()) as { data: { id: string }[]; count: number };
    expect(second.count).toBe(1);
    expect(second.data[0].id > (served.data as { id: string }[])[0].id).toBe(true);
  });

  it('throttles with the body of the RateLimiting example', async () => {
    covers('arg/RateLimiting-429.response.json');
    local.sim.faults.set('resourceGraph', { failNext: { count: 1, kind: 'throttle' } });
    const res = await fetch(
      `${local.settings.armEndpoint}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await token(local.settings.armEndpoint)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ query: QUERIES.clusters }),
      },
    );
    local.sim.faults.clear();
    expect(res.status).toBe(429);
    const body = (await res.json()) as { error: Record<string, unknown> };
    const example = readExample('arg/RateLimiting-429.response.json') as { error: Record<string, unknown> };
    expect(body.error.code).toBe(example.error.code);
    expect(body.error.details).toEqual(example.error.details);
    expect(String(body.error.message)).toMatch(/^Please provide below info when asking for support: timestamp = /);
  });
});

describe('Graph examples', () => {
  async function graphPost(path: string, body: unknown): Promise<Response> {
    return fetch(`${local.settings.graphEndpoint}/v1.0${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await token(local.settings.graphEndpoint)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
  }

  it('serves the getByIds example request as it is (its malformed IDs are simply absent)', async () => {
    covers('graph/getByIds.request.json', 'graph/getByIds.response.json');
    const { getByIdsRequest, getByIdsResponse } = graphExamples();
    const res = await graphPost('/directoryObjects/getByIds', getByIdsRequest);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { value: unknown[] }).value).toEqual([]);
    // The example response's objects, loaded as the directory, come back with their @odata.type.
    const ids = getByIdsResponse.value.map((o) => String(o.id));
    const found = await graphPost('/directoryObjects/getByIds?$select=id,displayName,accountEnabled', {
      ids,
      types: ['user'],
    });
    const value = ((await found.json()) as { value: Record<string, unknown>[] }).value;
    expect(value.length).toBeGreaterThan(0);
    for (const o of value)
      expect(o).toEqual(
        expect.objectContaining({ '@odata.type': '#microsoft.graph.user', id: ids[0], accountEnabled: true }),
      );
  });

  it('answers the $batch example request item by item, in the example response shape', async () => {
    covers('graph/batch.request.json', 'graph/batch.response.json');
    const { batchRequest, batchResponse } = graphExamples();
    const res = await graphPost('/$batch', batchRequest);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { responses: Record<string, unknown>[] };
    expect(body.responses.map((r) => r.id).sort()).toEqual(batchRequest.requests.map((r) => r.id).sort());
    for (const r of body.responses) {
      expect(Object.keys(r).sort()).toEqual(Object.keys(batchResponse.responses[1]).sort());
      expect(typeof r.status).toBe('number');
    }
    // /me is refused for an application token, as Graph does.
    const me = body.responses.find((r) => r.id === '1') as { status: number; body: { error: { message: string } } };
    expect(me.status).toBe(400);
    expect(me.body.error.message).toMatch(/delegated/);
  });

  it('throttles Graph with the body of the throttling example', async () => {
    covers('graph/throttled-429.response.json');
    local.sim.faults.set('graph.getByIds', { failNext: { count: 1, kind: 'throttle' }, retryAfterSeconds: 2.128 });
    const res = await graphPost('/directoryObjects/getByIds', { ids: [] });
    local.sim.faults.clear();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2.128');
    const body = (await res.json()) as { error: Record<string, unknown> };
    const example = graphExamples().throttled429;
    expect(Object.keys(body.error).sort()).toEqual(Object.keys(example.error).sort());
    expect(Object.keys(body.error.innerError as object).sort()).toEqual(
      Object.keys(example.error.innerError as object).sort(),
    );
    expect(body.error.code).toBe('TooManyRequests');
  });

  it('accepts the sendMail example (202, empty) and captures it', async () => {
    covers('graph/sendMail.request.json');
    const { sendMailRequest } = graphExamples();
    const res = await graphPost('/users/alerts@contoso.com/sendMail', sendMailRequest);
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    expect(local.sim.captured.mail.at(-1)).toEqual({
      sender: 'alerts@contoso.com',
      message: sendMailRequest.message,
      saveToSentItems: 'false',
    });
    const noRecipients = await graphPost('/users/alerts@contoso.com/sendMail', { message: { subject: 'x' } });
    expect(noRecipients.status).toBe(400);
  });

  it('parses the transitiveMembers example: the count travels as a number', () => {
    covers('graph/transitiveMembers.castUser.search.response.json');
    const { transitiveMembersResponse } = graphExamples();
    expect(Number.isInteger(transitiveMembersResponse['@odata.count'])).toBe(true);
    expect(Array.isArray(transitiveMembersResponse.value)).toBe(true);
  });
});

describe('Teams example', () => {
  it('accepts the Adaptive Card webhook example (202) and refuses other payloads', async () => {
    covers('teams/adaptive-card-webhook.request.json');
    const card = teamsCardExample();
    const post = (body: string): Promise<Response> =>
      fetch(local.sim.teamsWebhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const ok = await post(JSON.stringify(card));
    expect(ok.status).toBe(202);
    expect(local.sim.captured.teams.at(-1)).toEqual(card);
    expect((await post(JSON.stringify({ text: 'connector card' }))).status).toBe(400);
    const big = structuredClone(card) as { attachments: { content: { body: unknown[] } }[] };
    big.attachments[0].content.body.push({ type: 'TextBlock', text: 'x'.repeat(29 * 1024) });
    expect((await post(JSON.stringify(big))).status).toBe(400);
    const v15 = structuredClone(card) as { attachments: { content: { version: string } }[] };
    v15.attachments[0].content.version = '1.5';
    expect((await post(JSON.stringify(v15))).status).toBe(400);
    expect(local.sim.counters.snapshot().teams).toBe(4);
  });
});

it('covers every verbatim example file', () => {
  expect(listExampleFiles().filter((f) => !covered.has(f))).toEqual([]);
  expect(exampleResponseBody('aks/ManagedClustersGet.2025-10-01.json')).toBeDefined();
});
