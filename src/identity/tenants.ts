// Which directory a cluster's principals live in. Azure Lighthouse puts customer tenants' clusters in the managing
// tenant's Resource Graph answers (the row's tenantId is the customer's); their role assignment principals and admin
// groups are in the customer's directory, so the scanner's own directory must never judge them.
import type { TokenCredential } from '@azure/core-auth';
import type { ClusterHead } from '../model';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tenant of a cluster: its subscription's (Resource Graph `tenantId`), else `aadProfile.tenantID`. Lower case. */
export function clusterTenantIds(cluster: ClusterHead): string[] {
  const out: string[] = [];
  if (typeof cluster.tenantId === 'string' && GUID.test(cluster.tenantId)) out.push(cluster.tenantId.toLowerCase());
  const aad = cluster.properties.aadProfile as { tenantID?: unknown } | null | undefined;
  const aadTenant = aad && typeof aad === 'object' ? aad.tenantID : undefined;
  if (typeof aadTenant === 'string' && GUID.test(aadTenant) && !out.includes(aadTenant.toLowerCase())) {
    out.push(aadTenant.toLowerCase());
  }
  return out;
}

/**
 * The other tenant whose directory holds the cluster's principals, or undefined when that is the scanner's own
 * (or the scanner's tenant is not known: then nothing can be told apart). Pure.
 */
export function foreignTenantOf(cluster: ClusterHead, homeTenantId: string | undefined): string | undefined {
  if (!homeTenantId) return undefined;
  const home = homeTenantId.toLowerCase();
  return clusterTenantIds(cluster).find((t) => t !== home);
}

/** The `tid` claim of a JWT access token; undefined when the token is not a JWT carrying one. */
export function tenantOfToken(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof claims.tid === 'string' && GUID.test(claims.tid) ? claims.tid.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The scanner's own tenant: the `tid` of its Resource Manager token (AZURE_TENANT_ID may be a domain name, and a
 * managed identity needs none), else AZURE_TENANT_ID when it is a GUID.
 */
export async function homeTenantOf(
  credential: TokenCredential,
  armEndpoint: string,
  configured: string | undefined,
): Promise<string | undefined> {
  try {
    const token = await credential.getToken(`${armEndpoint}/.default`);
    const tid = token ? tenantOfToken(token.token) : undefined;
    if (tid) return tid;
  } catch {
    // Sign-in trouble shows up in the first Resource Graph call, with its own problem.
  }
  return configured && GUID.test(configured) ? configured.toLowerCase() : undefined;
}

export function foreignTenantReason(tenantId: string): string {
  return (
    `the cluster belongs to tenant ${tenantId} (Azure Lighthouse): its principals and admin groups are in that ` +
    `tenant's directory, which this scanner does not read (add the tenant to AKS_COMPLIANCE_TENANTS, with the ` +
    `identity consented there, to check them)`
  );
}
