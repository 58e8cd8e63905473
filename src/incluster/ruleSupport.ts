// Shared reading and wording for the in-cluster rules (src/rules/aks_k8s_*.ts, aks_node_reboot_*.ts).
import type { ClusterRecord, InClusterState, K8sBinding, K8sList, RuleContext, RuleOutcome } from '../model';
import { clusterArgs, shellArg } from '../rules/common';

export const IN_CLUSTER_OFF =
  'In-cluster reads are off (set AKS_COMPLIANCE_IN_CLUSTER=true, or give `evaluate --kube DIR`), so bindings, ' +
  'DaemonSets and nodes were not read';

// Shared by every cluster of a run without in-cluster reads (findings never mutate an outcome).
const OFF = { ok: false, outcome: { status: 'unknown', message: IN_CLUSTER_OFF, details: {} } } as const;

/** The cluster's in-cluster state, or the unknown outcome saying why there is none. */
export function inClusterOf(
  cluster: ClusterRecord,
  ctx: RuleContext,
): { ok: true; state: InClusterState } | { ok: false; outcome: RuleOutcome } {
  if (!ctx.inCluster) return OFF;
  const read = ctx.inCluster.read(cluster);
  if (!read) {
    return {
      ok: false,
      outcome: {
        status: 'unknown',
        message: 'The cluster was not read by the in-cluster pass of this run',
        details: {},
      },
    };
  }
  if (!read.readable) {
    return {
      ok: false,
      outcome: {
        status: 'unknown',
        message: `The cluster's Kubernetes API could not be read: ${read.reason}`,
        details: { reason: read.reason },
      },
    };
  }
  return { ok: true, state: read.state };
}

/** "clusterrolebindings: <reason>" for the lists that could not be read. */
export function unreadableLists(lists: Record<string, K8sList<unknown>>): string[] {
  return Object.entries(lists)
    .filter(([, l]) => !l.readable)
    .map(([name, l]) => `${name}: ${(l as { reason: string }).reason}`);
}

export function bindingLabel(b: K8sBinding): string {
  return b.kind === 'RoleBinding' ? `RoleBinding ${b.namespace ?? ''}/${b.name}` : `ClusterRoleBinding ${b.name}`;
}

// A few kubectl commands recur on every cluster: each is quoted once.
const quotedCommands = new Map<string, string>();

/** `az aks command invoke` running one kubectl command on the cluster (works for private clusters too). */
export function kubectlInvoke(cluster: ClusterRecord, command: string): string {
  let quoted = quotedCommands.get(command);
  if (quoted === undefined) {
    quoted = shellArg(command);
    if (quotedCommands.size >= 1_000) quotedCommands.clear();
    quotedCommands.set(command, quoted);
  }
  return `az aks command invoke ${clusterArgs(cluster)} --command ${quoted}`;
}

/** Kubernetes' built-in identities (`system:masters`, `system:serviceaccount:...`, `system:nodes`, ...). */
export function isSystemName(name: string): boolean {
  return name.startsWith('system:');
}
