#!/bin/sh
# azd postprovision hook: grants the scanner's managed identity its Microsoft Graph application permissions with
# infra/graph-permissions.bicep when AKS_COMPLIANCE_GRANT_GRAPH_PERMISSIONS is true (the deploying user needs
# AppRoleAssignment.ReadWrite.All, for example a Privileged Role Administrator). Mail.Send is granted only when a
# sender mailbox is configured. azd passes its environment values (and main.bicep's outputs) as variables.
set -eu

if [ "${AKS_COMPLIANCE_GRANT_GRAPH_PERMISSIONS:-false}" != "true" ]; then
  echo "Graph permissions not granted by azd (AKS_COMPLIANCE_GRANT_GRAPH_PERMISSIONS is not true):"
  echo "  an administrator runs infra/grant-graph-permissions.sh ${AZURE_MANAGED_IDENTITY_PRINCIPAL_ID:-<principal ID>} --mail-send"
  exit 0
fi

grant_mail_send=false
[ -n "${AKS_COMPLIANCE_MAIL_SENDER:-}" ] && grant_mail_send=true

az deployment group create \
  --name graph-permissions \
  --resource-group "${AZURE_RESOURCE_GROUP:?AZURE_RESOURCE_GROUP is not set: run azd provision first}" \
  --template-file "$(dirname "$0")/../graph-permissions.bicep" \
  --parameters principalId="${AZURE_MANAGED_IDENTITY_PRINCIPAL_ID:?AZURE_MANAGED_IDENTITY_PRINCIPAL_ID is not set}" \
  grantMailSend="$grant_mail_send" \
  --output none
echo "Graph permissions granted to ${AZURE_MANAGED_IDENTITY_PRINCIPAL_ID} (Mail.Send: $grant_mail_send)"
