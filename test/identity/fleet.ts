// A small hand-built fleet for the identity integration tests: the verbatim Azure RBAC example cluster, copied into
// a few subscriptions with the RBAC situations of the acceptance list.
import type { ArmManagedCluster, ArmRoleAssignment, DirectoryEntry, Fleet } from '../../sim/fleet/types';
import { graphExampleUsers, rbacExampleBody } from './examples';
import { DELETED as DELETED_GROUP, EMPTY_GROUP, GUEST, OPS_GROUP, ROLE, TREVOR } from './scenario';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const SUB_A = 'aaaaaaaa-0000-4000-8000-00000000000a';
export const SUB_B = 'bbbbbbbb-0000-4000-8000-00000000000b';
export const SUB_C = 'cccccccc-0000-4000-8000-00000000000c';

// The principals and roles are those of the rule tests (./scenario), so both suites speak of the same people.
export { EMPTY_GROUP, GUEST, OPS_GROUP, ROLE, TREVOR, DELETED as DELETED_GROUP } from './scenario';
export const DELETED_SP = '88888888-8888-4888-8888-888888888888';

export function clusterId(sub: string, rg: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

function cluster(sub: string, rg: string, name: string, adminGroupObjectIDs: string[] | null): ArmManagedCluster {
  const body = structuredClone(rbacExampleBody()) as unknown as ArmManagedCluster;
  body.id = clusterId(sub, rg, name);
  body.name = name;
  body.location = 'westeurope';
  const aad = body.properties.aadProfile as Record<string, unknown>;
  aad.adminGroupObjectIDs = adminGroupObjectIDs;
  aad.tenantID = TENANT;
  return body;
}

let n = 0;
function assignment(principalId: string, principalType: string, role: string, scope: string): ArmRoleAssignment {
  n++;
  const name = `${String(n).padStart(8, '0')}-aaaa-4aaa-8aaa-aaaaaaaaaaaa`;
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${role}`,
      principalId,
      principalType,
      scope,
    },
  };
}

/** Cluster names and what the RBAC-subject rules must say about each. */
export const EXPECTED: Record<string, Record<string, { status: string; severity?: string }>> = {
  'user-bound': {
    aks_rbac_bindings_use_groups: { status: 'fail', severity: 'medium' },
    aks_admin_groups_valid: { status: 'pass' },
    aks_rbac_no_orphaned_assignments: { status: 'pass' },
    aks_rbac_no_guest_admins: { status: 'pass' },
  },
  'groups-only': {
    aks_rbac_bindings_use_groups: { status: 'pass' },
    aks_admin_groups_valid: { status: 'pass' },
    aks_rbac_no_orphaned_assignments: { status: 'pass' },
    aks_rbac_no_guest_admins: { status: 'pass' },
  },
  'deleted-admin-group': {
    aks_rbac_bindings_use_groups: { status: 'pass' },
    aks_admin_groups_valid: { status: 'fail', severity: 'high' },
    aks_rbac_no_orphaned_assignments: { status: 'fail', severity: 'low' },
    aks_rbac_no_guest_admins: { status: 'pass' },
  },
  'user-admin-group': {
    aks_rbac_bindings_use_groups: { status: 'pass' },
    aks_admin_groups_valid: { status: 'fail', severity: 'medium' },
    aks_rbac_no_orphaned_assignments: { status: 'pass' },
    aks_rbac_no_guest_admins: { status: 'pass' },
  },
  'empty-admin-group': {
    aks_rbac_bindings_use_groups: { status: 'pass' },
    aks_admin_groups_valid: { status: 'fail', severity: 'low' },
    aks_rbac_no_orphaned_assignments: { status: 'pass' },
    aks_rbac_no_guest_admins: { status: 'pass' },
  },
  'guest-admin': {
    aks_rbac_bindings_use_groups: { status: 'fail', severity: 'medium' },
    aks_admin_groups_valid: { status: 'not_applicable' },
    aks_rbac_no_orphaned_assignments: { status: 'pass' },
    aks_rbac_no_guest_admins: { status: 'fail', severity: 'high' },
  },
  'mg-reached': {
    aks_rbac_bindings_use_groups: { status: 'fail', severity: 'medium' },
    aks_admin_groups_valid: { status: 'not_applicable' },
    aks_rbac_no_orphaned_assignments: { status: 'pass' },
    aks_rbac_no_guest_admins: { status: 'pass' },
  },
};

export function identityFleet(): Fleet {
  const clusters = [
    cluster(SUB_A, 'rg-users', 'user-bound', [OPS_GROUP]),
    cluster(SUB_A, 'rg-groups', 'groups-only', [OPS_GROUP]),
    cluster(SUB_A, 'rg-deleted', 'deleted-admin-group', [OPS_GROUP, DELETED_GROUP]),
    cluster(SUB_A, 'rg-useradmin', 'user-admin-group', [TREVOR]),
    cluster(SUB_A, 'rg-empty', 'empty-admin-group', [EMPTY_GROUP]),
    cluster(SUB_B, 'rg-guest', 'guest-admin', null),
    cluster(SUB_C, 'rg-mg', 'mg-reached', null),
  ];
  const roleAssignments = [
    // Groups everywhere in SUB_A, at the resource group and cluster level.
    assignment(OPS_GROUP, 'Group', ROLE.rbacClusterAdmin, `/subscriptions/${SUB_A}`),
    assignment(OPS_GROUP, 'Group', ROLE.clusterUser, `/subscriptions/${SUB_A}/resourceGroups/rg-groups`),
    // A user bound directly at one cluster (mixed-case scope as ARM keeps it).
    assignment(TREVOR, 'User', ROLE.rbacReader, clusterId(SUB_A, 'RG-Users', 'user-bound')),
    // A deleted service principal at one cluster's resource group.
    assignment(DELETED_SP, 'ServicePrincipal', ROLE.clusterUser, `/subscriptions/${SUB_A}/resourcegroups/rg-deleted`),
    // A guest with RBAC Cluster Admin at subscription scope.
    assignment(GUEST, 'User', ROLE.rbacClusterAdmin, `/subscriptions/${SUB_B}`),
    // A user at a management group that only SUB_C's chain contains.
    assignment(TREVOR, 'User', ROLE.clusterUser, '/providers/Microsoft.Management/managementGroups/mg-team-c'),
    // Assignments that cover nothing in this fleet: another subscription's group, an unrelated management group.
    assignment(TREVOR, 'User', ROLE.clusterUser, '/providers/Microsoft.Management/managementGroups/mg-sandbox'),
    assignment(TREVOR, 'User', ROLE.clusterUser, '/subscriptions/dddddddd-0000-4000-8000-00000000000d'),
  ];
  const directory: DirectoryEntry[] = [
    { ...(graphExampleUsers()[0] as DirectoryEntry), userPrincipalName: 'trevor@contoso.com', userType: 'Member' },
    {
      '@odata.type': '#microsoft.graph.group',
      id: OPS_GROUP,
      displayName: 'AKS Operators',
      securityEnabled: true,
      isAssignableToRole: false,
      transitiveMemberCount: 4,
    },
    {
      '@odata.type': '#microsoft.graph.group',
      id: EMPTY_GROUP,
      displayName: 'Break glass',
      securityEnabled: true,
      transitiveMemberCount: 0,
    },
    {
      '@odata.type': '#microsoft.graph.user',
      id: GUEST,
      displayName: 'Pat Partner',
      userPrincipalName: 'pat_partner.example#EXT#@contoso.onmicrosoft.com',
      userType: 'Guest',
      accountEnabled: true,
    },
  ];
  const root = { name: TENANT, displayName: 'Tenant Root Group' };
  return {
    tenantId: TENANT,
    subscriptions: [
      {
        subscriptionId: SUB_A,
        displayName: 'Platform',
        tenantId: TENANT,
        managementGroupAncestorsChain: [{ name: 'mg-platform', displayName: 'Platform' }, root],
      },
      { subscriptionId: SUB_B, displayName: 'Partners', tenantId: TENANT, managementGroupAncestorsChain: [root] },
      {
        subscriptionId: SUB_C,
        displayName: 'Team C',
        tenantId: TENANT,
        managementGroupAncestorsChain: [
          { name: 'mg-team-c', displayName: 'Team C' },
          { name: 'mg-platform', displayName: 'Platform' },
          root,
        ],
      },
    ],
    clusters,
    kubernetesVersions: {},
    roleAssignments,
    directory,
  };
}
