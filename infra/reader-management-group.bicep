// Reader for the scanner's identity at a management group, so one scan covers every subscription below it.
// Deploy separately (a subscription deployment cannot target a management group):
//   az deployment mg create --management-group-id <MG> --location <region> \
//     --template-file infra/reader-management-group.bicep --parameters principalId=<identity principal ID>
targetScope = 'managementGroup'

@description('Object ID of the function app\'s managed identity (azd output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID).')
param principalId string

// Reader
var reader = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'

resource readerAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(managementGroup().id, principalId, reader)
  properties: {
    roleDefinitionId: tenantResourceId('Microsoft.Authorization/roleDefinitions', reader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
