// AKS's own end-of-support notifications (Resource Graph `containerserviceeventresources`, read with the inventory):
// shown in the version rules' details, and a cluster AKS already told is out of support fails aks_version_supported
// whatever the region's catalog says.
import type { AksNotification, ClusterRecord, RuleOutcome } from '../model';
import { readClusterVersion } from './common';

const OUT_OF_SUPPORT = /outofsupport$/i;

function minorOf(version: string | undefined): string | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version?.trim() ?? '');
  return m ? `${Number(m[1])}.${Number(m[2])}` : undefined;
}

function shown(n: AksNotification): Record<string, unknown> {
  return {
    eventType: n.eventType,
    ...(n.kubernetesVersion ? { kubernetesVersion: n.kubernetesVersion } : {}),
    ...(n.time ? { time: n.time } : {}),
    ...(n.details ? { details: n.details.slice(0, 300) } : {}),
  };
}

/** The outcome with the cluster's notifications in its details (and their read failure, when they were not read). */
export function withNotifications(cluster: ClusterRecord, outcome: RuleOutcome): RuleOutcome {
  const notes = cluster.notifications;
  if (!notes) return outcome;
  const extra = notes.readable
    ? notes.items.length > 0
      ? { aksNotifications: notes.items.slice(0, 20).map(shown) }
      : {}
    : { aksNotifications: `not read: ${notes.reason}` };
  if (Object.keys(extra).length === 0) return outcome;
  return { ...outcome, details: { ...(outcome.details ?? {}), ...extra } };
}

/** An OutOfSupport notification for the cluster's current minor (one naming no version counts too). */
export function outOfSupportNotice(cluster: ClusterRecord): AksNotification | undefined {
  const notes = cluster.notifications;
  if (!notes?.readable) return undefined;
  const version = readClusterVersion(cluster);
  const current = version.ok ? minorOf(version.value.text) : undefined;
  return notes.items.find((n) => {
    if (!OUT_OF_SUPPORT.test(n.eventType)) return false;
    const minor = minorOf(n.kubernetesVersion);
    return minor === undefined || minor === current;
  });
}

/** aks_version_supported: AKS's own out-of-support notice fails the cluster critical, even against the catalog. */
export function applyOutOfSupportNotice(cluster: ClusterRecord, outcome: RuleOutcome): RuleOutcome {
  const notice = outOfSupportNotice(cluster);
  const judged = withNotifications(cluster, outcome);
  if (!notice || (judged.status === 'fail' && judged.severity === 'critical')) return judged;
  const catalogSaid =
    judged.status === 'unknown'
      ? 'the catalog could not tell'
      : `the catalog alone gives ${judged.status}${judged.severity ? ` (${judged.severity})` : ''}`;
  return {
    status: 'fail',
    severity: 'critical',
    message:
      `AKS notified that this cluster's Kubernetes version ${notice.kubernetesVersion ?? ''} is out of support ` +
      `(${notice.eventType}${notice.time ? `, ${notice.time}` : ''}); ${catalogSaid}: ${judged.message}`.replace(
        /\s+\(/,
        ' (',
      ),
    details: { ...(judged.details ?? {}), notifiedOutOfSupport: shown(notice) },
  };
}
