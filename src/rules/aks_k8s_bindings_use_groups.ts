// Kubernetes RBAC inside the cluster: ClusterRoleBindings and RoleBindings bind Entra ID groups, not individual users.
import type { K8sBinding, K8sClusterRole, RuleContext, RuleOutcome, Severity } from '../model';
import { severityRank } from '../model';
import { bindingLabel, inClusterOf, isSystemName, kubectlInvoke, unreadableLists } from '../incluster/ruleSupport';
import { learn, plural, type DocumentedRule } from './common';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ADMIN_ROLES = new Set(['cluster-admin', 'admin']);
/** At most this many entries per list go into a finding's details. */
const DETAILS_MAX = 100;

export type UserSubjectClass =
  'member' | 'guest' | 'not_in_directory' | 'not_a_user' | 'unresolved' | 'upn' | 'guest_upn' | 'name';

export interface UserBinding {
  subject: string;
  binding: string;
  role: string;
  severity: Severity;
  classification: UserSubjectClass;
  displayName?: string;
  note?: string;
}

/** Who a `User` subject is, as far as the directory tells. */
function classify(name: string, ctx: RuleContext): Pick<UserBinding, 'classification' | 'displayName' | 'note'> {
  if (GUID.test(name)) {
    if (!ctx.access) return { classification: 'unresolved', note: 'the directory was not read' };
    const lookup = ctx.access.principal(name);
    if (lookup.state === 'unreadable') return { classification: 'unresolved', note: lookup.reason };
    if (lookup.state === 'absent') return { classification: 'not_in_directory' };
    const o = lookup.object;
    const displayName = o.userPrincipalName ? `${o.displayName ?? ''} (${o.userPrincipalName})`.trim() : o.displayName;
    if (o.kind !== 'user') return { classification: 'not_a_user', ...(displayName ? { displayName } : {}) };
    const guest = o.userType?.toLowerCase() === 'guest';
    return { classification: guest ? 'guest' : 'member', ...(displayName ? { displayName } : {}) };
  }
  if (name.includes('@')) return { classification: name.includes('#EXT#') ? 'guest_upn' : 'upn' };
  return { classification: 'name' };
}

const CLASS_WORDS: Record<UserSubjectClass, string> = {
  member: '',
  guest: ', a guest',
  guest_upn: ', a guest',
  not_in_directory: ', not in the directory (deleted, or a user of another tenant)',
  not_a_user: ', a directory object that is not a user',
  unresolved: ', not resolved',
  upn: '',
  name: '',
};

function roleSeverity(
  binding: K8sBinding,
  roles: Map<string, K8sClusterRole> | undefined,
): { severity: Severity; unsure?: boolean } {
  const ref = binding.roleRef;
  if (ref.kind === 'ClusterRole' && ADMIN_ROLES.has(ref.name)) return { severity: 'high' };
  if (ref.kind === 'ClusterRole') {
    if (!roles) return { severity: 'medium', unsure: true };
    if (roles.get(ref.name)?.grantsAll) return { severity: 'high' };
  }
  return { severity: 'medium' };
}

