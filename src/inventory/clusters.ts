// Normalising cluster rows (Resource Graph rows, ARM list entries, az CLI output) into ClusterRecord.
import type { ClusterRecord } from '../model';

const CLUSTER_ID =
  /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.containerservice\/managedclusters\/([^/]+)$/i;

export interface ClusterIdParts {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/** Splits a managed cluster resource ID; undefined when it is not one. */
export function parseClusterId(id: string): ClusterIdParts | undefined {
  const m = CLUSTER_ID.exec(id.trim().replace(/\/+$/, ''));
  return m ? { subscriptionId: m[1], resourceGroup: m[2], name: m[3] } : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringTags(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!isObject(value)) return tags;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') tags[k] = v;
  return tags;
}

/**
 * Turns one row into a ClusterRecord, or explains why it cannot (the reason names the field).
 * Accepts Resource Graph rows (lower-case resourceGroup, projected properties) and ARM GET/list entries
 * (no resourceGroup/subscriptionId: both come from the ID).
 */
export function toClusterRecord(row: unknown): { record: ClusterRecord } | { error: string } {
  if (!isObject(row)) return { error: 'row is not an object' };
  const id = row.id;
  if (typeof id !== 'string' || id.length === 0) return { error: 'row has no string "id"' };
  const parts = parseClusterId(id);
  if (!parts) return { error: `"id" is not a managed cluster resource ID: ${id.slice(0, 200)}` };
  if (typeof row.type === 'string' && row.type.toLowerCase() !== 'microsoft.containerservice/managedclusters') {
    return { error: `row ${id} has type "${row.type}", not Microsoft.ContainerService/managedClusters` };
  }
  if (!isObject(row.properties)) return { error: `row ${id} has no "properties" object (ARM wire form expected)` };
  const sku = isObject(row.sku)
    ? {
        name: typeof row.sku.name === 'string' ? row.sku.name : undefined,
        tier: typeof row.sku.tier === 'string' ? row.sku.tier : undefined,
      }
    : null;
  return {
    record: {
      id,
      name: typeof row.name === 'string' ? row.name : parts.name,
      subscriptionId: typeof row.subscriptionId === 'string' ? row.subscriptionId : parts.subscriptionId,
      resourceGroup: typeof row.resourceGroup === 'string' ? row.resourceGroup : parts.resourceGroup,
      location: typeof row.location === 'string' ? row.location : '',
      tags: stringTags(row.tags),
      sku,
      ...(typeof row.tenantId === 'string' && row.tenantId.trim() !== '' ? { tenantId: row.tenantId.trim() } : {}),
      properties: row.properties,
    },
  };
}
