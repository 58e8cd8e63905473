// AKS notifications about clusters' Kubernetes versions (Resource Graph `containerserviceeventresources`, rows under
// their cluster's ID as the AKS Communication Manager documentation queries them), and their effect on the truth:
// a cluster notified `KubernetesVersionOutOfSupport` for its current minor fails aks_version_supported critical,
// whatever the catalog says.
import { createHash } from 'node:crypto';
import type { ClusterSpec, EventSpec, FleetModel } from './model';
import { Rng } from './random';
import type { ContainerServiceEventRow } from './types';
import { minorOf } from './truth';

export const EVENT_TYPE = 'microsoft.containerservice/managedclusters/scheduledevents';

function eventId(clusterId: string, e: EventSpec): string {
  const h = createHash('sha1').update(`${clusterId}|${e.eventType}|${e.minor}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function eventRows(clusterId: string, c: ClusterSpec, asOf: Date): ContainerServiceEventRow[] {
  return (c.events ?? []).map((e) => {
    const id = eventId(clusterId, e);
    const time = new Date(asOf.getTime() - e.daysAgo * 86_400_000).toISOString();
    return {
      id: `${clusterId}/scheduledevents/${id}`,
      name: id,
      type: EVENT_TYPE,
      subscriptionId: c.subscriptionId,
      resourceGroup: c.resourceGroup.toLowerCase(),
      properties: {
        eventId: id,
        eventType: e.eventType,
        eventStatus: 'Completed',
        kubernetesVersion: e.minor,
        lastUpdateTime: time,
        eventDetails:
          e.eventType === 'KubernetesVersionOutOfSupport'
            ? `Kubernetes version ${e.minor} is out of support. Upgrade the cluster to a supported version.`
            : `Kubernetes version ${e.minor} reaches end of support soon. Plan an upgrade.`,
      },
    };
  });
}

/** The cluster was told its current minor is out of support. */
export function notifiedOutOfSupport(c: ClusterSpec): boolean {
  const minor = minorOf(c.version);
  return (c.events ?? []).some((e) => e.eventType === 'KubernetesVersionOutOfSupport' && e.minor === minor);
}

/**
 * Notifications for a generated fleet: clusters on retired minors were told (out of support), some on soon-ending
 * minors got the two-week warning, and a few non-compliant clusters were told out of support although their
 * region's catalog still lists the minor. A separate random sequence keeps the other choices as they were.
 */
export function assignEvents(model: FleetModel, clean: (index: number) => boolean, seed: number): void {
  const rng = new Rng(seed ^ 0x65766e74);
  model.clusters.forEach((c, i) => {
    const minor = minorOf(c.version);
    if (!minor || clean(i)) return;
    const [major, m] = minor.split('.').map(Number);
    const retired = major === 1 && m <= 30;
    if (retired && rng.chance(0.7))
      c.events = [{ eventType: 'KubernetesVersionOutOfSupport', minor, daysAgo: rng.between(1, 120) }];
    else if (minor === '1.34' && rng.chance(0.5))
      c.events = [{ eventType: 'KubernetesVersionEOLTwoWeeks', minor, daysAgo: rng.between(1, 10) }];
    else if (rng.chance(0.03))
      c.events = [{ eventType: 'KubernetesVersionOutOfSupport', minor, daysAgo: rng.between(1, 30) }];
  });
}
