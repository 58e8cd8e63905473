// The demo's sample fleet: about 60 clusters in five subscriptions and six regions, built from the verbatim example
// bodies, with the variety a real platform team would see (out-of-support versions, LTS on Premium, platform support,
// legacy Entra ID, local accounts, unmanaged node OS patching, stale node images, users bound directly, a deleted
// admin group, a guest admin, private and public API servers) and one cluster whose name and tags are hostile input.
import { cleanKubeSpec } from './inCluster';
import type {
  AadSpec,
  KubeSpec,
  AssignmentSpec,
  ClusterSpec,
  FleetModel,
  PoolSpec,
  PrincipalSpec,
  SubscriptionSpec,
} from './model';
import { Rng } from './random';
import { buildCatalog, catalogPatches, regionVariant } from './catalog';
import { buildFleet, clusterId } from './build';
import { computeTruth, type GroundTruth } from './truth';
import {
  DEFAULT_AS_OF,
  linuxImage,
  REGIONS,
  statsOf,
  windowsImage,
  PREMIUM_TEMPLATE,
  changeModel,
  type GeneratedFleet,
} from './generator';
import type { Fleet } from './types';

const SAMPLE_REGIONS: Record<string, string> = {
  westeurope: 'weu',
  northeurope: 'neu',
  eastus2: 'eus2',
  uksouth: 'uks',
  swedencentral: 'sec',
  westus2: 'wus2',
};

const TEMPLATES = [
  'aks/ManagedClustersGet.2025-10-01.json',
  'aks/ManagedClustersCreate_UpdateWithEnableAzureRBAC.2025-10-01.json',
  'aks/ManagedClustersCreate_PrivateClusterFQDNSubdomain.2025-10-01.json',
  'aks/ManagedClustersCreate_SecurityProfile.2025-10-01.json',
  'aks/ManagedClustersCreate_DisableRunCommand.2025-10-01.json',
  'aks/ManagedClustersCreate_UpdateWindowsGmsa.2025-10-01.json',
];

/** What is special about a sample cluster (none: a compliant cluster). */
type Scenario =
  | 'outOfSupport'
  | 'ancient'
  | 'ltsPremium'
  | 'ltsPremiumEnding'
  | 'platformSupport'
  | 'preview'
  | 'olderPatch'
  | 'eolSoon'
  | 'legacyEntra'
  | 'noEntra'
  | 'noAzureRbac'
  | 'localAccounts'
  | 'unmanagedNodeOs'
  | 'nodeOsNone'
  | 'noAutoUpgrade'
  | 'nodeImageChannel'
  | 'staleImages'
  | 'veryStaleImages'
  | 'unknownImage'
  | 'poolBehind'
  | 'publicApi'
  | 'openRanges'
  | 'userBound'
  | 'userBoundAtResourceGroup'
  | 'deletedAdminGroup'
  | 'userAsAdminGroup'
  | 'emptyAdminGroup'
  | 'guestAdmin'
  | 'orphan'
  | 'rbacOff'
  | 'rbacMissing'
  | 'windows'
  | 'hostile'
  | 'badOwnerTag'
  // Inside the cluster (Kubernetes API):
  | 'k8sUserBound'
  | 'k8sGuestAdmin'
  | 'k8sDeletedUser'
  | 'systemMasters'
  | 'bigClusterAdmins'
  | 'kured'
  | 'staleLock'
  | 'kernelSkew'
  | 'privateNoPath'
  | 'k8sForbidden'
  | 'noClusterUserRole'
  // AKS notifications (containerserviceeventresources):
  | 'notifiedOutOfSupport';

type SubKey = 'paymentsProd' | 'paymentsNonProd' | 'platform' | 'retail' | 'sandbox' | 'fabrikamProd';

