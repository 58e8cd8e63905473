// The fleet inventory of one run: the subscriptions in scope with their management-group chains, then every managed
// cluster in them. Two queries, each read to the end in 1000-row pages.
import type { ClusterRecord, ScanProblem } from '../model';
import { normaliseId } from '../model';
import { toClusterRecord } from './clusters';
import { CLUSTERS_QUERY, SUBSCRIPTION_CHAINS_QUERY } from './queries';
import { MAX_SUBSCRIPTIONS_PER_REQUEST, type ResourceGraphReader, type ResourceGraphScope } from './resourceGraph';

export interface Inventory {
  clusters: ClusterRecord[];
  /** Subscription ID (lower case) -> management group names, nearest first (tenant root last). */
  chains: Map<string, string[]>;
  /** The subscriptions the clusters query covered (as Resource Graph spells them). */
  subscriptions: string[];
  complete: boolean;
  problems: ScanProblem[];
}

interface ChainRow {
  id?: unknown;
  subscriptionId?: unknown;
  name?: unknown;
  managementGroupAncestorsChain?: unknown;
}

function chainNames(value: unknown): string[] | undefined {
  let chain = value;
  if (typeof chain === 'string') {
    try {
      chain = JSON.parse(chain);
    } catch {
      return undefined;
    }
  }
  if (chain === null || chain === undefined) return [];
  if (!Array.isArray(chain)) return undefined;
  const names: string[] = [];
  for (const entry of chain) {
    if (typeof entry === 'string') names.push(entry);
    else if (entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string') {
      names.push((entry as { name: string }).name);
    }
  }
  return names;
}

function subscriptionOf(row: ChainRow): string | undefined {
  if (typeof row.subscriptionId === 'string' && row.subscriptionId.length > 0) return row.subscriptionId;
  if (typeof row.id === 'string') return /^\/subscriptions\/([^/]+)/i.exec(row.id)?.[1];
  return undefined;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Reads the inventory of `scope` (no subscriptions and no management groups = the whole tenant).
 * The clusters query names its subscriptions explicitly, so a subscription the caller may not read is reported
 * by name and the rest is still read.
 */
export async function readInventory(reader: ResourceGraphReader, scope: ResourceGraphScope): Promise<Inventory> {
  const problems: ScanProblem[] = [];
  let complete = true;
  const explicit = (scope.subscriptions ?? []).map((s) => s.trim()).filter((s) => s.length > 0);
  const managementGroups = (scope.managementGroups ?? []).map((m) => m.trim()).filter((m) => m.length > 0);
  const chainScope: ResourceGraphScope =
    explicit.length > 0 ? { subscriptions: explicit } : managementGroups.length > 0 ? { managementGroups } : {};

  const chainRead = await reader.queryAll<ChainRow>(SUBSCRIPTION_CHAINS_QUERY, chainScope);
  problems.push(...chainRead.problems);
  if (!chainRead.complete) complete = false;

  const chains = new Map<string, string[]>();
  const found: string[] = [];
  for (const row of chainRead.rows) {
    const sub = row && typeof row === 'object' ? subscriptionOf(row) : undefined;
    if (!sub) {
      problems.push({
        source: 'resourceGraph',
        scope: 'subscriptions',
        message: 'a subscription row without a subscription ID was skipped',
      });
      complete = false;
      continue;
    }
    const key = sub.toLowerCase();
    if (chains.has(key)) continue;
    const names = chainNames(row.managementGroupAncestorsChain);
    if (names === undefined) {
      problems.push({
        source: 'resourceGraph',
        scope: `/subscriptions/${sub}`,
        message: `subscription ${sub} has an unreadable managementGroupAncestorsChain; management-group role assignments cannot be matched to its clusters`,
      });
      complete = false;
    }
    chains.set(key, names ?? []);
    found.push(sub);
  }

  // Which subscriptions the clusters query covers: an explicit list stays as asked, so a subscription that cannot
  // be read is named (the reader does not ask again for one already refused); otherwise the subscriptions the chain
  // query found. When that list may be short (the chain read was incomplete), the original scope is queried instead.
  let clusterScopes: ResourceGraphScope[];
  let subscriptions: string[];
  if (explicit.length > 0) {
    subscriptions = explicit.filter((s) => !reader.forbiddenSubscriptions.has(s.toLowerCase()));
    clusterScopes = chunk(explicit, MAX_SUBSCRIPTIONS_PER_REQUEST).map((list) => ({ subscriptions: list }));
  } else if (chainRead.complete) {
    subscriptions = found;
    clusterScopes = chunk(found, MAX_SUBSCRIPTIONS_PER_REQUEST).map((list) => ({ subscriptions: list }));
  } else {
    subscriptions = found;
    clusterScopes = [chainScope];
  }

  const clusters: ClusterRecord[] = [];
  const seen = new Set<string>();
  for (const clusterScope of clusterScopes) {
    const read = await reader.queryAll<unknown>(CLUSTERS_QUERY, clusterScope);
    problems.push(...read.problems);
    if (!read.complete) complete = false;
    for (const row of read.rows) {
      const parsed = toClusterRecord(row);
      if ('error' in parsed) {
        problems.push({
          source: 'resourceGraph',
          scope: 'clusters',
          message: `a cluster row was skipped: ${parsed.error}`,
        });
        complete = false;
        continue;
      }
      const key = normaliseId(parsed.record.id);
      if (seen.has(key)) continue;
      seen.add(key);
      clusters.push(parsed.record);
    }
  }
  // Subscriptions refused by the clusters query are not part of what was read.
  subscriptions = subscriptions.filter((s) => !reader.forbiddenSubscriptions.has(s.toLowerCase()));
  // A refused subscription is reported by both queries in the same words: once is enough.
  const seenProblems = new Set<string>();
  const distinct = problems.filter((p) => {
    const key = `${p.source}|${p.scope}|${p.message}`;
    if (seenProblems.has(key)) return false;
    seenProblems.add(key);
    return true;
  });
  return { clusters, chains, subscriptions, complete, problems: distinct };
}
