// Reboot debt: nodes of one pool on different kernels, or kured stuck holding its reboot lock.
import type { K8sNode, RuleOutcome } from '../model';
import { parseKuredLock } from '../incluster/parse';
import { inClusterOf, kubectlInvoke } from '../incluster/ruleSupport';
import { learn, nodepoolArgs, plural, shellArg, type DocumentedRule } from './common';

const LOCK_MAX_AGE_MS = 24 * 3_600_000;
const NO_POOL = '(no agent pool label)';

interface Skew {
  pool: string;
  kernels: { kernelVersion: string; nodes: string[] }[];
}

function kernelSkew(nodes: K8sNode[]): Skew[] {
  const byPool = new Map<string, Map<string, string[]>>();
  for (const n of nodes) {
    if (!n.kernelVersion) continue;
    const pool = n.pool ?? NO_POOL;
    let kernels = byPool.get(pool);
    if (!kernels) byPool.set(pool, (kernels = new Map()));
    const list = kernels.get(n.kernelVersion) ?? [];
    list.push(n.name);
    kernels.set(n.kernelVersion, list);
  }
  const out: Skew[] = [];
  for (const [pool, kernels] of byPool) {
    if (kernels.size < 2) continue;
    out.push({
      pool,
      kernels: [...kernels].map(([kernelVersion, names]) => ({ kernelVersion, nodes: names.sort() })),
    });
  }
  return out.sort((a, b) => (a.pool < b.pool ? -1 : 1));
}

export const aksNodeRebootPending: DocumentedRule = {
  id: 'aks_node_reboot_pending',
  title: 'No node is waiting for a reboot',
  severity: 'medium',
  section: 'node-os-patching',
  rationale:
    'Nodes of one pool start from the same image; when their kernels differ, some nodes installed a new kernel and ' +
    'others did not reboot into it (or a reboot was skipped). kured reboots one node at a time under a lock; a lock ' +
    'held for more than a day means reboots have stopped and every other node waits.',
  references: [learn('node-updates-kured'), 'https://kured.dev/docs/operation/', learn('node-image-upgrade')],
  evaluation:
    'Reads the nodes and groups them by the `kubernetes.azure.com/agentpool` label: a pool whose nodes report ' +
    "different `status.nodeInfo.kernelVersion` values fails medium, naming the nodes per kernel. kured's lock " +
    '(the `weave.works/kured-node-lock` annotation on its DaemonSet, `{"nodeID":..,"created":..}`) older than 24 ' +
    'hours at the as-of time fails medium, naming the node holding it. Unknown when nodes (or, with no skew found, ' +
    'DaemonSets) could not be read, or the cluster could not be reached.',
  evaluate(cluster, ctx): RuleOutcome {
    const read = inClusterOf(cluster, ctx);
    if (!read.ok) return read.outcome;
    const { nodes, daemonSets } = read.state;
    if (!nodes.readable) return { status: 'unknown', message: `Nodes could not be read: ${nodes.reason}`, details: {} };
    const skew = kernelSkew(nodes.items);
    const stale: { daemonSet: string; node: string; since: string; hours: number }[] = [];
    const lockProblems: string[] = [];
    if (daemonSets.readable) {
      for (const d of daemonSets.items) {
        if (!d.kured || d.kuredLock === undefined) continue;
        const lock = parseKuredLock(d.kuredLock);
        if (!lock) {
          lockProblems.push(`${d.namespace}/${d.name}: the lock annotation is not JSON`);
          continue;
        }
        if (!lock.nodeID) continue; // released locks keep the annotation with an empty holder
        if (!lock.created) {
          lockProblems.push(`${d.namespace}/${d.name}: the lock held by ${lock.nodeID} has no readable "created" time`);
          continue;
        }
        const age = ctx.asOf.getTime() - lock.created.getTime();
        if (age > LOCK_MAX_AGE_MS) {
          stale.push({
            daemonSet: `${d.namespace}/${d.name}`,
            node: lock.nodeID,
            since: lock.created.toISOString(),
            hours: Math.floor(age / 3_600_000),
          });
        }
      }
    }
    const details: Record<string, unknown> = {
      nodes: nodes.items.length,
      kernelSkew: skew,
      staleKuredLocks: stale,
      ...(lockProblems.length ? { lockProblems } : {}),
      ...(daemonSets.readable ? {} : { unreadable: [`daemonsets: ${daemonSets.reason}`] }),
    };
    if (skew.length > 0 || stale.length > 0) {
      const parts = [
        ...skew.map(
          (s) =>
            `pool ${s.pool} runs ${s.kernels.length} kernels (${s.kernels
              .map((k) => `${k.kernelVersion}: ${k.nodes.slice(0, 5).join(', ')}${k.nodes.length > 5 ? ', ...' : ''}`)
              .join('; ')})`,
        ),
        ...stale.map((l) => `kured's lock (${l.daemonSet}) is held by ${l.node} since ${l.since} (${l.hours} h)`),
      ];
      return { status: 'fail', severity: 'medium', message: `Reboots pending: ${parts.join('; ')}`, details };
    }
    if (!daemonSets.readable) {
      return {
        status: 'unknown',
        message: `Node kernels agree, but DaemonSets could not be read (kured's lock not checked): ${daemonSets.reason}`,
        details,
      };
    }
    if (lockProblems.length > 0) {
      return { status: 'unknown', message: `kured's lock could not be read: ${lockProblems.join('; ')}`, details };
    }
    return {
      status: 'pass',
      message: `${plural(nodes.items.length, 'node')}: each pool runs one kernel and no kured lock is stale`,
      details,
    };
  },
  remediation(cluster, outcome): string {
    const skew = Array.isArray(outcome.details?.kernelSkew) ? (outcome.details.kernelSkew as Skew[]) : [];
    const pool = skew.find((s) => s.pool !== NO_POOL)?.pool;
    if (outcome.status === 'fail' && pool) {
      return `az aks nodepool upgrade ${nodepoolArgs(cluster)} --name ${shellArg(pool)} --node-image-only`;
    }
    if (outcome.status === 'fail') {
      return kubectlInvoke(cluster, 'kubectl -n kube-system describe daemonset kured');
    }
    return kubectlInvoke(cluster, 'kubectl get nodes -o wide');
  },
};

export default aksNodeRebootPending;