// [team, env, region, subscription, scenarios]
const CLUSTERS: [string, string, string, SubKey, Scenario[]][] = [
  ['payments', 'prod', 'westeurope', 'paymentsProd', []],
  ['payments', 'dr', 'northeurope', 'paymentsProd', ['windows']],
  ['payments', 'stg', 'westeurope', 'paymentsNonProd', ['olderPatch']],
  ['payments', 'dev', 'westeurope', 'paymentsNonProd', ['localAccounts', 'publicApi']],
  ['checkout', 'prod', 'westeurope', 'paymentsProd', ['ltsPremium']],
  ['checkout', 'dr', 'northeurope', 'paymentsProd', ['ltsPremiumEnding']],
  ['checkout', 'stg', 'uksouth', 'paymentsNonProd', ['staleImages']],
  ['checkout', 'dev', 'uksouth', 'paymentsNonProd', ['userBound', 'noAutoUpgrade', 'k8sUserBound']],
  ['ledger', 'prod', 'westeurope', 'paymentsProd', ['deletedAdminGroup', 'privateNoPath']],
  ['ledger', 'dr', 'northeurope', 'paymentsProd', []],
  ['ledger', 'stg', 'westeurope', 'paymentsNonProd', ['platformSupport', 'poolBehind']],
  [
    'ledger',
    'dev',
    'westeurope',
    'paymentsNonProd',
    ['outOfSupport', 'unmanagedNodeOs', 'veryStaleImages', 'kured', 'staleLock'],
  ],
  ['fraud', 'prod', 'eastus2', 'paymentsProd', ['guestAdmin', 'k8sGuestAdmin']],
  ['fraud', 'dr', 'westus2', 'paymentsProd', []],
  ['fraud', 'stg', 'eastus2', 'paymentsNonProd', ['eolSoon']],
  ['fraud', 'dev', 'eastus2', 'paymentsNonProd', ['legacyEntra', 'localAccounts']],
  ['identity', 'prod', 'westeurope', 'platform', ['windows']],
  ['identity', 'dr', 'northeurope', 'platform', []],
  ['identity', 'stg', 'westeurope', 'platform', ['userAsAdminGroup']],
  ['identity', 'dev', 'westeurope', 'platform', ['unmanagedNodeOs', 'kured']],
  ['platform', 'prod', 'westeurope', 'platform', []],
  ['platform', 'dr', 'swedencentral', 'platform', ['ltsPremium']],
  ['platform', 'stg', 'swedencentral', 'platform', ['emptyAdminGroup', 'nodeImageChannel', 'bigClusterAdmins']],
  ['platform', 'dev', 'westeurope', 'platform', ['preview']],
  ['observability', 'prod', 'northeurope', 'platform', []],
  ['observability', 'dr', 'westeurope', 'platform', ['orphan', 'k8sDeletedUser']],
  ['observability', 'stg', 'northeurope', 'platform', ['unknownImage']],
  ['observability', 'dev', 'northeurope', 'platform', ['noAzureRbac', 'openRanges', 'noClusterUserRole']],
  ['gateway', 'prod', 'eastus2', 'platform', []],
  ['gateway', 'dr', 'westus2', 'platform', ['olderPatch']],
  ['gateway', 'stg', 'eastus2', 'platform', ['nodeOsNone', 'systemMasters']],
  ['gateway', 'dev', 'eastus2', 'platform', ['noEntra', 'localAccounts', 'publicApi']],
  ['search', 'prod', 'eastus2', 'retail', []],
  ['search', 'dr', 'westus2', 'retail', ['windows']],
  ['search', 'stg', 'eastus2', 'retail', ['userBoundAtResourceGroup']],
  ['search', 'dev', 'eastus2', 'retail', ['rbacMissing', 'badOwnerTag']],
  ['catalog', 'prod', 'eastus2', 'retail', ['staleImages', 'kernelSkew']],
  ['catalog', 'dr', 'westus2', 'retail', []],
  ['catalog', 'stg', 'eastus2', 'retail', ['ancient', 'rbacOff', 'noEntra']],
  ['catalog', 'dev', 'eastus2', 'retail', ['eolSoon', 'noAutoUpgrade']],
  ['orders', 'prod', 'uksouth', 'retail', []],
  ['orders', 'dr', 'westeurope', 'retail', ['poolBehind', 'notifiedOutOfSupport']],
  ['orders', 'stg', 'uksouth', 'retail', ['legacyEntra']],
  ['orders', 'dev', 'uksouth', 'retail', ['hostile', 'localAccounts']],
  ['web', 'prod', 'westeurope', 'retail', []],
  ['web', 'dr', 'northeurope', 'retail', ['publicApi', 'k8sForbidden']],
  ['web', 'stg', 'westeurope', 'retail', ['userBound']],
  ['web', 'dev', 'westeurope', 'retail', ['outOfSupport', 'localAccounts']],
  ['api', 'prod', 'westeurope', 'retail', ['windows']],
  ['api', 'dr', 'northeurope', 'retail', []],
  ['api', 'stg', 'westeurope', 'retail', ['veryStaleImages', 'unmanagedNodeOs', 'kernelSkew']],
  ['api', 'dev', 'westeurope', 'retail', ['platformSupport']],
  ['ml', 'prod', 'swedencentral', 'retail', []],
  ['ml', 'dr', 'westeurope', 'retail', ['orphan', 'openRanges']],
  ['ml', 'dev', 'swedencentral', 'sandbox', ['preview', 'localAccounts']],
  ['ml', 'lab', 'swedencentral', 'sandbox', ['ancient', 'noEntra', 'publicApi']],
  ['data', 'prod', 'northeurope', 'retail', ['ltsPremium']],
  ['data', 'dr', 'westeurope', 'retail', []],
  ['data', 'dev', 'northeurope', 'sandbox', ['noAutoUpgrade', 'staleImages']],
  ['data', 'lab', 'northeurope', 'sandbox', ['outOfSupport', 'rbacOff', 'unknownImage']],
  // A customer's cluster delegated to Contoso through Azure Lighthouse: its principals are in Fabrikam's directory.
  ['fabrikam', 'prod', 'westeurope', 'fabrikamProd', []],
];

