// On the Unmanaged node OS channel, patches install but nothing reboots the nodes unless kured runs.
import type { RuleOutcome } from '../model';
import { inClusterOf } from '../incluster/ruleSupport';
import {
  clusterArgs,
  describe,
  learn,
  OutcomeMemo,
  readObject,
  readPools,
  unknown,
  type DocumentedRule,
} from './common';

/** Whether the cluster's node OS patching leaves reboots to the user: Unmanaged, or no channel at all. */
export function rebootsLeftToUser(
  profile: Record<string, unknown> | undefined,
): { applies: true; channel: string } | { applies: false; channel: string } | { error: string } {
  const legacy = profile?.upgradeChannel;
  if (typeof legacy === 'string' && legacy.trim().toLowerCase() === 'node-image')
    return { applies: false, channel: 'legacy upgradeChannel node-image' };
  const raw = profile?.nodeOSUpgradeChannel;
  if (raw === undefined || raw === null || raw === '') return { applies: true, channel: 'not set' };
  if (typeof raw !== 'string') return { error: `autoUpgradeProfile.nodeOSUpgradeChannel is ${describe(raw)}` };
  return raw.trim().toLowerCase() === 'unmanaged' ? { applies: true, channel: raw } : { applies: false, channel: raw };
}

const managedChannels = new OutcomeMemo();

export const aksNodeRebootManaged: DocumentedRule = {
  id: 'aks_node_reboot_managed',
  title: 'Nodes on the Unmanaged node OS channel are rebooted by kured',
  severity: 'high',
  section: 'node-os-patching',
  rationale:
    'On the Unmanaged channel (or with no channel set) Linux nodes install security updates nightly, but kernel and ' +
    'library fixes only take effect after a reboot, which AKS does not do. Without kured (the Kubernetes Reboot ' +
    'Daemon) or a managed channel, patches install and nodes never reboot.',
  references: [learn('node-updates-kured'), learn('auto-upgrade-node-os-image'), 'https://kured.dev/docs/'],
  evaluation:
    'Applies when `autoUpgradeProfile.nodeOSUpgradeChannel` is `Unmanaged` or not set (and the legacy ' +
    '`upgradeChannel` is not `node-image`) and the cluster has a Linux pool; other channels and Windows-only ' +
    'clusters are not applicable. Passes when a kured DaemonSet (by name, `app.kubernetes.io/name` label or image) ' +
    'has every scheduled pod ready; fails high otherwise. Unknown when DaemonSets could not be read or the cluster ' +
    'could not be reached.',
  evaluate(cluster, ctx): RuleOutcome {
    const profile = readObject(cluster, 'autoUpgradeProfile');
    if (!profile.ok) return profile.outcome;
    const channel = rebootsLeftToUser(profile.value);
    if ('error' in channel)
      return unknown(`${channel.error}, not a channel name`, {
        field: 'properties.autoUpgradeProfile.nodeOSUpgradeChannel',
      });
    if (!channel.applies) {
      // One outcome per channel text, shared by the clusters on it.
      const text = channel.channel;
      return managedChannels.get(ctx, [text], () => ({
        status: 'not_applicable',
        message: `The node OS upgrade channel (${text}) reboots nodes itself`,
        details: { channel: text },
      }));
    }
    const pools = readPools(cluster);
    if (!pools.ok) return pools.outcome;
    const linux = pools.value.filter((p) => String(p.pool.osType ?? 'Linux').toLowerCase() !== 'windows');
    if (linux.length === 0) {
      return {
        status: 'not_applicable',
        message: 'The cluster has no Linux node pool (kured reboots Linux nodes only)',
        details: { channel: channel.channel },
      };
    }
    const read = inClusterOf(cluster, ctx);
    if (!read.ok) return read.outcome;
    const ds = read.state.daemonSets;
    const poolNames = linux.map((p) => p.name);
    if (!ds.readable) {
      return unknown(`DaemonSets could not be read: ${ds.reason}`, { channel: channel.channel, linuxPools: poolNames });
    }
    const kured = ds.items.filter((d) => d.kured);
    const details = {
      channel: channel.channel,
      linuxPools: poolNames,
      kured: kured.map((d) => ({ namespace: d.namespace, name: d.name, desired: d.desired, ready: d.ready })),
    };
    const ready = kured.find((d) => d.desired > 0 && d.ready >= d.desired);
    if (ready) {
      return {
        status: 'pass',
        message: `kured (${ready.namespace}/${ready.name}) runs on ${ready.ready} of ${ready.desired} nodes and reboots the nodes after patches`,
        details,
      };
    }
    const why =
      kured.length === 0
        ? 'no kured DaemonSet runs'
        : `kured is not ready (${kured.map((d) => `${d.namespace}/${d.name}: ${d.ready} of ${d.desired} ready`).join('; ')})`;
    return {
      status: 'fail',
      severity: 'high',
      message: `Node OS channel ${channel.channel} and ${why}: patches install, nodes never reboot`,
      details,
    };
  },
  remediation(cluster): string {
    return `az aks update ${clusterArgs(cluster)} --node-os-upgrade-channel SecurityPatch # or deploy kured: https://kured.dev/docs/installation/`;
  },
};

export default aksNodeRebootManaged;
