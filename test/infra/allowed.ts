// What the scanner's identity may be granted: the templates' text and their compiled ARM JSON are checked against it.
// Built-in Azure role definitions the identity may hold: GUID -> the role's name (from the Azure built-in roles list).
export const ALLOWED_AZURE_ROLES: Record<string, string> = {
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': 'Reader',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  // The on-demand scan queue (POST /api/scans sends, the scanQueue trigger reads) and the alert delivery queue.
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  // listClusterUserCredential for the opt-in in-cluster reads (infra/incluster-reader-role.bicep).
  '4abbcc35-e782-43d8-92c5-2d3f1bd2253f': 'Azure Kubernetes Service Cluster User Role',
};
// Microsoft Graph application permissions (app role IDs) the identity may hold.
export const ALLOWED_GRAPH_ROLES: Record<string, string> = {
  '7ab1d382-f21e-4acd-a863-ba3e13f7da61': 'Directory.Read.All',
  'b633e1c5-b582-4048-a93e-9f11b44c7e96': 'Mail.Send',
};
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
// The product API's own app registration (infra/api-app.bicep, infra/register-api-app.sh): the IDs of the app roles
// and the delegated scope it defines. Of these the scanner holds only Alerts.Send; people get the others via groups.
export const API_APP_IDS: Record<string, string> = {
  '2f0c3f4a-6d5e-4b1a-9c8d-7e6f5a4b3c21': 'Reports.Read',
  '3a1d4e5b-7c6f-4d2b-8e9a-0f1b2c3d4e52': 'Scans.Run',
  '4b2e5f6c-8d7a-4e3c-9fab-1a2b3c4d5e63': 'Exemptions.Write',
  '5c3f6a7d-9e8b-4f4d-a0bc-2b3c4d5e6f74': 'Alerts.Send',
  '6d4a7b8e-0f9c-4a5e-b1cd-3c4d5e6f7a85': 'user_impersonation',
};
