// The ground truth's semantic decisions, case by case (the rules must reach the same conclusions).
import type { ClusterSpec, FleetModel, PoolSpec, PrincipalSpec } from './model';
import { buildCatalog, regionVariant } from './catalog';
import { computeTruth, clusterKey, type TruthEntry } from './truth';

const AS_OF = new Date('2026-11-27T00:00:00Z');
const SUB = '11111111-2222-4333-8444-555555555555';
const TENANT = '99999999-8888-4777-8666-555555555555';

function pool(over: Partial<PoolSpec> = {}): PoolSpec {
  return {
    name: 'nodepool1',
    mode: 'System',
    osType: 'Linux',
    version: '1.35.4',
    versionAlias: false,
    count: 3,
    vmSize: 'Standard_D4s_v5',
    image: { kind: 'linux', family: 'AKSUbuntu-2204gen2containerd', date: '2026-11-20', rev: 0 },
    ...over,
  };
}

function cluster(over: Partial<ClusterSpec> = {}): ClusterSpec {
  return {
    template: 'aks/ManagedClustersGet.2025-10-01.json',
    subscriptionId: SUB,
    resourceGroup: 'rg-a',
    name: 'aks-a',
    location: 'westeurope',
    tags: {},
    tier: 'Standard',
    supportPlan: 'KubernetesOfficial',
    version: '1.35.4',
    versionAlias: false,
    pools: [pool()],
    aad: { kind: 'managed', azureRBAC: true, adminGroups: undefined },
    enableRBAC: true,
    disableLocalAccounts: true,
    api: { private: true },
    autoUpgrade: { upgradeChannel: 'stable', nodeOSUpgradeChannel: 'NodeImage' },
    fqdnHash: 'abcd1234',
    ...over,
  };
}

function model(clusters: ClusterSpec[], extra: Partial<FleetModel> = {}): FleetModel {
  return {
    asOf: AS_OF,
    tenantId: TENANT,
    subscriptions: [
      {
        subscriptionId: SUB,
        displayName: 'sub',
        chain: [
          { name: 'mg-corp', displayName: 'Corp' },
          { name: TENANT, displayName: 'Tenant Root Group' },
        ],
      },
    ],
    clusters,
    catalogs: { westeurope: buildCatalog(regionVariant(0)), westus2: buildCatalog(regionVariant(4)), eastus: null },
    principals: [],
    assignments: [],
    forbiddenSubscriptions: [],
    ...extra,
  };
}

function truthOf(c: ClusterSpec, extra: Partial<FleetModel> = {}): Record<string, TruthEntry> {
  return computeTruth(model([c], extra)).get(clusterKey(c))!;
}

const pass = { status: 'pass' };
const fail = (severity: string) => ({ status: 'fail', severity });

describe('ground truth: version rules', () => {
  test.each([
    ['official GA, newest patch', {}, pass, pass, pass],
    ['official GA, older patch', { version: '1.35.2' }, pass, fail('medium'), pass],
    ['1.34 ends 2026-11-30, within 60 days', { version: '1.34.6' }, pass, pass, fail('medium')],
    ['platform support 1.33 (LTS-only entry)', { version: '1.33.7' }, fail('high'), pass, fail('medium')],
    ['preview 1.37', { version: '1.37.0' }, fail('medium'), pass, pass],
    ['1.32 listed for LTS only, not Premium', { version: '1.32.9' }, fail('critical'), pass, fail('medium')],
    ['1.30: in the calendar, not in the catalog', { version: '1.30.14' }, fail('critical'), { status: 'not_applicable' }, fail('medium')],
    ['1.25: in neither', { version: '1.25.6' }, fail('critical'), { status: 'not_applicable' }, { status: 'unknown' }],
    ['Premium + LTS on 1.32', { version: '1.32.9', tier: 'Premium', supportPlan: 'AKSLongTermSupport' }, pass, pass, pass],
    ['Premium + LTS on 1.33 beats platform support', { version: '1.33.7', tier: 'Premium', supportPlan: 'AKSLongTermSupport' }, pass, pass, pass],
    ['Premium + LTS on 1.31 (LTS ends 2026-11-30)', { version: '1.31.13', tier: 'Premium', supportPlan: 'AKSLongTermSupport' }, pass, pass, fail('medium')],
    ['Standard + LTS plan is not LTS-covered', { version: '1.32.9', supportPlan: 'AKSLongTermSupport' }, fail('critical'), pass, fail('medium')],
    ['lagging region: its newest patch counts', { location: 'westus2', version: '1.35.3' }, pass, pass, pass],
    ['unreadable catalog', { location: 'eastus' }, { status: 'unknown' }, { status: 'unknown' }, pass],
  ] as const)('%s', (_name, over, supported, patch, horizon) => {
    const t = truthOf(cluster(over as Partial<ClusterSpec>));
    expect(t.aks_version_supported).toEqual(supported);
    expect(t.aks_version_patch_current).toEqual(patch);
    expect(t.aks_version_end_of_support_horizon).toEqual(horizon);
  }); // prettier-ignore

  test('the horizon moves with the clock: 1.35 (ends 2027-03-31) fails from 2027-01-30', () => {
    const c = cluster();
    const t = (iso: string) => computeTruth(model([c]), new Date(iso)).get(clusterKey(c))!;
    expect(t('2027-01-29T23:00:00Z').aks_version_end_of_support_horizon).toEqual(pass);
    expect(t('2027-01-30T00:00:00Z').aks_version_end_of_support_horizon).toEqual(fail('medium'));
  });
});

