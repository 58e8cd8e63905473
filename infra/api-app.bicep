// The product API's app registration with its app roles, through the Microsoft Graph Bicep extension. Its own
// deployment (the azd postprovision hook runs it when AKS_COMPLIANCE_REGISTER_API_APP is true), because the extension
// restores from a container registry. The deploying user needs Application.ReadWrite.All and
// AppRoleAssignment.ReadWrite.All (for example a Cloud Application Administrator with a Privileged Role
// Administrator for the assignments); otherwise run infra/register-api-app.sh, which does the same with `az`.
// The registration issues v2.0 access tokens (aud = its client ID), which is what the HTTP functions accept.
extension microsoftGraphV1

@description('Unique name of the registration in the tenant, e.g. aks-compliance-api-<environment>.')
param uniqueName string
param displayName string = 'aks-compliance API'
@description('Application ID URI (api://...). Tenants that require api://<appId> or a verified domain: use the script.')
param applicationIdUri string
@description('Principal ID of the scanner\'s managed identity: it gets Alerts.Send (it calls the notifier).')
param scannerPrincipalId string
@description('Object IDs of the Entra groups that get Reports.Read, Scans.Run and Exemptions.Write (empty: none).')
param readersGroupId string = ''
param operatorsGroupId string = ''
param approversGroupId string = ''

// Stable IDs of the app roles (never change them once deployed: assignments refer to them).
var roles = {
  reportsRead: '2f0c3f4a-6d5e-4b1a-9c8d-7e6f5a4b3c21'
  scansRun: '3a1d4e5b-7c6f-4d2b-8e9a-0f1b2c3d4e52'
  exemptionsWrite: '4b2e5f6c-8d7a-4e3c-9fab-1a2b3c4d5e63'
  alertsSend: '5c3f6a7d-9e8b-4f4d-a0bc-2b3c4d5e6f74'
}

resource api 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  identifierUris: [applicationIdUri]
  api: {
    requestedAccessTokenVersion: 2
    oauth2PermissionScopes: [
      {
        id: '6d4a7b8e-0f9c-4a5e-b1cd-3c4d5e6f7a85'
        value: 'user_impersonation'
        type: 'User'
        isEnabled: true
        adminConsentDisplayName: 'Use aks-compliance as the signed-in user'
        adminConsentDescription: 'Lets a client call the aks-compliance API for the signed-in user (within the user\'s app roles).'
        userConsentDisplayName: 'Use aks-compliance as you'
        userConsentDescription: 'Lets the client call the aks-compliance API for you.'
      }
    ]
  }
  appRoles: [
    {
      id: roles.reportsRead
      value: 'Reports.Read'
      displayName: 'Read compliance reports'
      description: 'Read reports, cluster findings and the exemption list.'
      allowedMemberTypes: ['User']
      isEnabled: true
    }
    {
      id: roles.scansRun
      value: 'Scans.Run'
      displayName: 'Run on-demand scans'
      description: 'Start an on-demand scan inside the configured scope.'
      allowedMemberTypes: ['User']
      isEnabled: true
    }
    {
      id: roles.exemptionsWrite
      value: 'Exemptions.Write'
      displayName: 'Manage exemptions'
      description: 'Create, change and delete exemptions (every change is audited).'
      allowedMemberTypes: ['User']
      isEnabled: true
    }
    {
      id: roles.alertsSend
      value: 'Alerts.Send'
      displayName: 'Send alerts'
      description: 'Call the notifier (the scanner\'s managed identity only).'
      allowedMemberTypes: ['Application']
      isEnabled: true
    }
  ]
}

resource apiSp 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: api.appId
  // Only assigned users and groups get tokens for the API.
  appRoleAssignmentRequired: true
}

resource scannerAlertsSend 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  appRoleId: roles.alertsSend
  principalId: scannerPrincipalId
  resourceId: apiSp.id
}

// App roles go to Entra groups, never to single people (allowedMemberTypes 'User' covers groups).
var groupAssignments = filter(
  [
    { group: readersGroupId, role: roles.reportsRead }
    { group: operatorsGroupId, role: roles.scansRun }
    { group: approversGroupId, role: roles.exemptionsWrite }
  ],
  a => !empty(a.group)
)

resource groupRoles 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [
  for a in groupAssignments: {
    appRoleId: a.role
    principalId: a.group
    resourceId: apiSp.id
  }
]

output clientId string = api.appId
output applicationIdUri string = applicationIdUri
