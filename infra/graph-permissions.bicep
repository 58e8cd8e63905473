// Microsoft Graph application permissions for the managed identity, through the Microsoft Graph Bicep extension.
// Its own deployment (the azd postprovision hook runs it when AKS_COMPLIANCE_GRANT_GRAPH_PERMISSIONS is true), because
// the extension restores from a container registry: main.bicep compiles without it. The deploying user needs
// AppRoleAssignment.ReadWrite.All (or a Privileged Role Administrator); otherwise run
// infra/grant-graph-permissions.sh, which makes the same assignments with `az rest`.
extension microsoftGraphV1

param principalId string
param grantMailSend bool

// Microsoft Graph's well-known application ID.
resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: '00000003-0000-0000-c000-000000000000'
}

// Narrower than Directory.Read.All: enough to resolve users, groups (with transitive member counts) and
// service principals named in role assignments.
var readRoles = [
  'df021288-bdef-4463-88db-98f22de89214' // User.Read.All
  '98830695-27a2-44f7-8c18-0c3ebc9698f6' // GroupMember.Read.All
  '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30' // Application.Read.All
]
var mailSend = 'b633e1c5-b582-4048-a93e-9f11b44c7e96' // Mail.Send

resource read 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [
  for role in readRoles: {
    appRoleId: role
    principalId: principalId
    resourceId: graph.id
  }
]

resource send 'Microsoft.Graph/appRoleAssignedTo@v1.0' = if (grantMailSend) {
  appRoleId: mailSend
  principalId: principalId
  resourceId: graph.id
}
