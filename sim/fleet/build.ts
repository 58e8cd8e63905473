// Turning the generator's choices (FleetModel) into wire data (Fleet): clusters are deep clones of the verbatim
// ManagedClusters example bodies with only the fields below changed, so every other field keeps its real shape.
import type { ArmManagedCluster, ArmRoleAssignment, DirectoryEntry, Fleet, KubeWire } from './types';
import { cleanKubeSpec } from './inCluster';
import { eventRows } from './events';
import type { ClusterSpec, FleetModel, ImageSpec, PoolSpec, PrincipalSpec, AssignmentSpec } from './model';
import { managedClusterExamples, roleAssignmentExample } from './fixtures';
import { LATEST_NODE_IMAGES } from './catalog';
import { minorOf } from './truth';

/** Top-level fields of a cluster body the generator sets; everything else is the template's, untouched. */
export const CHANGED_CLUSTER_FIELDS = ['id', 'name', 'location', 'tags', 'sku'] as const;
/** `properties` fields the generator sets (or removes); every other property is the template's, untouched. */
export const CHANGED_CLUSTER_PROPERTIES = [
  'kubernetesVersion',
  'currentKubernetesVersion',
  'supportPlan',
  'agentPoolProfiles',
  'aadProfile',
  'enableRBAC',
  'disableLocalAccounts',
  'apiServerAccessProfile',
  'autoUpgradeProfile',
  'dnsPrefix',
  'fqdn',
  'azurePortalFQDN',
  'privateFQDN',
  'nodeResourceGroup',
] as const;

interface Template {
  file: string;
  text: string;
  poolText: string;
  /** `resourceGroups` or `resourcegroups`, as the example spells its ID. */
  rgSegment: string;
  hasCurrentVersion: boolean;
}

let templates: Map<string, Template> | undefined;

/** The cluster templates (verbatim example bodies), by fixture file. */
export function clusterTemplates(): Map<string, Template> {
  if (!templates) {
    templates = new Map();
    for (const { file, body } of managedClusterExamples()) {
      const props = body.properties as Record<string, unknown>;
      const pools = props.agentPoolProfiles as unknown[];
      const rgSegment = /\/(resourcegroups)\//i.exec(String(body.id))?.[1] ?? 'resourceGroups';
      templates.set(file, {
        file,
        text: JSON.stringify(body),
        poolText: JSON.stringify(pools[0]),
        rgSegment,
        hasCurrentVersion: 'currentKubernetesVersion' in props,
      });
    }
  }
  return templates;
}

export function templateFiles(): string[] {
  return [...clusterTemplates().keys()];
}

export function clusterId(spec: ClusterSpec): string {
  const t = templateOf(spec);
  return `/subscriptions/${spec.subscriptionId}/${t.rgSegment}/${spec.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${spec.name}`;
}

function templateOf(spec: ClusterSpec): Template {
  const t = clusterTemplates().get(spec.template);
  if (!t) throw new Error(`unknown cluster template ${spec.template}`);
  return t;
}

export function imageVersion(image: ImageSpec): string | undefined {
  switch (image.kind) {
    case 'linux': {
      const [y, m, d] = image.date.split('-');
      return `${image.family}-${y}${m}.${d}.${image.rev}`;
    }
    case 'windows': {
      const [y, m, d] = image.date.split('-');
      return `${image.family}-${image.build}.${y.slice(2)}${m}${d}`;
    }
    case 'unrecognised':
      return image.value;
    case 'missing':
      return undefined;
  }
}

function buildPool(t: Template, pool: PoolSpec): Record<string, unknown> {
  const p = JSON.parse(t.poolText) as Record<string, unknown>;
  p.name = pool.name;
  p.count = pool.count;
  p.vmSize = pool.vmSize;
  p.mode = pool.mode;
  p.osType = pool.osType;
  if (pool.osType === 'Windows') {
    p.osSKU = pool.image.kind === 'windows' && pool.image.family.includes('2019') ? 'Windows2019' : 'Windows2022';
  }
  p.orchestratorVersion = pool.versionAlias ? minorOf(pool.version) : pool.version;
  p.currentOrchestratorVersion = pool.version;
  const image = imageVersion(pool.image);
  if (image === undefined) delete p.nodeImageVersion;
  else p.nodeImageVersion = image;
  return p;
}

