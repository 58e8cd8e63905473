// Reader on the subscription: Resource Graph (clusters, role assignments, management group chains) and the AKS
// version lists. Reader cannot change anything and cannot read cluster credentials (listClusterAdminCredential is
// an action Reader does not have).
targetScope = 'subscription'

param principalId string

// Reader
var reader = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'

resource readerAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, reader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', reader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