/** The Azure Lighthouse customer tenant of the sample fleet, and its delegated cluster. */
export const FABRIKAM_TENANT_ID = '9f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
export const DELEGATED_CLUSTER_NAME = 'aks-fabrikam-prod-weu';
/** The subscription the demo's identity loses Reader on between its two scans (Contoso Sandbox). */
export const READER_LOSS_SUBSCRIPTION = 'e7a5b4c6-9fbc-4a5e-9d7c-6b8faec04c55';

const ROLE = {
  clusterAdmin: '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8',
  clusterUser: '4abbcc35-e782-43d8-92c5-2d3f1bd2253f',
  rbacClusterAdmin: 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
  rbacAdmin: '3498e952-d568-435e-9b2c-8d77e338d7f7',
  rbacWriter: 'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb',
  rbacReader: '7f6c6a51-bcf8-42ba-9220-52d62157d7db',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
};

/** The hostile cluster's name and tags: inert only if every output escapes them. */
export const HOSTILE_NAME = `aks-orders-dev-"<script>alert(1)<script>"-'quoted'`;
export const HOSTILE_TAGS: Record<string, string> = {
  environment: 'dev',
  owner: 'orders-oncall@contoso.com',
  note: '<script>alert(1)</script>',
  formula: "=cmd|' /C calc'!A0",
  'display"name': `it's "quoted" & <b>bold</b>`,
};