export const aksK8sBindingsUseGroups: DocumentedRule = {
  id: 'aks_k8s_bindings_use_groups',
  title: 'Kubernetes role bindings inside the cluster bind groups, not individual users',
  severity: 'critical',
  section: 'identity-and-access',
  rationale:
    'With Entra ID and Kubernetes RBAC, the bindings that grant access live inside the cluster, out of sight of ' +
    'Azure role assignments. A user bound directly keeps access after leaving the team and is invisible to access ' +
    'reviews of Entra ID groups; a binding to system:masters grants cluster-admin that no RBAC rule can take away.',
  references: [
    learn('operator-best-practices-identity'),
    learn('azure-ad-rbac'),
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/',
  ],
  evaluation:
    'Reads every ClusterRoleBinding and RoleBinding (all namespaces) and the ClusterRoles. A subject of kind `User` ' +
    'fails: high when bound to `cluster-admin`, `admin` or a ClusterRole granting `*` on `*`, otherwise medium; ' +
    'object IDs are resolved through Microsoft Graph and guests, IDs missing from the directory (deleted, or users ' +
    'of another tenant) and guest UPNs (`#EXT#`) are named as such. The group `system:masters` in any binding other ' +
    "than Kubernetes' own bootstrap policy fails critical. Service accounts and `system:` identities are ignored " +
    '(counted in the details). Unknown when in-cluster reads are off, the cluster cannot be reached (the reason is ' +
    'named), or a binding list could not be read and nothing failed.',
  evaluate(cluster, ctx): RuleOutcome {
    const read = inClusterOf(cluster, ctx);
    if (!read.ok) return read.outcome;
    const { clusterRoleBindings, roleBindings, clusterRoles } = read.state;
    const bindings = [
      ...(clusterRoleBindings.readable ? clusterRoleBindings.items : []),
      ...(roleBindings.readable ? roleBindings.items : []),
    ];
    const roles = clusterRoles.readable ? new Map(clusterRoles.items.map((r) => [r.name, r])) : undefined;
    const users: UserBinding[] = [];
    const masters: string[] = [];
    let serviceAccounts = 0;
    let systemSubjects = 0;
    let unsureSeverity = false;
    for (const b of bindings) {
      for (const s of b.subjects) {
        if (s.kind === 'Group' && s.name === 'system:masters') {
          if (!b.builtIn) masters.push(bindingLabel(b));
          else systemSubjects++;
          continue;
        }
        if (s.kind === 'ServiceAccount') {
          serviceAccounts++;
          continue;
        }
        if (isSystemName(s.name)) {
          systemSubjects++;
          continue;
        }
        if (s.kind !== 'User') continue;
        const { severity, unsure } = roleSeverity(b, roles);
        if (unsure) unsureSeverity = true;
        users.push({
          subject: s.name,
          binding: bindingLabel(b),
          role: `${b.roleRef.kind} ${b.roleRef.name}`,
          severity,
          ...classify(s.name, ctx),
        });
      }
    }
    const unreadable = unreadableLists({ clusterrolebindings: clusterRoleBindings, rolebindings: roleBindings });
    const details: Record<string, unknown> = {
      bindings: bindings.length,
      userSubjects: users.slice(0, DETAILS_MAX),
      ...(users.length > DETAILS_MAX ? { userSubjectsOmitted: users.length - DETAILS_MAX } : {}),
      systemMastersBindings: masters.slice(0, DETAILS_MAX),
      ignored: { serviceAccounts, systemIdentities: systemSubjects },
      ...(unreadable.length ? { unreadable } : {}),
      ...(unsureSeverity ? { clusterRoles: `not read: ${(clusterRoles as { reason: string }).reason}` } : {}),
    };
    if (users.length === 0 && masters.length === 0) {
      if (unreadable.length > 0) {
        return {
          status: 'unknown',
          message: `Bindings could not all be read (${unreadable.join('; ')}); none of those read binds a user`,
          details,
        };
      }
      return {
        status: 'pass',
        message: `None of the ${plural(bindings.length, 'binding')} binds an individual user or system:masters`,
        details,
      };
    }
    let worst: Severity = 'low';
    for (const u of users) if (severityRank(u.severity) > severityRank(worst)) worst = u.severity;
    if (masters.length > 0) worst = 'critical';
    const parts: string[] = [];
    if (masters.length > 0) parts.push(`system:masters is bound by ${masters.slice(0, 5).join(', ')}`);
    if (users.length > 0) {
      const shown = users
        .slice(0, 10)
        .map((u) => `${u.displayName ?? u.subject}${CLASS_WORDS[u.classification]} (${u.role} via ${u.binding})`);
      parts.push(
        `${plural(users.length, 'user subject')}: ${shown.join('; ')}${users.length > 10 ? `; and ${users.length - 10} more` : ''}`,
      );
    }
    const notes = [
      ...(unreadable.length ? [`not read: ${unreadable.join('; ')}`] : []),
      ...(unsureSeverity ? ['ClusterRoles could not be read, so whether a role grants * was not checked'] : []),
    ];
    return {
      status: 'fail',
      severity: worst,
      message: `${parts.join('; ')}${notes.length ? ` (${notes.join('; ')})` : ''}`,
      details,
    };
  },
  remediation(cluster, outcome): string {
    const list = Array.isArray(outcome.details?.userSubjects) ? (outcome.details.userSubjects as UserBinding[]) : [];
    const first = list[0]?.binding;
    if (outcome.status === 'fail' && typeof first === 'string') {
      const [kind, ref] = first.split(' ');
      const [ns, name] = kind === 'RoleBinding' ? ref.split('/') : [undefined, ref];
      const target = kind === 'RoleBinding' ? `rolebinding ${name} -n ${ns}` : `clusterrolebinding ${name}`;
      return kubectlInvoke(cluster, `kubectl get ${target} -o yaml`) + ' # then bind an Entra ID group instead';
    }
    return kubectlInvoke(cluster, 'kubectl get clusterrolebindings,rolebindings -A -o wide');
  },
};

export default aksK8sBindingsUseGroups;
