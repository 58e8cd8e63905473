// Every Resource Graph (KQL) query the product sends lives here, so that one test can parse them all and the
// simulator can recognise them. The queries are constants: scope travels in the request body, never in the text.

/** AKS-access role definition GUIDs (contract): matched on the trailing GUID of roleDefinitionId. */
export const AKS_ACCESS_ROLES = {
  '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8': { name: 'Azure Kubernetes Service Cluster Admin Role', admin: true },
  '4abbcc35-e782-43d8-92c5-2d3f1bd2253f': { name: 'Azure Kubernetes Service Cluster User Role', admin: false },
  'ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8': { name: 'Azure Kubernetes Service Contributor Role', admin: true },
  'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b': { name: 'Azure Kubernetes Service RBAC Cluster Admin', admin: true },
  '3498e952-d568-435e-9b2c-8d77e338d7f7': { name: 'Azure Kubernetes Service RBAC Admin', admin: true },
  'a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb': { name: 'Azure Kubernetes Service RBAC Writer', admin: false },
  '7f6c6a51-bcf8-42ba-9220-52d62157d7db': { name: 'Azure Kubernetes Service RBAC Reader', admin: false },
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': { name: 'Owner', admin: true },
  'b24988ac-6180-42a0-ab88-20f7382dd24c': { name: 'Contributor', admin: true },
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': { name: 'User Access Administrator', admin: true },
  'f58310d9-a9f6-439a-9e8d-f62e7b41a168': { name: 'Role Based Access Control Administrator', admin: true },
} as const satisfies Record<string, { name: string; admin: boolean }>;

const roleGuidList = Object.keys(AKS_ACCESS_ROLES)
  .map((guid) => `'${guid}'`)
  .join(', ');

/** Managed clusters, projected to what the rules read (ARM wire names kept inside `properties`). */
export const CLUSTERS_QUERY = `resources
| where type =~ 'microsoft.containerservice/managedclusters'
| project id, name, type, location, resourceGroup, subscriptionId, tenantId, sku, tags,
    properties = pack(
        'kubernetesVersion', properties.kubernetesVersion,
        'currentKubernetesVersion', properties.currentKubernetesVersion,
        'provisioningState', properties.provisioningState,
        'powerState', properties.powerState,
        'supportPlan', properties.supportPlan,
        'enableRBAC', properties.enableRBAC,
        'aadProfile', properties.aadProfile,
        'disableLocalAccounts', properties.disableLocalAccounts,
        'apiServerAccessProfile', properties.apiServerAccessProfile,
        'autoUpgradeProfile', properties.autoUpgradeProfile,
        'agentPoolProfiles', properties.agentPoolProfiles)
| order by id asc`;

/**
 * Role assignments of the AKS-access roles at scopes that can cover a cluster: a management group, a subscription,
 * a resource group, or a managed cluster (and its sub-scopes). Assignments on other resources never travel.
 */
export const ROLE_ASSIGNMENTS_QUERY = `authorizationresources
| where type =~ 'microsoft.authorization/roleassignments'
| extend roleDefinitionId = tolower(tostring(properties.roleDefinitionId)), scope = tolower(tostring(properties.scope))
| extend roleGuid = tostring(split(roleDefinitionId, '/')[-1])
| where roleGuid in (${roleGuidList})
| where scope !contains '/providers/'
    or scope contains '/providers/microsoft.containerservice/managedclusters/'
    or scope startswith '/providers/microsoft.management/managementgroups/'
| project id, principalId = tostring(properties.principalId), principalType = tostring(properties.principalType),
    roleDefinitionId, scope
| order by id asc`;

/** Each subscription's management-group ancestors, nearest first, to resolve management-group-scope assignments. */
export const SUBSCRIPTION_CHAINS_QUERY = `resourcecontainers
| where type =~ 'microsoft.resources/subscriptions'
| project id, subscriptionId, name, managementGroupAncestorsChain = properties.managementGroupAncestorsChain
| order by id asc`;

/**
 * AKS's own notifications about clusters' Kubernetes versions (AKS Communication Manager): end of support in two
 * weeks, in one week, reached. Rows sit under their cluster's ID (`<cluster id>/scheduledevents/<id>`).
 */
export const CLUSTER_EVENTS_QUERY = `containerserviceeventresources
| where type =~ 'microsoft.containerservice/managedclusters/scheduledevents'
| where tostring(properties.eventType) startswith 'KubernetesVersion'
| project id, subscriptionId, eventType = tostring(properties.eventType),
    kubernetesVersion = tostring(properties.kubernetesVersion), eventTime = tostring(properties.lastUpdateTime),
    eventDetails = tostring(properties.eventDetails)
| order by id asc`;

export const QUERIES = {
  clusters: CLUSTERS_QUERY,
  clusterEvents: CLUSTER_EVENTS_QUERY,
  roleAssignments: ROLE_ASSIGNMENTS_QUERY,
  subscriptionChains: SUBSCRIPTION_CHAINS_QUERY,
} as const;

export type QueryName = keyof typeof QUERIES;
