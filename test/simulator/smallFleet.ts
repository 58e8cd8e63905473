// A small deterministic fleet for the simulator's own conformance tests (the full generator lives in sim/fleet).
import type {
  ArmManagedCluster,
  ArmRoleAssignment,
  DirectoryEntry,
  Fleet,
  FleetSubscription,
} from '../../sim/fleet/types';
import type { KubernetesVersionWire } from '../../src/model';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

function guid(kind: number, n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

export function subscriptionId(n: number): string {
  return guid(0x5ab, n);
}

export function principalId(n: number): string {
  return guid(0x9e, n);
}

export const CATALOG: { values: KubernetesVersionWire[] } = {
  values: [
    {
      version: '1.30',
      capabilities: { supportPlan: ['KubernetesOfficial', 'AKSLongTermSupport'] },
      patchVersions: { '1.30.9': { upgrades: ['1.30.10', '1.31.5'] }, '1.30.10': { upgrades: ['1.31.5'] } },
    },
    {
      version: '1.31',
      capabilities: { supportPlan: ['KubernetesOfficial'] },
      patchVersions: { '1.31.5': { upgrades: ['1.32.2'] } },
    },
    {
      version: '1.32',
      isDefault: true,
      capabilities: { supportPlan: ['KubernetesOfficial'] },
      patchVersions: { '1.32.2': { upgrades: [] } },
    },
    {
      version: '1.33',
      isPreview: true,
      capabilities: { supportPlan: ['KubernetesOfficial'] },
      patchVersions: { '1.33.0': { upgrades: [] } },
    },
  ],
};

export interface SmallFleetOptions {
  clusters: number;
  subscriptions?: number;
  principals?: number;
  locations?: string[];
}

export function smallFleet(options: SmallFleetOptions): Fleet {
  const subCount = options.subscriptions ?? 10;
  const locations = options.locations ?? ['westeurope', 'eastus', 'japaneast'];
  const subscriptions: FleetSubscription[] = [];
  for (let s = 0; s < subCount; s++) {
    subscriptions.push({
      subscriptionId: subscriptionId(s),
      displayName: `sub-${s}`,
      tenantId: TENANT,
      managementGroupAncestorsChain: [
        { name: s % 2 === 0 ? 'mg-prod' : 'mg-dev', displayName: s % 2 === 0 ? 'Production' : 'Development' },
        { name: 'mg-platform', displayName: 'Platform' },
        { name: TENANT, displayName: 'Tenant Root Group' },
      ],
    });
  }
  const clusters: ArmManagedCluster[] = [];
  for (let i = 0; i < options.clusters; i++) {
    const sub = subscriptions[i % subCount].subscriptionId;
    const rg = `RG-${i % 7}`;
    const name = `aks-${String(i).padStart(5, '0')}`;
    const location = locations[i % locations.length];
    const properties: Record<string, unknown> = {
      kubernetesVersion: i % 3 === 0 ? '1.30' : '1.31.5',
      currentKubernetesVersion: i % 3 === 0 ? '1.30.9' : '1.31.5',
      provisioningState: 'Succeeded',
      enableRBAC: true,
      agentPoolProfiles: [
        {
          name: 'system',
          mode: 'System',
          osType: 'Linux',
          orchestratorVersion: '1.31.5',
          nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202410.15.0',
        },
      ],
      // Some clusters lack properties entirely: the projection must still carry them as null.
      ...(i % 4 === 0
        ? {}
        : { aadProfile: { managed: true, enableAzureRBAC: i % 8 === 1, adminGroupObjectIDs: [principalId(i % 50)] } }),
      ...(i % 5 === 0 ? {} : { autoUpgradeProfile: { upgradeChannel: 'patch', nodeOSUpgradeChannel: 'NodeImage' } }),
      disableLocalAccounts: i % 2 === 0,
    };
    clusters.push({
      id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`,
      name,
      type: 'Microsoft.ContainerService/ManagedClusters',
      location,
      tags: i % 6 === 0 ? undefined : { owner: `team${i % 4}@contoso.com` },
      sku: { name: 'Base', tier: i % 10 === 0 ? 'Premium' : 'Standard' },
      properties,
    });
  }
  const directory: DirectoryEntry[] = [];
  const principals = options.principals ?? 60;
  for (let p = 0; p < principals; p++) {
    if (p % 3 === 0) {
      directory.push({
        '@odata.type': '#microsoft.graph.group',
        id: principalId(p),
        displayName: `Group ${p}`,
        securityEnabled: true,
        isAssignableToRole: false,
        transitiveMemberCount: p % 9 === 0 ? 0 : p,
      });
    } else {
      directory.push({
        '@odata.type': '#microsoft.graph.user',
        id: principalId(p),
        displayName: `User ${p}`,
        userPrincipalName: `user${p}@contoso.com`,
        userType: p % 7 === 0 ? 'Guest' : 'Member',
        accountEnabled: true,
        mail: `user${p}@contoso.com`,
      });
    }
  }
  const roleAssignments: ArmRoleAssignment[] = [];
  const roles = [
    'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
    '4abbcc35-e782-43d8-92c5-2d3f1bd2253f',
    'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  ];
  for (let a = 0; a < Math.min(clusters.length, 300); a++) {
    const cluster = clusters[a];
    const sub = cluster.id.split('/')[2];
    const scopes = [
      cluster.id,
      `/subscriptions/${sub}`,
      `/subscriptions/${sub}/resourceGroups/RG-1/providers/Microsoft.Storage/storageAccounts/st${a}`,
      '/providers/Microsoft.Management/managementGroups/mg-prod',
    ];
    const scope = scopes[a % scopes.length];
    const role = roles[a % roles.length];
    const name = guid(0xa5, a);
    roleAssignments.push({
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: {
        roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${role.toUpperCase()}`,
        principalId: principalId(a % principals),
        principalType: a % 3 === 0 ? 'Group' : 'User',
        scope,
      },
    });
  }
  return {
    tenantId: TENANT,
    subscriptions,
    clusters,
    kubernetesVersions: Object.fromEntries(locations.map((l) => [l, CATALOG])),
    latestNodeImageVersions: { 'westeurope/AKSUbuntu-2204gen2containerd': 'AKSUbuntu-2204gen2containerd-202411.12.0' },
    roleAssignments,
    directory,
  };
}
