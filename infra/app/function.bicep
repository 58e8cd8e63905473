// The function app: Flex Consumption, Linux, Node 22, running as the user-assigned identity. HTTPS only, TLS 1.2.
param name string
param planName string
param location string
param tags object
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerUrl string
param tableEndpoint string
param appInsightsConnectionString string
param teamsWebhookSecretUri string
param notifyKeySecretUri string
@secure()
param notifyFunctionKey string
param scanSchedule string
param scopeSubscriptions string
param scopeManagementGroups string
param alertMinSeverity string
param mailSender string
param mailTo string
param mailAllowedDomains string
param ownerTag string
param reportUrl string
param nodeImageMaxAgeDays int
param eolWarningDays int
@description('Subnet (delegated to Microsoft.App/environments) for outbound VNet integration; needed when storage and Key Vault take private traffic only.')
param virtualNetworkSubnetId string = ''

// Settings the product reads that are deliberately not set here (their defaults are right in Azure):
// optional-settings: AzureWebJobsStorage, AKS_COMPLIANCE_ARM_ENDPOINT, AKS_COMPLIANCE_GRAPH_ENDPOINT, AZURE_AUTHORITY_HOST, AZURE_CLIENT_SECRET, NODE_EXTRA_CA_CERTS, AKS_COMPLIANCE_SUPPORT_CALENDAR, AKS_COMPLIANCE_API_CLIENT_ID, AKS_COMPLIANCE_API_AUDIENCE, AKS_COMPLIANCE_IN_CLUSTER, AKS_COMPLIANCE_IN_CLUSTER_CONCURRENCY, AKS_COMPLIANCE_IN_CLUSTER_TIMEOUT_SECONDS, AKS_COMPLIANCE_MAX_CLUSTER_ADMINS, AKS_COMPLIANCE_TENANTS
// (AKS_COMPLIANCE_API_CLIENT_ID / _AUDIENCE name the API's app registration; until they are set every HTTP function
// answers a JSON 500 naming the setting. AZURE_TENANT_ID is the tenant whose tokens the HTTP functions accept.)
// (in-cluster reads are off unless AKS_COMPLIANCE_IN_CLUSTER is set to true after granting docs/permissions.md's access.)
// (AzureWebJobsStorage is identity-based: AzureWebJobsStorage__accountName/__credential/__clientId below.)

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 }
      runtime: { name: 'node', version: '22' }
    }
  }
}

// No basic (user name and password) publishing: deployments sign in with Entra ID.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

// The scanner posts alert batches to its own notifier with this function key (also kept in Key Vault). Created after
// the app settings: the host keeps its keys in its storage, which it reaches only once AzureWebJobsStorage is set.
// Bicep ships no types for host keys (Azure/bicep-types-az#1356), so the compiler cannot check this resource's shape.
#disable-next-line BCP081 // no published types for Microsoft.Web/sites/host/functionKeys at any API version
resource scannerKey 'Microsoft.Web/sites/host/functionKeys@2025-03-01' = {
  name: '${site.name}/default/scanner'
  properties: { name: 'scanner', value: notifyFunctionKey }
  dependsOn: [appSettings]
}

var nodeWorker = loadJsonContent('node-worker.json')

resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    AzureWebJobsStorage__accountName: storageAccountName
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    AZURE_CLIENT_ID: identityClientId
    AZURE_TENANT_ID: tenant().tenantId
    AZURE_CLOUD: environment().name
    AKS_COMPLIANCE_STORAGE: tableEndpoint
    AKS_COMPLIANCE_SCHEDULE: scanSchedule
    AKS_COMPLIANCE_SUBSCRIPTIONS: scopeSubscriptions
    AKS_COMPLIANCE_MANAGEMENT_GROUPS: scopeManagementGroups
    AKS_COMPLIANCE_NOTIFY_URL: 'https://${site.properties.defaultHostName}/api/notify'
    AKS_COMPLIANCE_NOTIFY_KEY: '@Microsoft.KeyVault(SecretUri=${notifyKeySecretUri})'
    AKS_COMPLIANCE_TEAMS_WEBHOOK_URL: empty(teamsWebhookSecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${teamsWebhookSecretUri})'
    AKS_COMPLIANCE_MAIL_SENDER: mailSender
    AKS_COMPLIANCE_MAIL_TO: mailTo
    AKS_COMPLIANCE_MAIL_ALLOWED_DOMAINS: mailAllowedDomains
    AKS_COMPLIANCE_ALERT_MIN_SEVERITY: alertMinSeverity
    AKS_COMPLIANCE_OWNER_TAG: ownerTag
    AKS_COMPLIANCE_REPORT_URL: empty(reportUrl) ? 'https://${site.properties.defaultHostName}/api/reports/latest?format=html' : reportUrl
    AKS_COMPLIANCE_NODE_IMAGE_MAX_AGE_DAYS: string(nodeImageMaxAgeDays)
    AKS_COMPLIANCE_EOL_WARNING_DAYS: string(eolWarningDays)
    // The Node worker's heap limit: scans stream, and V8 collects within it instead of growing the heap towards the
    // instance's memory (the benchmark runs the product with the same arguments: bench/productHost.ts).
    languageWorkers__node__arguments: nodeWorker.languageWorkers__node__arguments
  }
}

output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
