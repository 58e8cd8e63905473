// What the scanner's identity may be granted: the templates' text and their compiled ARM JSON are checked against it.
// Built-in Azure role definitions the identity may hold: GUID -> the role's name (from the Azure built-in roles list).
export const ALLOWED_AZURE_ROLES: Record<string, string> = {
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': 'Reader',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
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