/** What the sample cluster's Kubernetes API holds: a team group and a deployment service account, plus its scenarios. */
function sampleKube(
  spec: ClusterSpec,
  has: (s: Scenario) => boolean,
  P: Record<'developers' | 'readers' | 'alice' | 'dana' | 'bob', PrincipalSpec>,
  team: string,
): KubeSpec {
  const kube = cleanKubeSpec();
  kube.bindings.push(
    { kind: 'RoleBinding', name: `${team}-developers-edit`, namespace: team, role: 'edit', subjects: [{ kind: 'Group', name: P.developers.id }] },
    { kind: 'ClusterRoleBinding', name: 'readers-view', role: 'view', subjects: [{ kind: 'Group', name: P.readers.id }] },
    { kind: 'ClusterRoleBinding', name: 'argocd-application-controller', role: 'edit', subjects: [{ kind: 'ServiceAccount', name: 'argocd-application-controller', namespace: 'argocd' }] },
  ); // prettier-ignore
  if (has('k8sUserBound')) {
    kube.bindings.push(
      { kind: 'RoleBinding', name: 'alice-edit', namespace: team, role: 'edit', subjects: [{ kind: 'User', name: P.alice.id }] },
      { kind: 'RoleBinding', name: 'bob-view', namespace: team, role: 'view', subjects: [{ kind: 'User', name: P.bob.userPrincipalName ?? P.bob.id }] },
    ); // prettier-ignore
  }
  if (has('k8sGuestAdmin')) {
    kube.bindings.push({ kind: 'ClusterRoleBinding', name: 'fabrikam-support-admin', role: 'cluster-admin', subjects: [{ kind: 'User', name: P.dana.id }] }); // prettier-ignore
  }
  if (has('k8sDeletedUser')) {
    kube.bindings.push({ kind: 'RoleBinding', name: 'former-sre-admin', namespace: 'monitoring', role: 'admin', subjects: [{ kind: 'User', name: '2c3d4e5f-0099-4b00-9000-000000000099' }] }); // prettier-ignore
  }
  if (has('systemMasters')) {
    kube.bindings.push({ kind: 'ClusterRoleBinding', name: 'legacy-break-glass', role: 'cluster-admin', subjects: [{ kind: 'Group', name: 'system:masters' }] }); // prettier-ignore
  }
  if (has('bigClusterAdmins')) {
    kube.bindings.push({ kind: 'ClusterRoleBinding', name: 'developers-cluster-admin', role: 'cluster-admin', subjects: [{ kind: 'Group', name: P.developers.id }] }); // prettier-ignore
  }
  const linuxNodes = spec.pools
    .filter((p) => p.osType === 'Linux')
    .reduce((n, p) => n + Math.max(1, Math.min(p.count, 4)), 0);
  if (has('kured')) kube.kured = { desired: linuxNodes, ready: linuxNodes };
  if (has('staleLock') && kube.kured)
    kube.kured.lock = { node: `aks-${spec.pools[0].name}-00000000-vmss000001`, ageHours: 52 };
  if (has('kernelSkew')) kube.skewPools = [spec.pools[spec.pools.length - 1].name];
  if (has('privateNoPath')) kube.reach = 'privateNoPath';
  if (has('k8sForbidden')) kube.reach = 'forbidden';
  if (has('noClusterUserRole')) kube.reach = 'noClusterUserRole';
  return kube;
}