describe('ground truth: node image decision', () => {
  const linux = (date: string) => ({ kind: 'linux' as const, family: 'AKSUbuntu-2204gen2containerd', date, rev: 0 });
  const unrecognised = { kind: 'unrecognised' as const, value: 'AKSUbuntu:1604:2020.03.11' };
  test.each([
    ['30 days old passes', [linux('2026-10-28')], pass],
    ['31 days old fails medium', [linux('2026-10-27')], fail('medium')],
    ['90 days old is medium', [linux('2026-08-29')], fail('medium')],
    ['91 days old is high', [linux('2026-08-28')], fail('high')],
    ['an unrecognisable pool and fresh ones: unknown', [linux('2026-11-20'), unrecognised], { status: 'unknown' }],
    ['no nodeImageVersion: unknown', [{ kind: 'missing' as const }], { status: 'unknown' }],
    ['an unrecognisable pool does not hide a stale one', [unrecognised, linux('2026-09-01')], fail('medium')],
    ['severity by the oldest pool', [linux('2026-10-01'), linux('2026-01-01')], fail('high')],
    ['Windows YYMMDD', [{ kind: 'windows' as const, family: 'AKSWindows-2022-containerd', build: '20348.2227', date: '2026-07-01' }], fail('high')],
  ] as const)('%s', (_name, images, expected) => {
    const c = cluster({ pools: images.map((image, k) => pool({ name: `p${k}`, image })) });
    expect(truthOf(c).aks_node_image_current).toEqual(expected);
  }); // prettier-ignore
});

describe('ground truth: cluster configuration rules', () => {
  test.each([
    ['pool on an older minor', { pools: [pool(), pool({ name: 'user1', version: '1.34.6' })] }, 'aks_node_pools_match_control_plane', fail('medium')],
    ['pool minor alias on the same minor', { pools: [pool({ versionAlias: true })] }, 'aks_node_pools_match_control_plane', pass],
    ['upgrade channel none', { autoUpgrade: { upgradeChannel: 'none', nodeOSUpgradeChannel: 'NodeImage' } }, 'aks_auto_upgrade_enabled', fail('medium')],
    ['legacy node-image channel', { autoUpgrade: { upgradeChannel: 'node-image' } }, 'aks_auto_upgrade_enabled', fail('medium')],
    ['no autoUpgradeProfile', { autoUpgrade: undefined }, 'aks_auto_upgrade_enabled', fail('medium')],
    ['node-image channel manages the node OS', { autoUpgrade: { upgradeChannel: 'node-image' } }, 'aks_node_os_upgrade_managed', pass],
    ['node OS Unmanaged', { autoUpgrade: { upgradeChannel: 'patch', nodeOSUpgradeChannel: 'Unmanaged' } }, 'aks_node_os_upgrade_managed', fail('medium')],
    ['node OS missing', { autoUpgrade: { upgradeChannel: 'patch' } }, 'aks_node_os_upgrade_managed', fail('medium')],
    ['node OS None', { autoUpgrade: { upgradeChannel: 'patch', nodeOSUpgradeChannel: 'None' } }, 'aks_node_os_upgrade_managed', fail('high')],
    ['no aadProfile', { aad: { kind: 'absent' } }, 'aks_entra_id_enabled', fail('high')],
    ['no aadProfile: managed n/a', { aad: { kind: 'absent' } }, 'aks_entra_id_managed', { status: 'not_applicable' }],
    ['legacy Entra ID', { aad: { kind: 'legacy', managedField: false } }, 'aks_entra_id_managed', fail('medium')],
    ['legacy Entra ID: Azure RBAC off', { aad: { kind: 'legacy', managedField: undefined } }, 'aks_azure_rbac_enabled', fail('low')],
    ['no aadProfile: Azure RBAC n/a', { aad: { kind: 'absent' } }, 'aks_azure_rbac_enabled', { status: 'not_applicable' }],
    ['local accounts missing', { disableLocalAccounts: undefined }, 'aks_local_accounts_disabled', fail('high')],
    ['enableRBAC false', { enableRBAC: false }, 'aks_kubernetes_rbac_enabled', fail('critical')],
    ['enableRBAC missing', { enableRBAC: undefined }, 'aks_kubernetes_rbac_enabled', { status: 'unknown' }],
    ['authorized ranges', { api: { ranges: ['203.0.113.0/24'] } }, 'aks_api_server_access_restricted', pass],
    ['0.0.0.0/0 among ranges', { api: { ranges: ['203.0.113.0/24', '0.0.0.0/0'] } }, 'aks_api_server_access_restricted', fail('high')],
    ['empty ranges', { api: { ranges: [] } }, 'aks_api_server_access_restricted', fail('high')],
    ['no API server profile', { api: null }, 'aks_api_server_access_restricted', fail('high')],
  ] as const)('%s', (_name, over, rule, expected) => {
    expect(truthOf(cluster(over as Partial<ClusterSpec>))[rule]).toEqual(expected);
  }); // prettier-ignore
});

