import { readExample } from '../../test/identity/examples';
import { AccessExportError, buildOfflineAccessView, parseDirectoryExport, parseRoleAssignmentsExport } from './offline';
import { parseCountBody, toDirectoryObject } from './directory';

const CLUSTER =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/c1';

describe('role assignment exports', () => {
  const cliRow = {
    condition: null,
    id: '/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleAssignments/aaaa',
    name: 'aaaa',
    principalId: '84B80893-8749-40A3-97B7-68513B600544',
    principalName: 'trevor@contoso.com',
    principalType: 'User',
    roleDefinitionId:
      '/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/4abbcc35-e782-43d8-92c5-2d3f1bd2253f',
    roleDefinitionName: 'Azure Kubernetes Service Cluster User Role',
    scope: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1',
    type: 'Microsoft.Authorization/roleAssignments',
  };

  it('reads `az role assignment list --all -o json` output and drops roles that are not AKS-access roles', () => {
    const verbatim = (
      readExample('authorization/RoleAssignments_Get.2022-04-01.json') as { responses: { 200: { body: unknown } } }
    ).responses[200].body;
    const records = parseRoleAssignmentsExport([cliRow, verbatim], 'ra.json');
    expect(records).toEqual([
      expect.objectContaining({
        principalId: '84b80893-8749-40a3-97b7-68513b600544',
        scope: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg1',
      }),
    ]);
  });

  it('reads `az graph query` output (data) of authorizationresources rows with properties', () => {
    const row = {
      id: cliRow.id,
      type: 'microsoft.authorization/roleassignments',
      properties: { ...cliRow, id: undefined },
    };
    expect(
      parseRoleAssignmentsExport({ count: 1, data: [row], skip_token: null, total_records: 1 }, 'ra.json'),
    ).toHaveLength(1);
  });

  it.each([
    [{ rows: [] }, 'ra.json: not a role assignment export'],
    [[cliRow, { ...cliRow, scope: undefined }], 'ra.json: item 1: role assignment /subscriptions/'],
    [[42], 'ra.json: item 0: item is not an object'],
  ])('rejects %j naming file and item', (json, message) => {
    expect(() => parseRoleAssignmentsExport(json, 'ra.json')).toThrow(AccessExportError);
    expect(() => parseRoleAssignmentsExport(json, 'ra.json')).toThrow(message);
  });
});

describe('directory exports', () => {
  it('reads the verbatim getByIds answer', () => {
    const objects = parseDirectoryExport(readExample('graph/getByIds.response.json'), 'dir.json');
    expect(objects[0]).toEqual({
      id: '84b80893-8749-40a3-97b7-68513b600544',
      kind: 'user',
      displayName: 'Trevor Jones',
      accountEnabled: true,
      userPrincipalName: undefined,
      userType: undefined,
      securityEnabled: undefined,
      isAssignableToRole: undefined,
    });
  });

  it.each([
    [{ data: [] }, 'dir.json: not a Microsoft Graph directory export'],
    [{ value: [{ displayName: 'x' }] }, 'dir.json: item 0: has no string "id"'],
    [{ value: [{ id: 'abc' }] }, 'dir.json: item 0 (abc): has no "@odata.type"'],
  ])('rejects %j naming file and item', (json, message) => {
    expect(() => parseDirectoryExport(json, 'dir.json')).toThrow(message);
  });

  it('maps @odata.type case-insensitively and keeps unknown types as other', () => {
    expect(toDirectoryObject({ '@odata.type': '#microsoft.graph.servicePrincipal', id: 'A' })?.kind).toBe(
      'servicePrincipal',
    );
    expect(toDirectoryObject({ '@odata.type': '#microsoft.graph.device', id: 'A' })?.kind).toBe('other');
  });
});

describe('buildOfflineAccessView', () => {
  const cluster = {
    id: CLUSTER,
    name: 'c1',
    subscriptionId: '00000000-0000-0000-0000-000000000000',
    resourceGroup: 'rg1',
    location: 'x',
    tags: {},
    properties: {},
  };
  const assignments = parseRoleAssignmentsExport(
    [
      {
        id: 'a1',
        principalId: '11111111-1111-4111-8111-111111111111',
        principalType: 'Group',
        roleDefinitionId: '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8',
        scope: CLUSTER,
      },
      {
        id: 'a2',
        principalId: '22222222-2222-4222-8222-222222222222',
        principalType: 'User',
        roleDefinitionId: '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8',
        scope: '/providers/Microsoft.Management/managementGroups/root',
      },
    ],
    'ra.json',
  );
  const directory = parseDirectoryExport(
    { value: [{ '@odata.type': '#microsoft.graph.group', id: '11111111-1111-4111-8111-111111111111' }] },
    'dir.json',
  );

  it('treats principals missing from the directory file as deleted and member counts as not checked', () => {
    const view = buildOfflineAccessView(assignments, directory);
    expect(view.principal('11111111-1111-4111-8111-111111111111').state).toBe('found');
    expect(view.principal('99999999-9999-4999-8999-999999999999')).toEqual({ state: 'absent' });
    expect(view.transitiveMemberCount('11111111-1111-4111-8111-111111111111')).toEqual({
      state: 'not_checked',
      reason: expect.stringContaining('no member counts'),
    });
  });

  it('ignores management-group scopes without chains and resolves them with chains', () => {
    const without = buildOfflineAccessView(assignments, directory).assignmentsFor(cluster);
    expect(without.readable && without.assignments.map((a) => a.id)).toEqual(['a1']);
    const withChains = buildOfflineAccessView(
      assignments,
      directory,
      new Map([['00000000-0000-0000-0000-000000000000', ['root']]]),
    ).assignmentsFor(cluster);
    expect(withChains.readable && withChains.assignments.map((a) => a.id)).toEqual(['a1', 'a2']);
  });

  it('says which file is missing', () => {
    const view = buildOfflineAccessView(undefined, undefined);
    expect(view.assignmentsFor(cluster)).toEqual({
      readable: false,
      reason: expect.stringContaining('--role-assignments'),
    });
    expect(view.principal('11111111-1111-4111-8111-111111111111')).toEqual({
      state: 'unreadable',
      reason: expect.stringContaining('--directory'),
    });
  });
});

describe('parseCountBody', () => {
  it.each([
    [7, 7],
    ['12', 12],
    [' 0 ', 0],
    [Buffer.from('42').toString('base64'), 42],
    [-1, undefined],
    [1.5, undefined],
    ['many', undefined],
    [{ value: 3 }, undefined],
  ])('%j -> %j', (body, expected) => {
    expect(parseCountBody(body)).toBe(expected);
  });
});
