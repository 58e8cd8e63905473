// The fleet inventory of one run: the subscriptions in scope with their management-group chains, then every managed
// cluster in them. Two queries, each read to the end in 1000-row pages.
import type { ClusterRecord, ScanProblem } from '../model';
import { normaliseId } from '../model';
import { toClusterRecord } from './clusters';
import { readNotifications } from './notifications';
import { CLUSTERS_QUERY, SUBSCRIPTION_CHAINS_QUERY } from './queries';
import { MAX_SUBSCRIPTIONS_PER_REQUEST, type ResourceGraphReader, type ResourceGraphScope } from './resourceGraph';
import { ClusterShelf } from './shelf';

export interface Inventory {
  /** The clusters read, shelved a page at a time (see ClusterShelf). */
  clusters: ClusterShelf;
  /** Subscription ID (lower case) -> management group names, nearest first (tenant root last). */
  chains: Map<string, string[]>;
  /** The subscriptions the clusters query covered (as Resource Graph spells them). */
  subscriptions: string[];
  /**
   * The subscriptions (lower case) whose clusters were read completely: Resource Graph returned the subscription and
   * every page of its clusters. A cluster missing from one of these is gone; others' clusters keep their state.
   */
  readCompletely: string[];
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

export interface ReadInventoryOptions {
  /**
   * At tenant or management-group scope: the subscriptions the last complete run of the same scope read. One that
   * Resource Graph no longer returns is reported as no longer readable (Resource Graph leaves out what the caller
   * cannot read without saying so), and the inventory is incomplete.
   */
  expectedSubscriptions?: string[];
  /** Shelve only this cluster (its normalised ID): the scope of a one-cluster run. */
  clusterId?: string;
}

/** The problem of a subscription Resource Graph left out of its answer. */
export function omittedSubscriptionProblem(subscriptionId: string, why: 'listed' | 'read before'): ScanProblem {
  const asked =
    why === 'listed'
      ? 'it is in the configured scope, but Resource Graph left it out of its answer'
      : 'the last complete scan read it, but Resource Graph left it out of its answer now';
  return {
    source: 'resourceGraph',
    scope: `/subscriptions/${subscriptionId}`,
    message:
      `subscription ${subscriptionId} is no longer readable: ${asked} (the identity has no Reader role on it, ` +
      `or it no longer exists); its clusters keep their last known state`,
  };
}

/**
 * The subscriptions the run was meant to cover that Resource Graph did not return (compared in lower case), in the
 * order they were expected. Pure.
 */
export function missingSubscriptions(expected: readonly string[], found: Iterable<string>): string[] {
  const have = new Set([...found].map((s) => s.toLowerCase()));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of expected) {
    const key = s.trim().toLowerCase();
    if (key === '' || have.has(key) || seen.has(key)) continue;
    seen.add(key);
    out.push(s.trim());
  }
  return out;
}

/** Resource Graph answered that a management group holds more subscriptions than one scope may cover. */
function tooManySubscriptions(read: { errorCodes?: string[] }): boolean {
  return (read.errorCodes ?? []).some((c) => c.toLowerCase() === 'toomanysubscriptionsunderscope');
}

/**
 * Reads the inventory of `scope` (no subscriptions and no management groups = the whole tenant).
 * The subscriptions are read first (`resourcecontainers`: one row per readable subscription), and every
 * subscription the run is meant to cover is compared with them: a named subscription, or one read by the last
 * complete run, that did not come back is a named problem. The clusters query then names the subscriptions found
 * (at most 1,000 a request).
 */
