// The REST api-versions the product speaks, pinned: an SDK update must not change the wire shapes the rules read
// (the AKS SDK otherwise sends whatever its newest api-version is). Change them deliberately, with the tests.

/** Microsoft.ContainerService (listKubernetesVersions, managed clusters, upgrade profiles). */
export const AKS_API_VERSION = '2025-10-01';

/** ARM error codes that mean "this api-version is not served here". */
export const UNSERVED_API_VERSION_CODES = new Set([
  'InvalidApiVersionParameter',
  'NoRegisteredProviderFound',
  'InvalidResourceType',
]);

/** The unknown-reason wording for an api-version the service refused; undefined for any other error. */
export function unservedApiVersionReason(error: unknown, apiVersion: string): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !UNSERVED_API_VERSION_CODES.has(code)) return undefined;
  return `the service does not serve api-version ${apiVersion}, the version this release of aks-compliance is pinned to (${code})`;
}
