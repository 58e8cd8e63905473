// AKS's notifications about clusters' Kubernetes versions (Resource Graph `containerserviceeventresources`), read in
// the inventory pass over the same scopes as the clusters and attached to each cluster record.
import type { AksNotification, ClusterNotifications, ClusterRecord, ScanProblem } from '../model';
import { normaliseId } from '../model';
import { CLUSTER_EVENTS_QUERY } from './queries';
import type { ResourceGraphReader, ResourceGraphScope } from './resourceGraph';

interface EventRow {
  id?: unknown;
  eventType?: unknown;
  kubernetesVersion?: unknown;
  eventTime?: unknown;
  eventDetails?: unknown;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The cluster a notification row belongs to: its ID up to `/scheduledevents/`. */
export function clusterOfEvent(id: string): string | undefined {
  const at = id.toLowerCase().indexOf('/scheduledevents/');
  return at > 0 ? normaliseId(id.slice(0, at)) : undefined;
}

/**
 * Reads the notifications of every scope: `of(cluster)` gives the rows found for a cluster, or why they could not be
 * read (a scope whose read was incomplete makes every cluster's notifications unreadable).
 */
export async function readNotifications(
  reader: ResourceGraphReader,
  scopes: ResourceGraphScope[],
): Promise<{ problems: ScanProblem[]; of: (cluster: Pick<ClusterRecord, 'id'>) => ClusterNotifications }> {
  const problems: ScanProblem[] = [];
  const byCluster = new Map<string, AksNotification[]>();
  let failure: string | undefined;
  for (const scope of scopes) {
    const read = await reader.queryAll<EventRow>(CLUSTER_EVENTS_QUERY, scope);
    problems.push(...read.problems);
    if (!read.complete) failure ??= read.problems[0]?.message ?? 'the read was incomplete';
    for (const row of read.rows) {
      const id = text(row?.id);
      const eventType = text(row?.eventType);
      const cluster = id ? clusterOfEvent(id) : undefined;
      if (!id || !eventType || !cluster) continue;
      const list = byCluster.get(cluster) ?? [];
      const kubernetesVersion = text(row.kubernetesVersion);
      const time = text(row.eventTime);
      const details = text(row.eventDetails);
      list.push({
        id,
        eventType,
        ...(kubernetesVersion ? { kubernetesVersion } : {}),
        ...(time ? { time } : {}),
        ...(details ? { details } : {}),
      });
      byCluster.set(cluster, list);
    }
  }
  const unreadable: ClusterNotifications | undefined = failure
    ? {
        readable: false,
        reason: `AKS notifications (containerserviceeventresources) could not all be read: ${failure}`,
      }
    : undefined;
  return {
    problems: problems.map((p) => ({ ...p, scope: p.scope || 'containerserviceeventresources' })),
    of: (cluster) => unreadable ?? { readable: true, items: byCluster.get(normaliseId(cluster.id)) ?? [] },
  };
}