/** The demo fleet (issue 7) with its ground truth; `asOf` places node image dates (default 2026-11-27). */
export function sampleFleet(asOf: Date = DEFAULT_AS_OF): GeneratedFleet {
  const rng = new Rng(20261127);
  const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const root = { name: tenantId, displayName: 'Tenant Root Group' };
  const contoso = { name: 'mg-contoso', displayName: 'Contoso' };
  const lz = { name: 'mg-landingzones', displayName: 'Landing Zones' };
  const corp = [{ name: 'mg-corp', displayName: 'Corp' }, lz, contoso, root];
  const subs: Record<SubKey, SubscriptionSpec> = {
    paymentsProd: {
      subscriptionId: 'a3c1f0d2-5b7e-4c1a-9f3e-2d4b6a8c0e11',
      displayName: 'Contoso Payments Prod',
      chain: corp,
    },
    paymentsNonProd: {
      subscriptionId: 'b4d2e1f3-6c8f-4d2b-8a4f-3e5c7b9d1f22',
      displayName: 'Contoso Payments NonProd',
      chain: corp,
    },
    platform: {
      subscriptionId: 'c5e3f2a4-7d9a-4e3c-9b5a-4f6d8cae2a33',
      displayName: 'Contoso Platform Shared',
      chain: [{ name: 'mg-platform', displayName: 'Platform' }, contoso, root],
    },
    retail: {
      subscriptionId: 'd6f4a3b5-8eab-4f4d-8c6b-5a7e9dbf3b44',
      displayName: 'Contoso Online Retail',
      chain: [{ name: 'mg-online', displayName: 'Online' }, lz, contoso, root],
    },
    sandbox: {
      subscriptionId: READER_LOSS_SUBSCRIPTION,
      displayName: 'Contoso Sandbox',
      chain: [{ name: 'mg-sandbox', displayName: 'Sandbox' }, contoso, root],
    },
    fabrikamProd: {
      subscriptionId: 'f8b6c5d7-0a1b-4c2d-8e3f-7a9b0c1d2e66',
      displayName: 'Fabrikam Production (delegated)',
      tenantId: FABRIKAM_TENANT_ID,
      chain: [{ name: FABRIKAM_TENANT_ID, displayName: 'Tenant Root Group' }],
    },
  };
  const catalogs: FleetModel['catalogs'] = {};
  for (const region of Object.keys(SAMPLE_REGIONS))
    catalogs[region] = buildCatalog(regionVariant(REGIONS.indexOf(region)));

  // ---- directory ----------------------------------------------------------------------------------------------------
  const group = (id: string, displayName: string, members: number, deleted = false): PrincipalSpec => ({
    id, kind: 'group', deleted, displayName, securityEnabled: true, transitiveMemberCount: members,
  }); // prettier-ignore
  const user = (id: string, displayName: string, upn: string, guest = false): PrincipalSpec => ({
    id, kind: 'user', deleted: false, guest, displayName, userPrincipalName: upn,
    mail: guest ? 'dana.dubois@fabrikam.com' : upn, accountEnabled: true,
  }); // prettier-ignore
  const sp = (id: string, displayName: string, deleted = false): PrincipalSpec => ({
    id, kind: 'servicePrincipal', deleted, displayName, appId: id.replace(/^./, 'a'),
  }); // prettier-ignore
  const P = {
    adminsPayments: group('1b2c3d4e-0001-4a00-8000-000000000001', 'aks-admins-payments', 4),
    adminsPlatform: group('1b2c3d4e-0002-4a00-8000-000000000002', 'aks-admins-platform', 6),
    adminsRetail: group('1b2c3d4e-0003-4a00-8000-000000000003', 'aks-admins-retail', 3),
    adminsEmpty: group('1b2c3d4e-0004-4a00-8000-000000000004', 'aks-admins-breakglass', 0),
    adminsDeleted: group('1b2c3d4e-0005-4a00-8000-000000000005', 'aks-admins-ledger-old', 5, true),
    developers: group('1b2c3d4e-0006-4a00-8000-000000000006', 'aks-developers', 25),
    readers: group('1b2c3d4e-0007-4a00-8000-000000000007', 'aks-readers', 40),
    alice: user('2c3d4e5f-0001-4b00-9000-000000000001', 'Alice Adams', 'alice.adams@contoso.com'),
    bob: user('2c3d4e5f-0002-4b00-9000-000000000002', 'Bob Berg', 'bob.berg@contoso.com'),
    carol: user('2c3d4e5f-0003-4b00-9000-000000000003', 'Carol Costa', 'carol.costa@contoso.com'),
    dana: user(
      '2c3d4e5f-0004-4b00-9000-000000000004',
      'Dana Dubois (Fabrikam)',
      'dana.dubois_fabrikam.com#EXT#@contoso.onmicrosoft.com',
      true,
    ),
    ghActions: sp('3d4e5f6a-0001-4c00-a000-000000000001', 'github-actions-payments'),
    argocd: sp('3d4e5f6a-0002-4c00-a000-000000000002', 'argocd-platform'),
    ado: sp('3d4e5f6a-0003-4c00-a000-000000000003', 'azure-devops-retail'),
    oldPipeline: sp('3d4e5f6a-0004-4c00-a000-000000000004', 'sp-old-release-pipeline', true),
  };
  // Fabrikam's own principals: in its directory, not Contoso's.
  const F = {
    admins: group('8e7d6c5b-0001-4f00-9000-00000000fa01', 'fabrikam-aks-admins', 2),
    deployer: sp('8e7d6c5b-0002-4f00-9000-00000000fa02', 'fabrikam-release-pipeline'),
  };
  const adminGroupFor: Record<SubKey, PrincipalSpec> = {
    paymentsProd: P.adminsPayments,
    paymentsNonProd: P.adminsPayments,
    platform: P.adminsPlatform,
    retail: P.adminsRetail,
    sandbox: P.developers,
    fabrikamProd: F.admins,
  };

  // ---- clusters -----------------------------------------------------------------------------------------------------
  const clusters: ClusterSpec[] = [];
  const clusterAssignments: { c: ClusterSpec; p: PrincipalSpec; role: string; scope: 'cluster' | 'rg' }[] = [];
  CLUSTERS.forEach(([team, env, region, subKey, scenarios], index) => {
    const has = (s: Scenario) => scenarios.includes(s);
    const catalog = catalogs[region];
    const newest = (minor: string) => catalogPatches(catalog, minor).pop() ?? `${minor}.0`;
    let version = newest(index % 3 === 0 ? '1.36' : '1.35');
    let tier: ClusterSpec['tier'] =
      env === 'prod' || env === 'dr' ? 'Standard' : rng.pick(['Free', 'Standard'] as const);
    let supportPlan: ClusterSpec['supportPlan'] = 'KubernetesOfficial';
    if (has('outOfSupport')) version = rng.pick(['1.29.14', '1.30.10', '1.28.15']);
    if (has('ancient')) version = '1.26.10';
    if (has('ltsPremium') || has('ltsPremiumEnding')) {
      tier = 'Premium';
      supportPlan = 'AKSLongTermSupport';
      version = has('ltsPremiumEnding') ? newest('1.31') : newest('1.32');
    }
    if (has('platformSupport')) version = newest('1.33');
    if (has('preview')) version = '1.37.0';
    if (has('olderPatch')) version = catalogPatches(catalog, '1.35')[1];
    if (has('eolSoon')) version = newest('1.34');

    const age = (min: number, max: number) => rng.between(min, max);
    const pools: PoolSpec[] = [
      { name: 'system', mode: 'System', osType: 'Linux', version, versionAlias: false, count: 3, vmSize: 'Standard_D4s_v5', image: linuxImage(rng, asOf, age(2, 20)) },
      { name: 'apps', mode: 'User', osType: 'Linux', version, versionAlias: index % 4 === 0, count: rng.between(3, 12), vmSize: 'Standard_D8s_v5', image: linuxImage(rng, asOf, age(2, 20)) },
    ]; // prettier-ignore
    if (has('windows')) {
      pools.push({ name: 'win1', mode: 'User', osType: 'Windows', version, versionAlias: false, count: 2, vmSize: 'Standard_D4s_v5', image: windowsImage(rng, asOf, age(4, 18)) }); // prettier-ignore
    }
    if (has('poolBehind')) {
      const [maj, min] = version.split('.').map(Number);
      pools[1].version = newest(`${maj}.${min - 1}`);
    }
    if (has('staleImages')) pools[1].image = linuxImage(rng, asOf, age(40, 80));
    if (has('veryStaleImages')) pools[0].image = linuxImage(rng, asOf, age(120, 200));
    if (has('unknownImage')) pools[1].image = { kind: 'unrecognised', value: 'AKSUbuntu:1604:2020.03.11' };

    const adminGroups: string[] = [adminGroupFor[subKey].id];
    if (has('deletedAdminGroup')) adminGroups.push(P.adminsDeleted.id);
    if (has('userAsAdminGroup')) adminGroups.splice(0, 1, P.carol.id);
    if (has('emptyAdminGroup')) adminGroups.push(P.adminsEmpty.id);
    let aad: AadSpec = { kind: 'managed', azureRBAC: true, adminGroups };
    if (has('noAzureRbac')) aad = { kind: 'managed', azureRBAC: false, adminGroups };
    if (has('legacyEntra')) aad = { kind: 'legacy', managedField: undefined };
    if (has('noEntra')) aad = { kind: 'absent' };

    const nodeOSUpgradeChannel = has('unmanagedNodeOs') ? 'Unmanaged' : has('nodeOsNone') ? 'None' : 'NodeImage';
    const upgradeChannel = has('noAutoUpgrade')
      ? 'none'
      : has('nodeImageChannel')
        ? 'node-image'
        : env === 'prod'
          ? 'stable'
          : 'patch';
    const short = SAMPLE_REGIONS[region];
    const name = has('hostile') ? HOSTILE_NAME : `aks-${team}-${env}-${short}`;
    const tags: Record<string, string> = has('hostile')
      ? { ...HOSTILE_TAGS }
      : {
          environment: env,
          team,
          owner: has('badOwnerTag') ? `${team} team` : `${team}-oncall@contoso.com`,
          costCenter: `cc-${1000 + index}`,
        };
    const spec: ClusterSpec = {
      template: supportPlan === 'AKSLongTermSupport' ? PREMIUM_TEMPLATE : TEMPLATES[index % TEMPLATES.length],
      subscriptionId: subs[subKey].subscriptionId,
      resourceGroup: `rg-${team}-${env}`,
      name,
      location: region,
      tags,
      tier,
      supportPlan,
      version,
      versionAlias: index % 5 === 0,
      pools,
      aad,
      enableRBAC: has('rbacOff') ? false : has('rbacMissing') ? undefined : true,
      disableLocalAccounts: has('localAccounts') ? false : true,
      api: has('publicApi')
        ? null
        : has('openRanges')
          ? { ranges: ['0.0.0.0/0'] }
          : env === 'prod' || env === 'dr' || index % 2 === 0
            ? { private: true }
            : { ranges: ['203.0.113.0/24', '198.51.100.7/32'] },
      autoUpgrade: { upgradeChannel, nodeOSUpgradeChannel: upgradeChannel === 'node-image' ? undefined : nodeOSUpgradeChannel },
      fqdnHash: rng.hex(8),
    }; // prettier-ignore
    spec.kube = sampleKube(spec, has, P, team);
    const minor = version.split('.').slice(0, 2).join('.');
    if (has('outOfSupport') || has('ancient') || has('notifiedOutOfSupport'))
      spec.events = [{ eventType: 'KubernetesVersionOutOfSupport', minor, daysAgo: 9 }];
    if (has('eolSoon')) spec.events = [{ eventType: 'KubernetesVersionEOLTwoWeeks', minor, daysAgo: 3 }];
    clusters.push(spec);
    if (has('userBound')) {
      clusterAssignments.push({ c: spec, p: P.alice, role: ROLE.clusterUser, scope: 'cluster' });
      clusterAssignments.push({ c: spec, p: P.carol, role: ROLE.rbacWriter, scope: 'cluster' });
    }
    if (has('userBoundAtResourceGroup'))
      clusterAssignments.push({ c: spec, p: P.bob, role: ROLE.rbacAdmin, scope: 'rg' });
    if (has('guestAdmin')) clusterAssignments.push({ c: spec, p: P.dana, role: ROLE.clusterAdmin, scope: 'cluster' });
    if (has('orphan')) clusterAssignments.push({ c: spec, p: P.oldPipeline, role: ROLE.contributor, scope: 'cluster' });
    // Every cluster: its team's deployment identity at cluster scope.
    const deployer =
      subKey === 'fabrikamProd'
        ? F.deployer
        : subKey.startsWith('payments')
          ? P.ghActions
          : subKey === 'platform'
            ? P.argocd
            : P.ado;
    clusterAssignments.push({ c: spec, p: deployer, role: ROLE.rbacWriter, scope: 'cluster' });
  });

  // ---- role assignments ---------------------------------------------------------------------------------------------
  const assignments: AssignmentSpec[] = [];
  const add = (p: PrincipalSpec, roleGuid: string, scope: string, roleForm: AssignmentSpec['roleForm'] = 'tenant') =>
    assignments.push({
      name: rng.guid(),
      roleGuid,
      roleForm,
      principalId: p.id,
      principalType: p.kind === 'user' ? 'User' : p.kind === 'group' ? 'Group' : 'ServicePrincipal',
      scope,
    });
  const subScope = (k: SubKey) => `/subscriptions/${subs[k].subscriptionId}`;
  add(P.readers, ROLE.rbacReader, '/providers/Microsoft.Management/managementGroups/mg-contoso');
  add(P.developers, ROLE.rbacWriter, '/providers/Microsoft.Management/managementGroups/mg-sandbox');
  add(P.adminsPayments, ROLE.rbacClusterAdmin, subScope('paymentsProd'), 'subscription');
  add(P.adminsPayments, ROLE.rbacClusterAdmin, subScope('paymentsNonProd'));
  add(P.adminsPlatform, ROLE.rbacClusterAdmin, subScope('platform'));
  add(P.adminsRetail, ROLE.rbacClusterAdmin, subScope('retail'), 'subscription');
  add(
    P.developers,
    ROLE.clusterUser,
    subScope('paymentsNonProd').toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'),
  );
  for (const { c, p, role, scope } of clusterAssignments) {
    const s =
      scope === 'cluster'
        ? clusterId(c)
        : `/subscriptions/${c.subscriptionId}/resourcegroups/${c.resourceGroup.toUpperCase()}`;
    add(p, role, s, rng.chance(0.3) ? 'subscription' : 'tenant');
  }
  // Irrelevant to the RBAC rules: other roles, and AKS roles on resources that are not clusters.
  add(P.dana, ROLE.reader, subScope('retail'));
  add(P.alice, ROLE.reader, subScope('paymentsProd'));
  add(
    P.oldPipeline,
    ROLE.storageBlobDataContributor,
    `${subScope('platform')}/resourceGroups/rg-platform-prod/providers/Microsoft.Storage/storageAccounts/stplatformprodlogs`,
  );
  add(
    P.alice,
    ROLE.clusterAdmin,
    `${subScope('paymentsProd')}/resourceGroups/rg-payments-prod/providers/Microsoft.Storage/storageAccounts/stpaymentsprod`,
  );
  add(P.dana, ROLE.contributor, `${subScope('retail')}/resourceGroups/rg-web-prod/providers/Microsoft.KeyVault/vaults/kv-web-prod`); // prettier-ignore
  // Principals this directory does not hold (documented principalType values): a group of a partner tenant and a
  // device. They are never looked up, so never "orphaned".
  const platformProd = clusters.find((c) => c.name === 'aks-platform-prod-weu')!;
  assignments.push(
    { name: rng.guid(), roleGuid: ROLE.rbacReader, roleForm: 'tenant', principalId: '5e6f7a8b-0001-4d00-b000-000000000001', principalType: 'ForeignGroup', scope: clusterId(platformProd) },
    { name: rng.guid(), roleGuid: ROLE.clusterUser, roleForm: 'tenant', principalId: '5e6f7a8b-0002-4d00-b000-000000000002', principalType: 'Device', scope: `/subscriptions/${platformProd.subscriptionId}/resourceGroups/${platformProd.resourceGroup}` },
  ); // prettier-ignore

  const model: FleetModel = {
    asOf,
    tenantId,
    subscriptions: Object.values(subs),
    clusters,
    catalogs,
    principals: Object.values(P),
    assignments,
    forbiddenSubscriptions: [],
    otherTenants: [{ tenantId: FABRIKAM_TENANT_ID, displayName: 'Fabrikam', principals: Object.values(F) }],
  };
  const fleet: Fleet = buildFleet(model);
  const truth: GroundTruth = computeTruth(model, asOf);
  return { fleet, truth, model, stats: statsOf(model, fleet, truth) };
}

/**
 * The sample fleet after its identity lost Reader on Contoso Sandbox (the demo's second scan): Resource Graph leaves
 * the subscription out; the ground truth still lists its clusters.
 */
export function afterReaderLoss(generated: GeneratedFleet): GeneratedFleet {
  return changeModel(generated, (model) => {
    model.forbiddenSubscriptions = [READER_LOSS_SUBSCRIPTION];
  });
}
