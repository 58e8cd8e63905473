#!/usr/bin/env bash
# Registers the product API (app roles Reports.Read, Scans.Run, Exemptions.Write, Alerts.Send; v2.0 access tokens;
# Application ID URI api://<client ID>) with `az`, for tenants where the Graph Bicep extension (infra/api-app.bicep)
# cannot be used; assigns Alerts.Send to the scanner's managed identity and each other role to an Entra group, and
# prints the two app settings to set. Run as an Application Administrator (or with Application.ReadWrite.All and
# AppRoleAssignment.ReadWrite.All).
#   infra/register-api-app.sh <scanner principal ID> [readers group ID] [operators group ID] [approvers group ID]
set -euo pipefail

scanner="${1:?usage: register-api-app.sh <scanner principal ID> [readers group] [operators group] [approvers group]}"
readers="${2:-}"
operators="${3:-}"
approvers="${4:-}"
graph="${AZURE_GRAPH_ENDPOINT:-https://graph.microsoft.com}"
name="${AKS_COMPLIANCE_API_APP_NAME:-aks-compliance API}"

roles='[
 {"id":"2f0c3f4a-6d5e-4b1a-9c8d-7e6f5a4b3c21","value":"Reports.Read","displayName":"Read compliance reports","description":"Read reports, cluster findings and the exemption list.","allowedMemberTypes":["User"],"isEnabled":true},
 {"id":"3a1d4e5b-7c6f-4d2b-8e9a-0f1b2c3d4e52","value":"Scans.Run","displayName":"Run on-demand scans","description":"Start an on-demand scan inside the configured scope.","allowedMemberTypes":["User"],"isEnabled":true},
 {"id":"4b2e5f6c-8d7a-4e3c-9fab-1a2b3c4d5e63","value":"Exemptions.Write","displayName":"Manage exemptions","description":"Create, change and delete exemptions (every change is audited).","allowedMemberTypes":["User"],"isEnabled":true},
 {"id":"5c3f6a7d-9e8b-4f4d-a0bc-2b3c4d5e6f74","value":"Alerts.Send","displayName":"Send alerts","description":"Call the notifier (the scanner managed identity only).","allowedMemberTypes":["Application"],"isEnabled":true}
]'

app_id=$(az ad app list --display-name "$name" --query "[0].appId" -o tsv)
if [ -z "$app_id" ]; then
  app_id=$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --query appId -o tsv)
  echo "registered: $name ($app_id)"
fi
object_id=$(az ad app show --id "$app_id" --query id -o tsv)
az rest --method PATCH --url "$graph/v1.0/applications/$object_id" --headers "Content-Type=application/json" \
  --body "{\"identifierUris\":[\"api://$app_id\"],\"api\":{\"requestedAccessTokenVersion\":2},\"appRoles\":$roles}" >/dev/null

sp_id=$(az ad sp show --id "$app_id" --query id -o tsv 2>/dev/null || az ad sp create --id "$app_id" --query id -o tsv)
az rest --method PATCH --url "$graph/v1.0/servicePrincipals/$sp_id" --headers "Content-Type=application/json" \
  --body '{"appRoleAssignmentRequired":true}' >/dev/null

assign() { # PRINCIPAL_ID ROLE_ID
  local existing
  existing=$(az rest --method GET --url "$graph/v1.0/servicePrincipals/$sp_id/appRoleAssignedTo" \
    --query "value[?principalId=='$1' && appRoleId=='$2'].id" -o tsv)
  if [ -n "$existing" ]; then echo "already assigned: $2 to $1"; return; fi
  az rest --method POST --url "$graph/v1.0/servicePrincipals/$sp_id/appRoleAssignedTo" \
    --headers "Content-Type=application/json" \
    --body "{\"principalId\":\"$1\",\"resourceId\":\"$sp_id\",\"appRoleId\":\"$2\"}" >/dev/null
  echo "assigned: $2 to $1"
}
assign "$scanner" 5c3f6a7d-9e8b-4f4d-a0bc-2b3c4d5e6f74                      # Alerts.Send
[ -n "$readers" ] && assign "$readers" 2f0c3f4a-6d5e-4b1a-9c8d-7e6f5a4b3c21     # Reports.Read
[ -n "$operators" ] && assign "$operators" 3a1d4e5b-7c6f-4d2b-8e9a-0f1b2c3d4e52 # Scans.Run
[ -n "$approvers" ] && assign "$approvers" 4b2e5f6c-8d7a-4e3c-9fab-1a2b3c4d5e63 # Exemptions.Write

echo "Set on the function app:"
echo "  AKS_COMPLIANCE_API_CLIENT_ID=$app_id"
echo "  AKS_COMPLIANCE_API_AUDIENCE=api://$app_id"
