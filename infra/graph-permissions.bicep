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

// Directory.Read.All: the least-privileged application permission documented for directoryObjects/getByIds. With
// narrower ones (User.Read.All, GroupMember.Read.All, Application.Read.All), getByIds returns the objects of types
// the app cannot read with only their id and @odata.type (a documented known issue), so guest users and
// security-enabled flags could not be checked. It also covers the admin groups' transitive member counts.
var readRoles = [
  '7ab1d382-f21e-4acd-a863-ba3e13f7da61' // Directory.Read.All
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