describe('ground truth: RBAC subjects', () => {
  const p = (id: string, over: Partial<PrincipalSpec>): PrincipalSpec => ({
    id, kind: 'group', deleted: false, displayName: id, securityEnabled: true, transitiveMemberCount: 3, ...over,
  }); // prettier-ignore
  const principals = [
    p('g-ok', {}),
    p('g-empty', { transitiveMemberCount: 0 }),
    p('g-gone', { deleted: true }),
    p('u-member', { kind: 'user', guest: false }),
    p('u-guest', { kind: 'user', guest: true }),
    p('sp-gone', { kind: 'servicePrincipal', deleted: true }),
  ];
  const c = cluster();
  const id = `/subscriptions/${SUB}/resourceGroups/rg-a/providers/Microsoft.ContainerService/managedClusters/aks-a`;
  const assignment = (principalId: string, principalType: string, roleGuid: string, scope: string) => ({
    name: `${principalId}-${scope.length}`, roleGuid, roleForm: 'tenant' as const, principalId, principalType, scope,
  }); // prettier-ignore
  const CLUSTER_USER = '4abbcc35-e782-43d8-92c5-2d3f1bd2253f';
  const CLUSTER_ADMIN = '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8';
  const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

  test.each([
    ['a user at the cluster', [assignment('u-member', 'User', CLUSTER_USER, id)], [fail('medium'), pass, pass]],
    ['a user at the resource group, ARM casing', [assignment('u-member', 'User', CLUSTER_USER, `/subscriptions/${SUB}/resourcegroups/RG-A`)], [fail('medium'), pass, pass]],
    ['a guest admin through the management group', [assignment('u-guest', 'User', CLUSTER_ADMIN, '/providers/Microsoft.Management/managementGroups/mg-corp')], [fail('medium'), pass, fail('high')]],
    ['a guest with a non-admin role', [assignment('u-guest', 'User', CLUSTER_USER, `/subscriptions/${SUB}`)], [fail('medium'), pass, pass]],
    ['a deleted service principal', [assignment('sp-gone', 'ServicePrincipal', CLUSTER_USER, id)], [pass, fail('low'), pass]],
    ['a deleted user: both rules', [assignment('nobody', 'User', CLUSTER_USER, id)], [fail('medium'), fail('low'), pass]],
    ['other roles do not count', [assignment('u-guest', 'User', READER, id), assignment('nobody', 'User', READER, id)], [pass, pass, pass]],
    ['other resources do not count', [assignment('u-guest', 'User', CLUSTER_ADMIN, `/subscriptions/${SUB}/resourceGroups/rg-a/providers/Microsoft.Storage/storageAccounts/st1`)], [pass, pass, pass]],
    ['another resource group does not cover', [assignment('u-member', 'User', CLUSTER_USER, `/subscriptions/${SUB}/resourceGroups/rg-b`)], [pass, pass, pass]],
    ['a management group outside the chain does not cover', [assignment('u-member', 'User', CLUSTER_USER, '/providers/Microsoft.Management/managementGroups/mg-online')], [pass, pass, pass]],
  ] as const)('%s', (_name, assignments, [groups, orphans, guests]) => {
    const t = truthOf(c, { principals, assignments: [...assignments] });
    expect(t.aks_rbac_bindings_use_groups).toEqual(groups);
    expect(t.aks_rbac_no_orphaned_assignments).toEqual(orphans);
    expect(t.aks_rbac_no_guest_admins).toEqual(guests);
  }); // prettier-ignore

  test.each([
    ['none configured (absent)', undefined, { status: 'not_applicable' }],
    ['null', null, { status: 'not_applicable' }],
    ['empty list', [], { status: 'not_applicable' }],
    ['a valid group', ['g-ok'], pass],
    ['an empty group', ['g-ok', 'g-empty'], fail('low')],
    ['a user', ['u-member', 'g-empty'], fail('medium')],
    ['a deleted group wins', ['g-empty', 'g-gone', 'u-member'], fail('high')],
    ['an ID nobody knows', ['00000000-0000-0000-0000-000000000000'], fail('high')],
  ] as const)('admin groups: %s', (_name, adminGroups, expected) => {
    const t = truthOf(cluster({ aad: { kind: 'managed', azureRBAC: true, adminGroups: adminGroups as string[] | null | undefined } }), { principals }); // prettier-ignore
    expect(t.aks_admin_groups_valid).toEqual(expected);
  });
});
