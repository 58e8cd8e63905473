import type { RuleOutcome } from '../model';
import type { RuleContext } from '../model';
import { clusterArgs, describe, learn, OutcomeMemo, readObject, unknown, type DocumentedRule } from './common';

const PASSING = ['patch', 'stable', 'rapid'];
const FAILING = ['none', 'node-image'];

export const aksAutoUpgradeEnabled: DocumentedRule = {
  id: 'aks_auto_upgrade_enabled',
  title: 'Cluster auto-upgrade channel keeps Kubernetes patched',
  severity: 'medium',
  section: 'version-upgrades',
  rationale:
    'An auto-upgrade channel (patch, stable or rapid) applies Kubernetes patch releases without waiting for someone ' +
    'to remember, so clusters stay on supported, patched versions.',
  evaluation:
    '`autoUpgradeProfile.upgradeChannel` is read (case-insensitive). Pass: `patch`, `stable` or `rapid`. Fail medium: ' +
    '`none`, missing, or the legacy `node-image` channel (it upgrades node images only, never Kubernetes). ' +
    'Unknown: a value of the wrong type or an unrecognised channel.',
  references: [learn('auto-upgrade-cluster'), learn('upgrade-cluster')],
  remediation(cluster) {
    return `az aks update ${clusterArgs(cluster)} --auto-upgrade-channel patch`;
  },
  evaluate(cluster, ctx): RuleOutcome {
    const profile = readObject(cluster, 'autoUpgradeProfile');
    if (!profile.ok) return profile.outcome;
    const raw = profile.value?.upgradeChannel;
    if (raw === undefined || raw === null || raw === '') return NOT_SET;
    if (typeof raw !== 'string') {
      return unknown(`autoUpgradeProfile.upgradeChannel is ${describe(raw)}, not a channel name.`, {
        field: 'properties.autoUpgradeProfile.upgradeChannel',
      });
    }
    return judgeChannel(ctx, raw);
  },
};

const NOT_SET: RuleOutcome = {
  status: 'fail',
  severity: 'medium',
  message:
    'No auto-upgrade channel is set (autoUpgradeProfile.upgradeChannel is missing): Kubernetes patches wait for a manual upgrade.',
  details: { upgradeChannel: null },
};

const memo = new OutcomeMemo();

// The verdict depends on the channel text alone: one outcome per text, shared by the clusters that set it.
function judgeChannel(ctx: RuleContext, raw: string): RuleOutcome {
  return memo.get(ctx, [raw], () => {
    const channel = raw.trim().toLowerCase();
    if (PASSING.includes(channel)) {
      return {
        status: 'pass',
        message: `The auto-upgrade channel is ${channel}.`,
        details: { upgradeChannel: raw },
      };
    }
    if (channel === 'node-image') {
      return {
        status: 'fail',
        severity: 'medium',
        message:
          'The auto-upgrade channel is the legacy node-image channel: it upgrades node images only, never the Kubernetes version.',
        details: { upgradeChannel: raw },
      };
    }
    if (FAILING.includes(channel)) {
      return {
        status: 'fail',
        severity: 'medium',
        message: 'The auto-upgrade channel is none: Kubernetes patches wait for a manual upgrade.',
        details: { upgradeChannel: raw },
      };
    }
    return unknown(
      `autoUpgradeProfile.upgradeChannel is ${describe(raw)}, not a known channel (patch, stable, rapid, node-image, none).`,
      {
        field: 'properties.autoUpgradeProfile.upgradeChannel',
        upgradeChannel: raw.slice(0, 200),
      },
    );
  });
}
