// aks-compliance: a Function App (Flex Consumption, Node 22) that reads the AKS fleet with a user-assigned managed
// identity and may not change it. `azd up` deploys this at subscription scope.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; used to name the resource group and resources.')
param environmentName string

@minLength(1)
@description('Region for every resource.')
param location string

@description('Resource group to create (default: rg-<environmentName>).')
param resourceGroupName string = ''

@description('NCRONTAB schedule of the nightly scan (6 fields, UTC).')
param scanSchedule string = '0 0 2 * * *'

@description('Comma list of subscription IDs to scan; empty = every subscription the identity can read.')
param scopeSubscriptions string = ''

@description('Comma list of management group IDs to scan; empty = whole tenant (or scopeSubscriptions).')
param scopeManagementGroups string = ''

@allowed(['critical', 'high', 'medium', 'low'])
@description('Lowest finding severity that raises an alert.')
param alertMinSeverity string = 'high'

@description('Mailbox (UPN or object ID) that sends alert mail through Graph sendMail; empty disables mail.')
param mailSender string = ''

@description('Comma list of default alert recipients.')
param mailTo string = ''

@description('Comma list of domains alert mail may go to; empty: the sender\'s domain.')
param mailAllowedDomains string = ''

@description('Cluster tag whose value (an email address) also receives that cluster\'s alerts.')
param ownerTag string = 'owner'

@description('Link placed in alerts (for example a dashboard or the report endpoint).')
param reportUrl string = ''

@description('Node image age (days) after which aks_node_image_current fails.')
param nodeImageMaxAgeDays int = 30

@description('Days before end of support at which aks_version_end_of_support_horizon fails.')
param eolWarningDays int = 60

@secure()
@description('Teams Workflows webhook URL; stored in Key Vault, referenced from app settings. Empty = no Teams.')
param teamsWebhookUrl string = ''

@secure()
@description('Function key the scanner uses to call its notifier; a new one each deployment unless set.')
param notifyFunctionKey string = newGuid()

@description('Public network access of the storage account and Key Vault: Disabled keeps them private (then give privateEndpointSubnetId and appSubnetId).')
@allowed(['Enabled', 'Disabled'])
param publicNetworkAccess string = 'Enabled'

@description('Existing subnet for the private endpoints of storage (blob, table, queue) and Key Vault; empty: none.')
param privateEndpointSubnetId string = ''

@description('Existing subnet (delegated to Microsoft.App/environments) for the function app\'s outbound VNet integration.')
param appSubnetId string = ''

var abbrev = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName, application: 'aks-compliance' }
var rgName = empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: rgName
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: { name: 'id-akscomp-${abbrev}', location: location, tags: tags }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: { workspaceName: 'log-akscomp-${abbrev}', appInsightsName: 'appi-akscomp-${abbrev}', location: location, tags: tags }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'stakscomp${take(abbrev, 13)}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    publicNetworkAccess: publicNetworkAccess
    privateEndpointSubnetId: privateEndpointSubnetId
  }
}

module vault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-akscomp-${take(abbrev, 12)}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    teamsWebhookUrl: teamsWebhookUrl
    storeTeamsWebhook: !empty(teamsWebhookUrl)
    notifyFunctionKey: notifyFunctionKey
    publicNetworkAccess: publicNetworkAccess
    privateEndpointSubnetId: privateEndpointSubnetId
  }
}

module functionApp 'app/function.bicep' = {
  name: 'function'
  scope: rg
  params: {
    name: 'func-akscomp-${abbrev}'
    planName: 'plan-akscomp-${abbrev}'
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    tableEndpoint: storage.outputs.tableEndpoint
    appInsightsConnectionString: monitoring.outputs.connectionString
    teamsWebhookSecretUri: vault.outputs.teamsWebhookSecretUri
    notifyKeySecretUri: vault.outputs.notifyKeySecretUri
    notifyFunctionKey: notifyFunctionKey
    scanSchedule: scanSchedule
    scopeSubscriptions: scopeSubscriptions
    scopeManagementGroups: scopeManagementGroups
    alertMinSeverity: alertMinSeverity
    mailSender: mailSender
    mailTo: mailTo
    mailAllowedDomains: mailAllowedDomains
    ownerTag: ownerTag
    reportUrl: reportUrl
    nodeImageMaxAgeDays: nodeImageMaxAgeDays
    eolWarningDays: eolWarningDays
    virtualNetworkSubnetId: appSubnetId
  }
}

// Reader on this subscription: Resource Graph and the AKS version lists. For a whole management group, deploy
// infra/reader-management-group.bicep with `az deployment mg create` instead (a subscription deployment cannot
// target a management group).
module readerSubscription 'app/reader-subscription.bicep' = {
  name: 'reader-subscription'
  params: { principalId: identity.outputs.principalId }
}

// Microsoft Graph application permissions are granted by infra/graph-permissions.bicep (its own deployment, run by
// the azd postprovision hook when AKS_COMPLIANCE_GRANT_GRAPH_PERMISSIONS is true) or infra/grant-graph-permissions.sh:
// the Graph Bicep extension restores from a container registry, so this template stays compilable without it.

output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = functionApp.outputs.url
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
