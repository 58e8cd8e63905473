import { compareMinor, minorKey, parseVersion } from '../catalog/support';
import type { RuleOutcome } from '../model';
import {
  describe,
  learn,
  nodepoolArgs,
  OutcomeMemo,
  readClusterVersion,
  readPools,
  shellArg,
  unknown,
  type ClusterVersion,
  type DocumentedRule,
  type PoolEntry,
} from './common';

interface PoolVersion {
  name: string;
  version: string;
}

export const aksNodePoolsMatchControlPlane: DocumentedRule = {
  id: 'aks_node_pools_match_control_plane',
  title: 'Every node pool runs the control plane minor version',
  severity: 'medium',
  section: 'version-upgrades',
  rationale:
    'Node pools left on an older minor miss the fixes of the control plane version, drift towards the skew limit ' +
    'and fall out of support before the control plane does; upgrade them together with the control plane.',
  evaluation:
    "Each agent pool's `currentOrchestratorVersion` (falling back to `orchestratorVersion`) is compared, as numbers, " +
    "with the control plane minor. Pass: every pool is on the control plane's minor. Fail medium: any pool on an " +
    'older minor; the message lists those pools and versions. Unknown: the control plane version or the pool list ' +
    'cannot be read, or a pool version cannot be read and no pool is older. Not applicable: the cluster lists no pools.',
  references: [learn('upgrade-aks-cluster'), learn('manage-node-pools'), learn('supported-kubernetes-versions')],
  remediation(cluster, outcome) {
    const version =
      typeof outcome.details?.controlPlaneVersion === 'string' ? outcome.details.controlPlaneVersion : undefined;
    const older = Array.isArray(outcome.details?.olderPools) ? (outcome.details.olderPools as PoolVersion[]) : [];
    if (!version || older.length === 0) return `az aks nodepool list ${nodepoolArgs(cluster)} --output table`;
    return older
      .map(
        (p) =>
          `az aks nodepool upgrade ${nodepoolArgs(cluster)} --name ${shellArg(p.name)} --kubernetes-version ${version}`,
      )
      .join(' && ');
  },
  evaluate(cluster, ctx): RuleOutcome {
    const version = readClusterVersion(cluster);
    if (!version.ok) return version.outcome;
    const pools = readPools(cluster);
    if (!pools.ok) return pools.outcome;
    const key = poolsKey(version.value, pools.value);
    if (key === undefined) return judge(version.value, pools.value);
    return memo.get(ctx, key, () => judge(version.value, pools.value));
  },
};

const memo = new OutcomeMemo();

// Clusters whose control plane and pools carry the same versions under the same names get the same verdict. The
// keys are every value judge reads; undefined when a pool version is not text (judged on its own).
function poolsKey(version: ClusterVersion, pools: PoolEntry[]): unknown[] | undefined {
  const keys = new Array<unknown>(1 + 2 * pools.length);
  keys[0] = version;
  for (let i = 0; i < pools.length; i++) {
    const { name, pool } = pools[i];
    const raw = pool.currentOrchestratorVersion ?? pool.orchestratorVersion;
    if (typeof raw !== 'string') return undefined;
    keys[1 + 2 * i] = name;
    keys[2 + 2 * i] = raw;
  }
  return keys;
}

function judge(version: ClusterVersion, pools: PoolEntry[]): RuleOutcome {
  const controlMinor = minorKey(version.version);
  if (pools.length === 0) {
    return {
      status: 'not_applicable',
      message: 'The cluster lists no agent pools.',
      details: { controlPlaneVersion: version.text },
    };
  }
  const older: PoolVersion[] = [];
  const unreadable: { name: string; problem: string }[] = [];
  for (const { name, pool } of pools) {
    const raw = pool.currentOrchestratorVersion ?? pool.orchestratorVersion;
    const parsed = parseVersion(raw);
    if (!parsed) {
      unreadable.push({ name, problem: `currentOrchestratorVersion/orchestratorVersion is ${describe(raw)}` });
      continue;
    }
    if (compareMinor(parsed, version.version) < 0) older.push({ name, version: (raw as string).trim() });
  }
  const details = { controlPlaneVersion: version.text, olderPools: older, unreadablePools: unreadable };
  if (older.length > 0) {
    return {
      status: 'fail',
      severity: 'medium',
      message:
        `Node pools on an older minor than the control plane ${controlMinor}: ` +
        older.map((p) => `${p.name} (${p.version})`).join(', ') +
        '.',
      details,
    };
  }
  if (unreadable.length > 0) {
    return unknown(
      'Node pool version could not be read: ' + unreadable.map((p) => `${p.name} ${p.problem}`).join('; ') + '.',
      details,
    );
  }
  return {
    status: 'pass',
    message: `Every node pool (${pools.map((p) => p.name).join(', ')}) runs the control plane minor ${controlMinor}.`,
    details,
  };
}
