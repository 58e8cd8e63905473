import { readExample } from '../../test/identity/examples';
import { accessRoleOf, AssignmentCoverage, readRoleAssignments, toRoleAssignmentRecord } from './roleAssignments';
import type { ClusterRecord, RoleAssignmentRecord } from '../model';

const SUB = 'a925f2f7-5c63-4b7b-8799-25a5f97bc3b2';
const cluster = (sub: string, rg: string, name: string): ClusterRecord => ({
  id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`,
  name,
  subscriptionId: sub,
  resourceGroup: rg.toLowerCase(),
  location: 'westeurope',
  tags: {},
  properties: {},
});
const rec = (
  scope: string,
  principalId = 'p',
  role = 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
  id = `${scope}#${principalId}`,
) =>
  (
    toRoleAssignmentRecord({ id, principalId, principalType: 'User', roleDefinitionId: role, scope }) as {
      record: RoleAssignmentRecord;
    }
  ).record;

describe('role assignment records', () => {
  it('parses the verbatim RoleAssignments_Get answer (ARM envelope) and lower-cases IDs and scope', () => {
    const body = (
      readExample('authorization/RoleAssignments_Get.2022-04-01.json') as { responses: { 200: { body: unknown } } }
    ).responses[200].body;
    expect(toRoleAssignmentRecord(body)).toEqual({
      record: {
        id: `/subscriptions/${SUB}/providers/microsoft.authorization/roleassignments/b0f43c54-e787-4862-89b1-a653fa9cf747`,
        principalId: 'ce2ce14e-85d7-4629-bdbc-454d0519d987',
        principalType: 'User',
        roleDefinitionId: '/providers/microsoft.authorization/roledefinitions/0b5fe924-9a61-425c-96af-cfe6e287ca2d',
        scope: `/subscriptions/${SUB}`,
      },
    });
    // Its role is not an AKS-access role.
    expect(
      accessRoleOf('/providers/Microsoft.Authorization/roleDefinitions/0b5fe924-9a61-425c-96af-cfe6e287ca2d'),
    ).toBeUndefined();
  });

  it.each([
    ['/providers/Microsoft.Authorization/roleDefinitions/B1FF04BB-8A4E-4DC4-8EB5-8693973CE19B', true],
    [
      `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/4abbcc35-e782-43d8-92c5-2d3f1bd2253f`,
      false,
    ],
    ['7f6c6a51-bcf8-42ba-9220-52d62157d7db', false],
  ])('matches role %s on its trailing GUID (admin: %s)', (id, admin) => {
    expect(accessRoleOf(id)?.admin).toBe(admin);
  });

  it.each([
    [{}, 'no string "principalId"'],
    [{ id: 'x', principalId: 'p', scope: '/' }, 'no string "roleDefinitionId"'],
    [{ id: 'x', principalId: 'p', roleDefinitionId: 'r' }, 'no string "scope"'],
    [{ id: 'x', principalId: 'p', roleDefinitionId: 'r', scope: 'subscriptions/x' }, 'not an ARM scope'],
    ['row', 'not an object'],
  ])('rejects %j naming the field', (row, message) => {
    expect(toRoleAssignmentRecord(row)).toEqual({ error: expect.stringContaining(message) });
  });
});

describe('AssignmentCoverage', () => {
  const target = cluster(SUB, 'RG-Apps', 'aks1');
  const chains = new Map([[SUB, ['mg-child', 'mg-root']]]);
  const assignments = [
    rec(target.id.toLowerCase(), 'at-cluster'),
    rec(`${target.id}/namespaces/ns1`, 'at-namespace'),
    rec(`/subscriptions/${SUB}/resourcegroups/rg-apps`, 'at-rg'),
    rec(`/subscriptions/${SUB}`, 'at-sub'),
    rec('/providers/Microsoft.Management/managementGroups/MG-Root', 'at-mg'),
    rec('/', 'at-root'),
    rec(
      `/subscriptions/${SUB}/resourcegroups/rg-apps/providers/microsoft.containerservice/managedclusters/aks2`,
      'other-cluster',
    ),
    rec(`/subscriptions/${SUB}/resourcegroups/rg-other`, 'other-rg'),
    rec('/subscriptions/b925f2f7-5c63-4b7b-8799-25a5f97bc3b2', 'other-sub'),
    rec('/providers/Microsoft.Management/managementGroups/mg-sandbox', 'other-mg'),
    rec(`/subscriptions/${SUB}/resourcegroups/rg-apps/providers/microsoft.storage/storageaccounts/s1`, 'storage'),
    rec(`/subscriptions/${SUB}`, 'not-aks-role', 'acdd72a7-3385-48ef-bd42-f606fba81ae7'),
  ];

  it('covers the cluster, its sub-scopes, resource group, subscription, chain management groups and root only', () => {
    const covering = new AssignmentCoverage(assignments, { chains, unknownChain: 'unknown' }).covering(target);
    expect(covering.readable && covering.assignments.map((a) => a.principalId).sort()).toEqual(
      ['at-cluster', 'at-mg', 'at-namespace', 'at-rg', 'at-root', 'at-sub'].sort(),
    );
  });

  it('an unknown chain makes the cluster unreadable live, and drops management groups offline', () => {
    const live = new AssignmentCoverage(assignments, { chains: new Map(), unknownChain: 'unknown' }).covering(target);
    expect(live).toEqual({ readable: false, reason: expect.stringContaining('management group chain') });
    const offline = new AssignmentCoverage(assignments, { unknownChain: 'ignore' }).covering(target);
    expect(offline.readable && offline.assignments.map((a) => a.principalId)).not.toContain('at-mg');
    expect(offline.readable && offline.assignments.length).toBe(5);
  });

  it('without management-group-scope assignments a missing chain does not matter', () => {
    const plain = new AssignmentCoverage(
      assignments.filter((a) => !a.scope.includes('managementgroups')),
      {
        chains: new Map(),
        unknownChain: 'unknown',
      },
    );
    expect(plain.covering(target).readable).toBe(true);
  });

  it('indexes 20,000 assignments for 10,000 clusters in well under a CPU second', () => {
    const subs = Array.from({ length: 500 }, (_, i) => `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`);
    const clusters = Array.from({ length: 10_000 }, (_, i) => cluster(subs[i % 500], `rg${i % 7}`, `c${i}`));
    const many: RoleAssignmentRecord[] = [];
    for (let i = 0; i < 20_000; i++) {
      const c = clusters[i % clusters.length];
      const scope = [
        c.id,
        `/subscriptions/${c.subscriptionId}/resourcegroups/${c.resourceGroup}`,
        `/subscriptions/${c.subscriptionId}`,
      ][i % 3];
      many.push(rec(scope, `p${i}`, undefined, `a${i}`));
    }
    const chainMap = new Map(subs.map((s) => [s, ['mg1', 'root']]));
    // CPU time, not wall time: other test processes share the machine. A nested loop over all assignments for every
    // cluster (200 million checks) takes several CPU seconds; hash lookups take a few tens of milliseconds.
    const started = process.cpuUsage();
    const coverage = new AssignmentCoverage(many, { chains: chainMap, unknownChain: 'unknown' });
    let total = 0;
    for (const c of clusters) {
      const r = coverage.covering(c);
      if (r.readable) total += r.assignments.length;
    }
    const used = process.cpuUsage(started);
    const cpuMs = (used.user + used.system) / 1000;
    expect(total).toBeGreaterThan(20_000);
    expect(cpuMs).toBeLessThan(1500);
  });
});

describe('readRoleAssignments', () => {
  it('keeps every ID as Resource Graph gave it (normalised), page by page, whether or not it is its scope plus a name', async () => {
    const scope = '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/RG-A';
    const rows = [
      { id: `${scope}/providers/Microsoft.Authorization/roleAssignments/a1`, principalId: 'P1', principalType: 'Group', roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/b1', scope },
      { id: '/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/roleAssignments/a2', principalId: 'p2', principalType: 'User', roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/b1', scope: '/providers/Microsoft.Management/managementGroups/mg' },
      { id: 'a3', principalId: 'p1', principalType: 'Group', roleDefinitionId: '/providers/Microsoft.Authorization/roleDefinitions/b1', scope },
    ];
    const reader = {
      async queryAll<T>(_q: string, _s: unknown, options?: { onPage?: (rows: unknown[]) => void }) {
        options?.onPage?.(rows.slice(0, 2));
        options?.onPage?.(rows.slice(2));
        return { rows: [] as T[], complete: true, problems: [] };
      },
    };
    const read = await readRoleAssignments(reader, { subscriptions: ['0b1f6471-1bf0-4dda-aec3-111122223333'] });
    expect(read.complete).toBe(true);
    expect(read.assignments.map((a) => a.id)).toEqual(rows.map((r) => r.id.toLowerCase()));
    expect(JSON.parse(JSON.stringify(read.assignments))).toEqual(rows.map((r) => toRoleAssignmentRecord(r)).map((r) => ('record' in r ? r.record : r)));
  });
}); // prettier-ignore