export async function readInventory(
  reader: ResourceGraphReader,
  scope: ResourceGraphScope,
  options: ReadInventoryOptions = {},
): Promise<Inventory> {
  const problems: ScanProblem[] = [];
  let complete = true;
  const explicit = (scope.subscriptions ?? []).map((s) => s.trim()).filter((s) => s.length > 0);
  const managementGroups = (scope.managementGroups ?? []).map((m) => m.trim()).filter((m) => m.length > 0);
  const chainScope: ResourceGraphScope =
    explicit.length > 0 ? { subscriptions: explicit } : managementGroups.length > 0 ? { managementGroups } : {};

  const chainRead = await reader.queryAll<ChainRow>(SUBSCRIPTION_CHAINS_QUERY, chainScope);
  if (managementGroups.length > 0 && tooManySubscriptions(chainRead)) {
    // Resource Graph covers at most 10,000 subscriptions per management-group (or tenant) scope, and with
    // allowPartialScopes would cut the rest without saying which: nothing is read, and the run says why.
    problems.push({
      source: 'resourceGraph',
      scope: managementGroups.map((m) => `/providers/microsoft.management/managementgroups/${m}`).join(','),
      message:
        `management group ${managementGroups.join(', ')} holds more subscriptions than one Resource Graph query ` +
        `covers (TooManySubscriptionsUnderScope); scan its child management groups, or subscription lists, instead`,
    });
  }
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

  // Every subscription the run is meant to cover is checked against what came back (only when the subscription read
  // itself was complete: otherwise its own problem already says the list is short).
  const expected = explicit.length > 0 ? explicit : (options.expectedSubscriptions ?? []);
  // The list found is reliable when every page came back (subscriptions refused whole are known by name).
  const reliable =
    chainRead.complete ||
    chainRead.problems.every((p) =>
      reader.forbiddenSubscriptions.has(p.scope.replace(/^\/subscriptions\//i, '').toLowerCase()),
    );
  if (reliable) {
    for (const sub of missingSubscriptions(expected, found)) {
      if (reader.forbiddenSubscriptions.has(sub.toLowerCase())) continue;
      const problem = omittedSubscriptionProblem(sub, explicit.length > 0 ? 'listed' : 'read before');
      reader.markUnreadable(sub, problem);
      problems.push(problem);
      complete = false;
    }
  }

  // The clusters query names the subscriptions found. When that list may be short (the subscription read was
  // incomplete), the original scope is queried instead (the explicit list minus what was refused).
  let clusterScopes: ResourceGraphScope[];
  if (reliable) {
    clusterScopes = chunk(found, MAX_SUBSCRIPTIONS_PER_REQUEST).map((list) => ({ subscriptions: list }));
  } else if (explicit.length > 0) {
    clusterScopes = chunk(explicit, MAX_SUBSCRIPTIONS_PER_REQUEST).map((list) => ({ subscriptions: list }));
  } else {
    clusterScopes = [chainScope];
  }
  let subscriptions = found;

  const clusters = new ClusterShelf();
  const seen = new Set<string>();
  const readCompletely = new Set<string>();
  // Each page's rows become records and go on the shelf as they arrive: the raw rows of the fleet are never held.
  const onPage = (rows: unknown[]): void => {
    const records: ClusterRecord[] = [];
    for (const row of rows) {
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
      if (options.clusterId === undefined || options.clusterId === key) records.push(parsed.record);
    }
    clusters.add(records);
  };
  for (const clusterScope of clusterScopes) {
    const read = await reader.queryAll<unknown>(CLUSTERS_QUERY, clusterScope, { onPage });
    problems.push(...read.problems);
    if (!read.complete) complete = false;
    else if (clusterScope.subscriptions)
      for (const s of clusterScope.subscriptions) readCompletely.add(s.toLowerCase());
  }
  // A subscription refused after some of its pages were read: its clusters are not judged (as if none were read).
  clusters.dropSubscriptions(reader.forbiddenSubscriptions);
  // AKS's own notifications (end of support) over the same scopes; they never make the inventory incomplete.
  if (clusters.length > 0) {
    const notifications = await readNotifications(reader, clusterScopes);
    clusters.attachNotifications(notifications.of);
    problems.push(...notifications.problems);
  }
  // Subscriptions refused by the clusters query are not part of what was read.
  subscriptions = subscriptions.filter((s) => !reader.forbiddenSubscriptions.has(s.toLowerCase()));
  for (const s of reader.forbiddenSubscriptions) readCompletely.delete(s);
  // Read completely only if Resource Graph also returned the subscription itself (a subscription the subscription
  // read did not find, asked for in the clusters query after a failed page, may have been left out).
  const foundKeys = new Set(found.map((s) => s.toLowerCase()));
  for (const s of [...readCompletely]) if (!foundKeys.has(s)) readCompletely.delete(s);
  // A refused subscription is reported by both queries in the same words: once is enough.
  const seenProblems = new Set<string>();
  const distinct = problems.filter((p) => {
    const key = `${p.source}|${p.scope}|${p.message}`;
    if (seenProblems.has(key)) return false;
    seenProblems.add(key);
    return true;
  });
  return { clusters, chains, subscriptions, readCompletely: [...readCompletely], complete, problems: distinct };
}
