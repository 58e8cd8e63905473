import type { RuleOutcome } from '../model';
import { clusterArgs, describe, learn, OutcomeMemo, readObject, unknown, type DocumentedRule } from './common';

export const aksNodeOsUpgradeManaged: DocumentedRule = {
  id: 'aks_node_os_upgrade_managed',
  title: 'Node OS security updates are applied and nodes rebooted by a managed channel',
  severity: 'high',
  section: 'node-os-patching',
  rationale:
    'Linux nodes receive OS security patches, but some only take effect after a reboot. The NodeImage and ' +
    'SecurityPatch channels roll patched images onto the nodes; with Unmanaged, patches install but nodes never ' +
    'reboot unless something like kured does it; with None nothing is patched at all.',
  evaluation:
    '`autoUpgradeProfile.nodeOSUpgradeChannel` is read (case-insensitive). Pass: `NodeImage` or `SecurityPatch`, or ' +
    'the legacy `autoUpgradeProfile.upgradeChannel` is `node-image`. Fail medium: `Unmanaged` or missing. Fail ' +
    'high: `None`. Unknown: a value of the wrong type or an unrecognised channel.',
  references: [learn('auto-upgrade-node-os-image'), learn('node-updates-kured'), learn('node-image-upgrade')],
  remediation(cluster) {
    return `az aks update ${clusterArgs(cluster)} --node-os-upgrade-channel NodeImage`;
  },
  evaluate(cluster, ctx): RuleOutcome {
    const profile = readObject(cluster, 'autoUpgradeProfile');
    if (!profile.ok) return profile.outcome;
    const legacy = profile.value?.upgradeChannel;
    const raw = profile.value?.nodeOSUpgradeChannel;
    // The verdict depends on the two channel texts alone: one outcome per pair (a legacy value that is not text
    // counts as none, as judge reads it; a channel of another type is judged on its own).
    if (raw !== undefined && raw !== null && typeof raw !== 'string') return judge(legacy, raw);
    const keys = [typeof legacy === 'string' ? legacy : NONE, raw ?? NONE];
    return memo.get(ctx, keys, () => judge(legacy, raw));
  },
};

const memo = new OutcomeMemo();
/** A memo key for a missing value (never equal to a text). */
const NONE = {};

function judge(legacy: unknown, raw: unknown): RuleOutcome {
  const details = {
    nodeOSUpgradeChannel: typeof raw === 'string' ? raw : null,
    upgradeChannel: typeof legacy === 'string' ? legacy : null,
  };
  if (typeof legacy === 'string' && legacy.trim().toLowerCase() === 'node-image') {
    return {
      status: 'pass',
      message: 'The legacy node-image auto-upgrade channel rolls new node images onto the nodes.',
      details,
    };
  }
  const reboot = 'deploy kured or use NodeImage/SecurityPatch';
  if (raw === undefined || raw === null || raw === '') {
    return {
      status: 'fail',
      severity: 'medium',
      message: `No node OS upgrade channel is set: patches install but nodes never reboot: ${reboot}.`,
      details,
    };
  }
  if (typeof raw !== 'string') {
    return unknown(`autoUpgradeProfile.nodeOSUpgradeChannel is ${describe(raw)}, not a channel name.`, {
      field: 'properties.autoUpgradeProfile.nodeOSUpgradeChannel',
    });
  }
  switch (raw.trim().toLowerCase()) {
    case 'nodeimage':
    case 'securitypatch':
      return { status: 'pass', message: `The node OS upgrade channel is ${raw}.`, details };
    case 'unmanaged':
      return {
        status: 'fail',
        severity: 'medium',
        message: `The node OS upgrade channel is Unmanaged: patches install but nodes never reboot: ${reboot}.`,
        details,
      };
    case 'none':
      return {
        status: 'fail',
        severity: 'high',
        message: 'The node OS upgrade channel is None: nodes receive no OS security updates at all.',
        details,
      };
    default:
      return unknown(
        `autoUpgradeProfile.nodeOSUpgradeChannel is ${describe(raw)}, not a known channel (NodeImage, SecurityPatch, Unmanaged, None).`,
        { field: 'properties.autoUpgradeProfile.nodeOSUpgradeChannel', nodeOSUpgradeChannel: raw.slice(0, 200) },
      );
  }
}