/** One cluster body, in ARM GET wire form. */
export function buildCluster(spec: ClusterSpec, tenantId: string): ArmManagedCluster {
  const t = templateOf(spec);
  const b = JSON.parse(t.text) as ArmManagedCluster & Record<string, unknown>;
  const p = b.properties;
  b.id = clusterId(spec);
  b.name = spec.name;
  b.location = spec.location;
  b.tags = { ...spec.tags };
  if (spec.tier) b.sku = { name: 'Base', tier: spec.tier };
  else delete b.sku;

  if (t.hasCurrentVersion) {
    p.currentKubernetesVersion = spec.version;
    p.kubernetesVersion = spec.versionAlias ? minorOf(spec.version) : spec.version;
  } else {
    p.kubernetesVersion = spec.version;
  }
  if (spec.supportPlan) p.supportPlan = spec.supportPlan;
  else delete p.supportPlan;
  p.agentPoolProfiles = spec.pools.map((pool) => buildPool(t, pool));

  const aad = spec.aad;
  if (aad.kind === 'absent') delete p.aadProfile;
  else if (aad.kind === 'managed') {
    const profile: Record<string, unknown> = { managed: true };
    if (aad.adminGroups !== undefined) profile.adminGroupObjectIDs = aad.adminGroups;
    if (aad.azureRBAC !== undefined) profile.enableAzureRBAC = aad.azureRBAC;
    profile.tenantID = tenantId;
    p.aadProfile = profile;
  } else {
    const profile: Record<string, unknown> = {
      clientAppID: `${spec.fqdnHash}-0000-4000-8000-00000000c11e`,
      serverAppID: `${spec.fqdnHash}-0000-4000-8000-000000005e7e`,
      tenantID: tenantId,
    };
    if (aad.managedField === false) profile.managed = false;
    p.aadProfile = profile;
  }

  if (spec.enableRBAC === undefined) delete p.enableRBAC;
  else p.enableRBAC = spec.enableRBAC;
  if (spec.disableLocalAccounts === undefined) delete p.disableLocalAccounts;
  else p.disableLocalAccounts = spec.disableLocalAccounts;

  // Keep the template's unrelated API server settings (disableRunCommand), replace the access ones.
  const templateApi = (p.apiServerAccessProfile ?? {}) as Record<string, unknown>;
  const api: Record<string, unknown> = {};
  if (templateApi.disableRunCommand !== undefined) api.disableRunCommand = templateApi.disableRunCommand;
  if (spec.api?.private) {
    api.enablePrivateCluster = true;
    api.privateDNSZone = 'system';
  }
  if (spec.api?.ranges !== undefined) api.authorizedIPRanges = [...spec.api.ranges];
  if (Object.keys(api).length > 0) p.apiServerAccessProfile = api;
  else delete p.apiServerAccessProfile;

  if (spec.autoUpgrade === undefined) delete p.autoUpgradeProfile;
  else {
    const profile: Record<string, unknown> = {};
    if (spec.autoUpgrade.upgradeChannel !== undefined) profile.upgradeChannel = spec.autoUpgrade.upgradeChannel;
    if (spec.autoUpgrade.nodeOSUpgradeChannel !== undefined) {
      profile.nodeOSUpgradeChannel = spec.autoUpgrade.nodeOSUpgradeChannel;
    }
    p.autoUpgradeProfile = profile;
  }

  const dnsName = spec.name.replace(/[^A-Za-z0-9-]/g, '').slice(0, 40) || 'aks';
  if ('dnsPrefix' in p) p.dnsPrefix = `${dnsName}-dns`;
  if ('fqdn' in p) p.fqdn = `${dnsName}-dns-${spec.fqdnHash}.hcp.${spec.location}.azmk8s.io`;
  if ('azurePortalFQDN' in p)
    p.azurePortalFQDN = `${dnsName}-dns-${spec.fqdnHash}.portal.hcp.${spec.location}.azmk8s.io`;
  if ('privateFQDN' in p || spec.api?.private) {
    if (spec.api?.private) p.privateFQDN = `${dnsName}-dns-${spec.fqdnHash}.privatelink.${spec.location}.azmk8s.io`;
    else delete p.privateFQDN;
  }
  if ('nodeResourceGroup' in p) p.nodeResourceGroup = `MC_${spec.resourceGroup}_${spec.name}_${spec.location}`;
  return b;
}

export function roleDefinitionId(a: AssignmentSpec, subscriptionId: string | undefined): string {
  return a.roleForm === 'subscription' && subscriptionId
    ? `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${a.roleGuid}`
    : `/providers/Microsoft.Authorization/roleDefinitions/${a.roleGuid}`;
}

let assignmentTemplate: string | undefined;

