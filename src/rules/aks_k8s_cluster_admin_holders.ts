// A break-glass inventory: who effectively holds cluster-admin, with groups expanded to their transitive members.
import type { RuleContext, RuleOutcome } from '../model';
import { adminGroupIdsOf } from '../identity/accessView';
import { bindingLabel, inClusterOf, isSystemName, kubectlInvoke } from '../incluster/ruleSupport';
import { clusterArgs, learn, plural, type DocumentedRule } from './common';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DETAILS_MAX = 100;

export interface AdminHolder {
  kind: string;
  name: string;
  /** Where the holder comes from: a ClusterRoleBinding or `aadProfile.adminGroupObjectIDs`. */
  via: string[];
  displayName?: string;
  /** Effective holders it stands for (1 for a user or service account, the transitive member count of a group). */
  holders?: number;
  /** Why it is not counted, or why its count is unknown. */
  note?: string;
  counted: boolean;
}

function groupCount(id: string, ctx: RuleContext): Pick<AdminHolder, 'holders' | 'note' | 'displayName'> {
  if (!GUID.test(id)) return { note: 'not an Entra ID object ID: its members cannot be counted' };
  if (!ctx.access) return { note: 'the directory was not read' };
  const lookup = ctx.access.principal(id);
  if (lookup.state === 'unreadable') return { note: lookup.reason };
  if (lookup.state === 'absent') return { holders: 0, note: 'not in the directory' };
  const displayName = lookup.object.displayName;
  const named = displayName ? { displayName } : {};
  if (lookup.object.kind === 'user') return { ...named, holders: 1 };
  if (lookup.object.kind !== 'group') return { ...named, holders: 1 };
  const count = ctx.access.transitiveMemberCount(id);
  if (count.state === 'known') return { ...named, holders: count.count };
  return {
    ...named,
    note: `member count ${count.state === 'not_checked' ? 'not checked' : 'unreadable'}: ${count.reason}`,
  };
}

export const aksK8sClusterAdminHolders: DocumentedRule = {
  id: 'aks_k8s_cluster_admin_holders',
  title: 'Few identities hold cluster-admin',
  severity: 'low',
  section: 'identity-and-access',
  rationale:
    'cluster-admin can do anything in the cluster, including reading every secret. Holders accumulate through ' +
    'ClusterRoleBindings and the Entra ID admin groups; with groups expanded, the real number is often far larger ' +
    'than the bindings suggest. The details are the break-glass inventory an access review needs.',
  references: [
    learn('operator-best-practices-identity'),
    learn('manage-azure-rbac'),
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/',
  ],
  evaluation:
    'Holders are the subjects of every ClusterRoleBinding to the ClusterRole `cluster-admin` plus the ' +
    '`aadProfile.adminGroupObjectIDs` groups. Groups count as their transitive member count from Microsoft Graph ' +
    '(a member of two groups counts twice), users and service accounts as one. `system:` identities (such as ' +
    "`system:masters` in Kubernetes' own bootstrap binding) are listed but not counted. Fails low when the count " +
    'exceeds `AKS_COMPLIANCE_MAX_CLUSTER_ADMINS` (default 10); unknown when a count could not be read and the known ' +
    'ones stay within the limit, or when the cluster could not be read.',
  evaluate(cluster, ctx): RuleOutcome {
    const read = inClusterOf(cluster, ctx);
    if (!read.ok) return read.outcome;
    const crbs = read.state.clusterRoleBindings;
    const holders = new Map<string, AdminHolder>();
    const add = (kind: string, name: string, via: string): AdminHolder => {
      const key = `${kind}|${kind === 'ServiceAccount' ? name : name.toLowerCase()}`;
      let h = holders.get(key);
      if (!h) holders.set(key, (h = { kind, name, via: [], counted: false }));
      if (!h.via.includes(via)) h.via.push(via);
      return h;
    };
    if (crbs.readable) {
      for (const b of crbs.items) {
        if (b.roleRef.kind !== 'ClusterRole' || b.roleRef.name !== 'cluster-admin') continue;
        for (const s of b.subjects) {
          const name = s.kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name;
          add(s.kind, name, bindingLabel(b));
        }
      }
    }
    for (const id of adminGroupIdsOf(cluster) ?? []) add('Group', id.trim(), 'aadProfile.adminGroupObjectIDs');

    let total = 0;
    const uncounted: AdminHolder[] = [];
    for (const h of holders.values()) {
      if (isSystemName(h.name)) {
        h.note = 'a Kubernetes system identity: not counted';
        continue;
      }
      if (h.kind === 'Group') Object.assign(h, groupCount(h.name, ctx));
      else if (h.kind === 'User' && GUID.test(h.name) && ctx.access) {
        const lookup = ctx.access.principal(h.name);
        if (lookup.state === 'found' && lookup.object.displayName) h.displayName = lookup.object.displayName;
        h.holders = 1;
      } else h.holders = 1;
      if (h.holders === undefined) uncounted.push(h);
      else {
        h.counted = true;
        total += h.holders;
      }
    }
    const list = [...holders.values()];
    const max = ctx.maxClusterAdmins;
    const details: Record<string, unknown> = {
      effectiveHolders: total,
      maxClusterAdmins: max,
      holders: list.slice(0, DETAILS_MAX),
      ...(list.length > DETAILS_MAX ? { holdersOmitted: list.length - DETAILS_MAX } : {}),
      ...(crbs.readable ? {} : { unreadable: [`clusterrolebindings: ${crbs.reason}`] }),
    };
    const label = (h: AdminHolder) =>
      `${h.displayName ? `${h.displayName} (${h.name})` : h.name}${h.holders !== undefined && h.kind === 'Group' ? `: ${h.holders}` : ''}`;
    const shown = list
      .filter((h) => h.counted)
      .slice(0, 10)
      .map(label)
      .join('; ');
    if (total > max) {
      return {
        status: 'fail',
        severity: 'low',
        message:
          `${total} effective cluster-admin holders, more than ${max}: ${shown}` +
          (uncounted.length || !crbs.readable ? ' (at least; some could not be counted)' : ''),
        details,
      };
    }
    if (!crbs.readable) {
      return {
        status: 'unknown',
        message: `ClusterRoleBindings could not be read (${crbs.reason}); admin groups alone give ${total}`,
        details,
      };
    }
    if (uncounted.length > 0) {
      return {
        status: 'unknown',
        message:
          `${plural(uncounted.length, 'cluster-admin group')} could not be counted ` +
          `(${uncounted
            .slice(0, 5)
            .map((h) => `${h.name}: ${h.note}`)
            .join('; ')}); the others give ${total}`,
        details,
      };
    }
    return {
      status: 'pass',
      message: `${total} effective cluster-admin ${total === 1 ? 'holder' : 'holders'}, at most ${max}${shown ? `: ${shown}` : ''}`,
      details,
    };
  },
  remediation(cluster, outcome): string {
    if (outcome.status === 'fail')
      return (
        kubectlInvoke(cluster, 'kubectl get clusterrolebindings -o wide') +
        ` # and review: az aks show ${clusterArgs(cluster)} --query aadProfile.adminGroupObjectIDs`
      );
    return kubectlInvoke(cluster, 'kubectl get clusterrolebindings -o wide');
  },
};

export default aksK8sClusterAdminHolders;
