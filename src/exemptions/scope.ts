// An exemption's scope and lifetime, parsed: shared by validation and the index.
import type { Exemption } from '../model';
import { normaliseId } from '../model';

export type ExemptionScope =
  | { kind: 'cluster'; id: string }
  | { kind: 'resourceGroup'; id: string }
  | { kind: 'subscription'; id: string }
  | { kind: 'tag'; key: string; value: string };

const CLUSTER_SCOPE =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.containerservice\/managedclusters\/[^/]+$/i;
const RESOURCE_GROUP_SCOPE = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+$/i;
const SUBSCRIPTION_SCOPE = /^\/subscriptions\/[^/]+$/i;

/** Classifies a scope string; undefined when it is none of the accepted forms. IDs come back normalised. */
export function parseExemptionScope(scope: string): ExemptionScope | undefined {
  const trimmed = scope.trim();
  if (/^tag:/i.test(trimmed)) {
    const body = trimmed.slice(4);
    const eq = body.indexOf('=');
    if (eq <= 0) return undefined;
    const key = body.slice(0, eq).trim();
    if (key.length === 0) return undefined;
    return { kind: 'tag', key, value: body.slice(eq + 1) };
  }
  const id = normaliseId(trimmed);
  if (CLUSTER_SCOPE.test(id)) return { kind: 'cluster', id };
  if (RESOURCE_GROUP_SCOPE.test(id)) return { kind: 'resourceGroup', id };
  if (SUBSCRIPTION_SCOPE.test(id)) return { kind: 'subscription', id };
  return undefined;
}

/** Active means not yet expired at `asOf`; an exemption stops applying by itself once its expiry passes. */
export function isExemptionActive(exemption: Exemption, asOf: Date): boolean {
  const expires = Date.parse(exemption.expiresOn);
  return Number.isFinite(expires) && expires > asOf.getTime();
}
