// In-cluster reads on Azure RBAC clusters (aadProfile.enableAzureRBAC): a custom role with only the Kubernetes data
// actions the scanner uses, assigned to the scanner's identity at a management group, plus the built-in
// Azure Kubernetes Service Cluster User Role for listClusterUserCredential (the API server address and CA).
// The built-in Azure Kubernetes Service RBAC Reader cannot read roles or bindings, so it is not enough.
//   az deployment mg create --management-group-id <MG> --location <region> \
//     --template-file infra/incluster-reader-role.bicep --parameters principalId=<identity principal ID>
// Kubernetes-RBAC-only clusters ignore Azure data actions: apply infra/incluster-reader.yaml in each of them instead.
targetScope = 'managementGroup'

@description('Object ID of the function app\'s managed identity (azd output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID).')
param principalId string

@description('Name of the custom role.')
param roleName string = 'AKS Compliance In-Cluster Reader'

var roleId = guid(managementGroup().id, roleName)

// Azure Kubernetes Service Cluster User Role
var clusterUserRole = '4abbcc35-e782-43d8-92c5-2d3f1bd2253f'

resource inClusterReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: roleId
  properties: {
    roleName: roleName
    description: 'Reads ClusterRoleBindings, RoleBindings, ClusterRoles, Roles, DaemonSets and nodes inside AKS clusters with Azure RBAC, for aks-compliance.'
    type: 'CustomRole'
    assignableScopes: [
      managementGroup().id
    ]
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterrolebindings/read'
          'Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/rolebindings/read'
          'Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterroles/read'
          'Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/roles/read'
          'Microsoft.ContainerService/managedClusters/apps/daemonsets/read'
          'Microsoft.ContainerService/managedClusters/nodes/read'
        ]
        notDataActions: []
      }
    ]
  }
}

resource inClusterReaderAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(managementGroup().id, principalId, roleId)
  properties: {
    roleDefinitionId: inClusterReader.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource clusterUserAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(managementGroup().id, principalId, clusterUserRole)
  properties: {
    roleDefinitionId: tenantResourceId('Microsoft.Authorization/roleDefinitions', clusterUserRole)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output roleDefinitionId string = inClusterReader.id
