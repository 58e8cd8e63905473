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

# The API's app registration (app roles) through infra/api-app.bicep when AKS_COMPLIANCE_REGISTER_API_APP is true
# (needs Application.ReadWrite.All and AppRoleAssignment.ReadWrite.All); otherwise infra/register-api-app.sh.
if [ "${AKS_COMPLIANCE_REGISTER_API_APP:-false}" = "true" ]; then
  unique="aks-compliance-api-${AZURE_ENV_NAME:-default}"
  client_id=$(az deployment group create \
    --name api-app \
    --resource-group "$AZURE_RESOURCE_GROUP" \
    --template-file "$(dirname "$0")/../api-app.bicep" \
    --parameters uniqueName="$unique" applicationIdUri="api://$unique" \
    scannerPrincipalId="$AZURE_MANAGED_IDENTITY_PRINCIPAL_ID" \
    readersGroupId="${AKS_COMPLIANCE_READERS_GROUP_ID:-}" operatorsGroupId="${AKS_COMPLIANCE_OPERATORS_GROUP_ID:-}" \
    approversGroupId="${AKS_COMPLIANCE_APPROVERS_GROUP_ID:-}" \
    --query properties.outputs.clientId.value -o tsv)
  az functionapp config appsettings set --resource-group "$AZURE_RESOURCE_GROUP" \
    --name "${AZURE_FUNCTION_APP_NAME:?AZURE_FUNCTION_APP_NAME is not set}" \
    --settings AKS_COMPLIANCE_API_CLIENT_ID="$client_id" AKS_COMPLIANCE_API_AUDIENCE="api://$unique" --output none
  echo "API app registration $client_id; its app settings are set"
else
  echo "API app registration not created by azd (AKS_COMPLIANCE_REGISTER_API_APP is not true):"
  echo "  an administrator runs infra/register-api-app.sh ${AZURE_MANAGED_IDENTITY_PRINCIPAL_ID:-<principal ID>} <readers group> <operators group> <approvers group>"
fi
