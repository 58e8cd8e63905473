#!/usr/bin/env bash
# Grants the scanner's managed identity its Microsoft Graph application permissions with `az rest`, for tenants
# where the Graph Bicep extension cannot be used. Run as a Privileged Role Administrator (or with
# AppRoleAssignment.ReadWrite.All + Application.Read.All).
#   infra/grant-graph-permissions.sh <identity principal ID> [--mail-send]
# The principal ID is the azd output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID.
set -euo pipefail

principal_id="${1:?usage: grant-graph-permissions.sh <identity principal ID> [--mail-send]}"
mail_send="${2:-}"
graph="${AZURE_GRAPH_ENDPOINT:-https://graph.microsoft.com}"

# The Microsoft Graph service principal in this tenant (well-known application ID).
graph_sp=$(az rest --method GET \
  --url "$graph/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')?\$select=id" \
  --query id -o tsv)

# Directory.Read.All: the least-privileged permission documented for directoryObjects/getByIds (narrower ones
# return some objects with only id and @odata.type).
roles=(
  7ab1d382-f21e-4acd-a863-ba3e13f7da61 # Directory.Read.All
)
if [ "$mail_send" = "--mail-send" ]; then
  roles+=(b633e1c5-b582-4048-a93e-9f11b44c7e96) # Mail.Send (then restrict it to one mailbox: see README)
fi

existing=$(az rest --method GET --url "$graph/v1.0/servicePrincipals/$principal_id/appRoleAssignments" \
  --query "value[].appRoleId" -o tsv)

for role in "${roles[@]}"; do
  if grep -qx "$role" <<<"$existing"; then
    echo "already granted: $role"
    continue
  fi
  az rest --method POST --url "$graph/v1.0/servicePrincipals/$principal_id/appRoleAssignments" \
    --headers "Content-Type=application/json" \
    --body "{\"principalId\":\"$principal_id\",\"resourceId\":\"$graph_sp\",\"appRoleId\":\"$role\"}" >/dev/null
  echo "granted: $role"
done