export function buildAssignment(a: AssignmentSpec): ArmRoleAssignment {
  assignmentTemplate ??= JSON.stringify(roleAssignmentExample());
  const r = JSON.parse(assignmentTemplate) as ArmRoleAssignment;
  const sub = /^\/subscriptions\/([^/]+)/i.exec(a.scope)?.[1];
  r.id = `${a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`;
  r.name = a.name;
  r.properties.roleDefinitionId = roleDefinitionId(a, sub);
  r.properties.principalId = a.principalId;
  r.properties.principalType = a.principalType;
  r.properties.scope = a.scope;
  return r;
}

export function buildDirectoryEntry(p: PrincipalSpec): DirectoryEntry {
  switch (p.kind) {
    case 'user':
      return {
        '@odata.type': '#microsoft.graph.user',
        id: p.id,
        displayName: p.displayName,
        userPrincipalName: p.userPrincipalName ?? null,
        userType: p.guest ? 'Guest' : 'Member',
        accountEnabled: p.accountEnabled ?? true,
        mail: p.mail ?? null,
      };
    case 'group':
      return {
        '@odata.type': '#microsoft.graph.group',
        id: p.id,
        displayName: p.displayName,
        securityEnabled: p.securityEnabled ?? true,
        mailEnabled: p.securityEnabled === false,
        isAssignableToRole: false,
        mail: p.mail ?? null,
        transitiveMemberCount: p.transitiveMemberCount ?? 0,
      };
    case 'servicePrincipal':
      return {
        '@odata.type': '#microsoft.graph.servicePrincipal',
        id: p.id,
        displayName: p.displayName,
        accountEnabled: p.accountEnabled ?? true,
        appId: p.appId ?? null,
        servicePrincipalType: 'Application',
      };
  }
}

/** Every image family present in the fleet's pools, with the newest version, per location. */
function latestImages(model: FleetModel): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of model.clusters) {
    for (const pool of c.pools) {
      if (pool.image.kind !== 'linux' && pool.image.kind !== 'windows') continue;
      const latest = LATEST_NODE_IMAGES[pool.image.family];
      if (latest) out[`${c.location}/${pool.image.family}`] = latest;
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Every cluster's Kubernetes API server contents (built into objects only when the simulator serves them). */
function kubeWires(model: FleetModel): Record<string, KubeWire> {
  const out: Record<string, KubeWire> = {};
  const asOf = model.asOf.toISOString();
  for (const c of model.clusters) {
    const spec = c.kube ?? cleanKubeSpec();
    out[clusterId(c)] = {
      reach: spec.reach,
      spec,
      pools: c.pools.map((p) => ({
        name: p.name,
        osType: p.osType,
        count: p.count,
        image: imageVersion(p.image) ?? '',
      })),
      asOf,
    };
  }
  return out;
}

export function buildFleet(model: FleetModel): Fleet {
  const kubernetesVersions: Fleet['kubernetesVersions'] = {};
  for (const [location, catalog] of Object.entries(model.catalogs)) {
    if (catalog) kubernetesVersions[location] = catalog;
  }
  const tenantOf = new Map(
    model.subscriptions.map((s) => [s.subscriptionId.toLowerCase(), s.tenantId ?? model.tenantId]),
  );
  const fleet: Fleet = {
    tenantId: model.tenantId,
    subscriptions: model.subscriptions.map((s) => ({
      subscriptionId: s.subscriptionId,
      displayName: s.displayName,
      tenantId: s.tenantId ?? model.tenantId,
      managementGroupAncestorsChain: s.chain.map((m) => ({ ...m })),
    })),
    // A delegated (Lighthouse) cluster is integrated with its own tenant's Entra ID.
    clusters: model.clusters.map((c) =>
      buildCluster(c, tenantOf.get(c.subscriptionId.toLowerCase()) ?? model.tenantId),
    ),
    kubernetesVersions,
    latestNodeImageVersions: latestImages(model),
    roleAssignments: model.assignments.map(buildAssignment),
    directory: model.principals.filter((p) => !p.deleted).map(buildDirectoryEntry),
    kube: kubeWires(model),
    containerServiceEvents: model.clusters.flatMap((c) => eventRows(clusterId(c), c, model.asOf)),
  };
  if (model.forbiddenSubscriptions.length > 0) fleet.forbiddenSubscriptions = [...model.forbiddenSubscriptions];
  if (model.otherTenants?.length) {
    fleet.otherTenants = model.otherTenants.map((t) => ({
      tenantId: t.tenantId,
      displayName: t.displayName,
      directory: t.principals.filter((p) => !p.deleted).map(buildDirectoryEntry),
      ...(t.scannerConsented ? { scannerConsented: true } : {}),
    }));
  }
  return fleet;
}
