// Key Vault for the secrets the app reads through Key Vault references: the Teams webhook URL and the notifier's
// function key. RBAC authorisation; the identity may read secrets, nothing else.
param name string
param location string
param tags object
param principalId string
@secure()
param teamsWebhookUrl string
@description('Whether a Teams webhook URL was given (a plain flag, so that no output depends on the secret).')
param storeTeamsWebhook bool
@secure()
param notifyFunctionKey string
@description('Disabled: reachable only through a private endpoint (give privateEndpointSubnetId).')
@allowed(['Enabled', 'Disabled'])
param publicNetworkAccess string = 'Enabled'
@description('Subnet for the vault\'s private endpoint (empty: none).')
param privateEndpointSubnetId string = ''

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
    publicNetworkAccess: publicNetworkAccess
    networkAcls: { defaultAction: publicNetworkAccess == 'Disabled' ? 'Deny' : 'Allow', bypass: 'None' }
  }
}

resource privateEndpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = if (!empty(privateEndpointSubnetId)) {
  name: '${name}-pe'
  location: location
  tags: tags
  properties: {
    subnet: { id: privateEndpointSubnetId }
    privateLinkServiceConnections: [
      { name: name, properties: { privateLinkServiceId: vault.id, groupIds: ['vault'] } }
    ]
  }
}

resource teamsWebhook 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (storeTeamsWebhook) {
  parent: vault
  name: 'teams-webhook-url'
  properties: { value: teamsWebhookUrl, contentType: 'text/uri-list' }
}

resource notifyKey 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'notify-function-key'
  properties: { value: notifyFunctionKey }
}

// Key Vault Secrets User: read secret values (for Key Vault references), on this vault only.
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Secret URIs without a version: the app picks up a rotated secret on its own.
output teamsWebhookSecretUri string = storeTeamsWebhook ? '${vault.properties.vaultUri}secrets/teams-webhook-url' : ''
output notifyKeySecretUri string = '${vault.properties.vaultUri}secrets/${notifyKey.name}'
