// Small builders for the RBAC-subject rule tests: assignments and directory objects in wire form, run through the
// same parsers and AccessView the product uses.
import type { AccessView, DirectoryObject, RoleAssignmentRecord, RuleContext } from '../../src/model';
import { FleetAccessView } from '../../src/identity/accessView';
import { PrincipalDirectory, PRINCIPALS_PERMISSION } from '../../src/identity/directory';
import { buildOfflineAccessView, parseDirectoryExport, parseRoleAssignmentsExport } from '../../src/identity/offline';
import { AssignmentCoverage } from '../../src/identity/roleAssignments';
import { graphExampleUsers } from './examples';

export const SUB = '00000000-0000-0000-0000-000000000000';
export const CLUSTER_ID = `/subscriptions/${SUB}/resourcegroups/rg1/providers/Microsoft.ContainerService/managedClusters/clustername1`;

export const ROLE = {
  clusterAdmin: '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8',
  clusterUser: '4abbcc35-e782-43d8-92c5-2d3f1bd2253f',
  rbacClusterAdmin: 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
  rbacReader: '7f6c6a51-bcf8-42ba-9220-52d62157d7db',
  rbacWriter: 'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb',
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
};

/** Trevor Jones, the first user of the Graph getByIds documentation example. */
export const TREVOR = '84b80893-8749-40a3-97b7-68513b600544';
export const OPS_GROUP = '11111111-1111-4111-8111-111111111111';
export const GUEST = '22222222-2222-4222-8222-222222222222';
export const APP = '33333333-3333-4333-8333-333333333333';
export const M365_GROUP = '44444444-4444-4444-8444-444444444444';
export const EMPTY_GROUP = '55555555-5555-4555-8555-555555555555';
export const DELETED = '66666666-6666-4666-8666-666666666666';
export const MEMBER = '77777777-7777-4777-8777-777777777777';

export function directoryWire(): Record<string, unknown>[] {
  return [
    graphExampleUsers()[0],
    {
      '@odata.type': '#microsoft.graph.group',
      id: OPS_GROUP,
      displayName: 'AKS Operators',
      securityEnabled: true,
      isAssignableToRole: false,
    },
    {
      '@odata.type': '#microsoft.graph.user',
      id: GUEST,
      displayName: 'Pat Partner',
      userPrincipalName: 'pat_partner.example#EXT#@contoso.onmicrosoft.com',
      userType: 'Guest',
      accountEnabled: true,
    },
    {
      '@odata.type': '#microsoft.graph.user',
      id: MEMBER,
      displayName: 'Morgan Member',
      userPrincipalName: 'morgan@contoso.com',
      userType: 'Member',
      accountEnabled: true,
    },
    { '@odata.type': '#microsoft.graph.servicePrincipal', id: APP, displayName: 'deploy-pipeline' },
    { '@odata.type': '#microsoft.graph.group', id: M365_GROUP, displayName: 'Team site', securityEnabled: false },
    { '@odata.type': '#microsoft.graph.group', id: EMPTY_GROUP, displayName: 'Break glass', securityEnabled: true },
  ];
}

export function directory(): DirectoryObject[] {
  return parseDirectoryExport({ value: directoryWire() }, 'directory.json');
}

let counter = 0;
/** An `authorizationresources`-style row: ARM envelope with `properties`. */
export function assignment(principalId: string, principalType: string, role: string, scope: string, tenantForm = true) {
  counter++;
  const id = `${scope === '/' ? '' : scope}/providers/Microsoft.Authorization/roleAssignments/${String(counter).padStart(8, '0')}-0000-4000-8000-000000000000`;
  return {
    id,
    type: 'microsoft.authorization/roleassignments',
    properties: {
      principalId,
      principalType,
      scope,
      roleDefinitionId: tenantForm
        ? `/providers/Microsoft.Authorization/roleDefinitions/${role}`
        : `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
    },
  };
}

export function records(rows: unknown[]): RoleAssignmentRecord[] {
  return parseRoleAssignmentsExport(rows, 'role-assignments.json');
}

export interface ViewOptions {
  assignments?: unknown[];
  /** Member counts by group ID; groups left out count as not checked (offline). */
  memberCounts?: Record<string, number>;
  chains?: Map<string, string[]>;
  principalsUnreadable?: boolean;
  /** The directory as an app without Directory.Read.All gets it: every object with only id and @odata.type. */
  strippedDirectory?: boolean;
}

export function view(options: ViewOptions): AccessView {
  const recs = records(options.assignments ?? []);
  if (options.principalsUnreadable) {
    const reason = `Microsoft Graph refused directoryObjects/getByIds (HTTP 403 Authorization_RequestDenied); the identity needs ${PRINCIPALS_PERMISSION}`;
    return new FleetAccessView(
      { readable: true, coverage: new AssignmentCoverage(recs, { chains: options.chains, unknownChain: 'unknown' }) },
      new PrincipalDirectory(new Map(), new Map(), {
        principal: { state: 'unreadable', reason },
        memberCount: { state: 'unreadable', reason },
      }),
    );
  }
  if (options.memberCounts) {
    const principals = new Map(directory().map((o) => [o.id, { state: 'found' as const, object: o }]));
    const counts = new Map(
      Object.entries(options.memberCounts).map(([id, count]) => [id, { state: 'known' as const, count }]),
    );
    return new FleetAccessView(
      { readable: true, coverage: new AssignmentCoverage(recs, { chains: options.chains, unknownChain: 'unknown' }) },
      new PrincipalDirectory(principals, counts, {
        principal: { state: 'absent' },
        memberCount: { state: 'unreadable', reason: 'not counted' },
      }),
    );
  }
  if (options.strippedDirectory) {
    const stripped = directoryWire().map((o) => ({ id: o.id, '@odata.type': o['@odata.type'] }));
    return buildOfflineAccessView(recs, parseDirectoryExport({ value: stripped }, 'directory.json'), options.chains);
  }
  return buildOfflineAccessView(recs, directory(), options.chains);
}

export function context(access?: AccessView): RuleContext {
  return {
    asOf: new Date('2026-11-27T00:00:00Z'),
    nodeImageMaxAgeDays: 30,
    eolWarningDays: 60,
    maxClusterAdmins: 10,
    catalogs: new Map(),
    calendar: { source: 'test', retrieved: '2026-11-27', minors: {} },
    access,
  };
}
