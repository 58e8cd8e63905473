// Which clusters a run speaks for, and the order its report listed them in: written by the recorder, read back when
// the run's report is rebuilt.
import { normaliseId, type ScanReport } from '../model';

/** What recordRun needs to know of the run's scope beyond its report. */
export interface ScopeOptions {
  narrowed?: boolean;
  clusterId?: string;
  coveredSubscriptions?: string[];
}

/**
 * The subscriptions a run narrowed to management groups speaks for (lower case, sorted): those its inventory found
 * under them and those of the clusters it reported. Undefined for any other run.
 */
export function coveredSubscriptions(
  report: Pick<ScanReport, 'scope' | 'clusters'>,
  options: ScopeOptions,
): string[] | undefined {
  const byGroups =
    options.narrowed === true &&
    options.clusterId === undefined &&
    (report.scope.subscriptions ?? []).length === 0 &&
    (report.scope.managementGroups ?? []).length > 0;
  if (!byGroups) return undefined;
  const list = [...(options.coveredSubscriptions ?? []), ...report.clusters.map((c) => c.subscriptionId)];
  return [...new Set(list.map((sub) => sub.trim().toLowerCase()))].sort();
}

/**
 * Which clusters a run speaks for: one cluster, its subscriptions, the subscriptions a narrowed management-group
 * scope covered, or (tenant or configured management group scope) all. Takes normalised IDs.
 */
export function scopeFilter(
  scope: { subscriptions?: string[]; managementGroups?: string[] },
  clusterId?: string,
  covered?: string[],
): (normalisedClusterId: string) => boolean {
  if (clusterId) {
    const only = normaliseId(clusterId);
    return (id) => id === only;
  }
  let subscriptions = new Set((scope.subscriptions ?? []).map((sub) => sub.trim().toLowerCase()));
  if (subscriptions.size === 0 && covered !== undefined) subscriptions = new Set(covered);
  else if (subscriptions.size === 0) return () => true;
  return (id) => subscriptions.has(/^\/subscriptions\/([^/]+)\//.exec(id)?.[1] ?? '');
}

/** Two lists of subscriptions or management groups name the same set (case and order aside). */
export function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const norm = (xs: readonly string[] | undefined) =>
    [...new Set((xs ?? []).map((x) => x.trim().toLowerCase()))].sort().join(',');
  return norm(a) === norm(b);
}

/** Two scans' scopes are the same (their subscriptions and management groups). */
export function sameScope(
  a: { subscriptions?: readonly string[]; managementGroups?: readonly string[] },
  b: { subscriptions?: readonly string[]; managementGroups?: readonly string[] },
): boolean {
  return sameList(a.subscriptions, b.subscriptions) && sameList(a.managementGroups, b.managementGroups);
}

export function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The report's cluster order as positions in ID order, or undefined when the report is in ID order (Resource Graph
 * returns `order by id asc`, so usually nothing needs storing).
 */
export function clusterOrder(clusters: { id: string }[]): number[] | undefined {
  const sorted = clusters.map((c, i) => ({ id: c.id, i })).sort(byId);
  if (sorted.every((c, k) => c.i === k)) return undefined;
  const order = new Array<number>(clusters.length);
  sorted.forEach((c, k) => (order[c.i] = k));
  return order;
}

/** Clusters in ID order put back in the report's order (`order` as clusterOrder made it). */
export function inReportOrder<T>(sorted: T[], order: unknown): T[] {
  if (!Array.isArray(order) || order.length !== sorted.length) return sorted;
  return (order as number[]).map((k) => sorted[k]);
}
