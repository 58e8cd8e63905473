// Verbatim public Azure and Graph examples (see the fixtures README) as the inputs of the identity tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../sim/fleet/fixtures';
import { toClusterRecord } from '../../src/inventory/clusters';
import type { ClusterRecord } from '../../src/model';

const EXAMPLES = FIXTURES_DIR;

export function readExample(path: string): unknown {
  return JSON.parse(readFileSync(join(EXAMPLES, path), 'utf8'));
}

/** The 200 answer of ManagedClustersCreate_UpdateWithEnableAzureRBAC (managed Entra ID, Azure RBAC, no admin groups). */
export function rbacExampleBody(): Record<string, unknown> {
  const example = readExample('aks/ManagedClustersCreate_UpdateWithEnableAzureRBAC.2025-10-01.json') as {
    responses: { 200: { body: Record<string, unknown> } };
  };
  return example.responses[200].body;
}

/** That example as a ClusterRecord, with `aadProfile` fields overridden where a test needs them. */
export function rbacExampleCluster(aadOverrides: Record<string, unknown> = {}): ClusterRecord {
  const body = structuredClone(rbacExampleBody());
  const props = body.properties as Record<string, unknown>;
  props.aadProfile = { ...(props.aadProfile as Record<string, unknown>), ...aadOverrides };
  const parsed = toClusterRecord(body);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.record;
}

/** The users of the Graph getByIds documentation answer (as published: both carry the same id). */
export function graphExampleUsers(): Record<string, unknown>[] {
  return (readExample('graph/getByIds.response.json') as { value: Record<string, unknown>[] }).value;
}
