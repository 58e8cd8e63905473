// The precise reason an in-cluster read failed, in words an operator can act on.
import { ApiException } from '@kubernetes/client-node';
import type { ClusterRecord } from '../model';

export const CUSTOM_ROLE_HINT =
  'on Azure RBAC clusters assign the scanner the custom role of infra/incluster-reader-role.bicep; on Kubernetes RBAC clusters apply infra/incluster-reader.yaml for a group holding the scanner';

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function errorCode(error: unknown): string | undefined {
  const e = record(error);
  const code = e.code ?? record(e.cause).code ?? e.errno;
  return typeof code === 'string' ? code : undefined;
}

/** The Kubernetes `Status` message of a refused call, when it sent one. */
function statusMessage(error: ApiException<unknown>): string | undefined {
  let body: unknown = error.body;
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      return text.slice(0, 300);
    }
  }
  const message = record(body).message;
  return typeof message === 'string' ? message.slice(0, 300) : undefined;
}

/** A refused or failed call: `what` is `listClusterUserCredential` or the Kubernetes list (`clusterrolebindings`). */
export function describeFailure(what: string, error: unknown): string {
  if (error instanceof ApiException) {
    const message = statusMessage(error);
    if (error.code === 403) {
      return `no role: the Kubernetes API refused to list ${what} (403${message ? `: ${message}` : ''}); ${CUSTOM_ROLE_HINT}`;
    }
    if (error.code === 401)
      return `the Kubernetes API did not accept the scanner's token for ${what} (401 Unauthorized)`;
    return `listing ${what} failed (HTTP ${error.code}${message ? `: ${message}` : ''})`;
  }
  const e = record(error);
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message.split('\n')[0].slice(0, 300) : String(error);
  if (what === 'listClusterUserCredential' && status === 403) {
    return `no role: listClusterUserCredential was refused (403 ${code ?? 'AuthorizationFailed'}); the scanner needs the Azure Kubernetes Service Cluster User Role on the cluster`;
  }
  if (status !== undefined) return `${what} failed (HTTP ${status}${code ? ` ${code}` : ''}: ${message})`;
  return `${what} failed: ${message}`;
}

function authorizedRanges(cluster: ClusterRecord): string[] {
  const ranges = record(cluster.properties.apiServerAccessProfile).authorizedIPRanges;
  return Array.isArray(ranges) ? ranges.filter((r): r is string => typeof r === 'string') : [];
}

function isPrivate(cluster: ClusterRecord): boolean {
  return record(cluster.properties.apiServerAccessProfile).enablePrivateCluster === true;
}

/** Why the API server could not be reached: private without a path, authorized IP ranges, a timeout, ... */
export function unreachableReason(
  cluster: ClusterRecord,
  error: unknown,
  context: { timedOut: boolean; timeoutInMs: number; server?: string },
): string {
  let host = '';
  try {
    host = context.server ? new URL(context.server).host : '';
  } catch {
    host = context.server ?? '';
  }
  const ranges = authorizedRanges(cluster);
  const code = errorCode(error);
  const rangesReason = () =>
    `the API server's authorized IP ranges (${ranges.slice(0, 5).join(', ')}${ranges.length > 5 ? ', ...' : ''}) do not let the scanner in: they must include its outbound addresses`;
  if (isPrivate(cluster) && (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || context.timedOut)) {
    return `private API server${host ? ` (${host})` : ''} with no network path from the scanner: it needs VNet integration (or peering) and the cluster's private DNS zone${context.timedOut ? ` (no answer within ${context.timeoutInMs} ms)` : ` (${code})`}`;
  }
  if (context.timedOut) {
    return ranges.length > 0
      ? `${rangesReason()} (no answer from ${host || 'the API server'} within ${context.timeoutInMs} ms)`
      : `timeout: no answer from ${host || 'the API server'} within ${context.timeoutInMs} ms`;
  }
  if (ranges.length > 0 && (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT')) {
    return `${rangesReason()} (${code} from ${host || 'the API server'})`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the API server address ${host} does not resolve (${code})`;
  const message = error instanceof Error ? error.message.split('\n')[0].slice(0, 300) : String(error);
  return `the API server${host ? ` ${host}` : ''} could not be reached: ${message}`;
}
