// Guest (B2B) users should not hold admin-level access to a cluster.
import type { ClusterRecord, RoleAssignmentRecord, RuleOutcome } from '../model';
import {
  accessOf,
  collect,
  coveringAssignments,
  grantsFromDetails,
  groupByPrincipal,
  isAdminRole,
  listPrincipals,
  principalDetails,
  omitted,
  deleteAssignmentsCommand,
  quote,
} from '../identity/ruleSupport';
import { learn, plural, type DocumentedRule } from './common';

export const aksRbacNoGuestAdmins: DocumentedRule = {
  id: 'aks_rbac_no_guest_admins',
  title: 'No guest user holds an admin-level role on the cluster',
  severity: 'high',
  section: 'identity-and-access',
  rationale:
    'Guest accounts are governed by another organisation: their sign-in, MFA and offboarding are outside your ' +
    'control. Admin-level AKS access (cluster-admin, role assignment rights, Owner or Contributor) for a guest is a ' +
    'standing path into the cluster that your joiner-leaver process does not see.',
  references: [
    learn('operator-best-practices-identity'),
    'https://learn.microsoft.com/entra/external-id/user-properties',
    'https://learn.microsoft.com/azure/role-based-access-control/best-practices',
  ],
  evaluation:
    'For every admin-level AKS-access role assignment covering the cluster (all AKS-access roles except Cluster User, ' +
    'RBAC Reader and RBAC Writer), looks up the principal in Microsoft Graph; fails when it is a user whose userType ' +
    'is Guest. Unknown when the assignments or those principals could not be read.',
  evaluate(cluster, ctx): RuleOutcome {
    const a = accessOf(ctx);
    if (!a.ok) return a.outcome;
    const covering = coveringAssignments(a.access, cluster);
    if (!covering.ok) return covering.outcome;
    type Seen = { assignment: RoleAssignmentRecord; admin: true; guest?: true; reason?: string };
    const seen = collect<Seen>(a.access, covering.parts, 'guest-admins', (x) => {
      if (!isAdminRole(x)) return undefined;
      const l = a.access.principal(x.principalId);
      if (l.state === 'found') {
        const guest = l.object.kind === 'user' && (l.object.userType ?? '').toLowerCase() === 'guest';
        return guest ? { assignment: x, admin: true, guest: true } : { assignment: x, admin: true };
      }
      return l.state === 'unreadable'
        ? { assignment: x, admin: true, reason: l.reason }
        : { assignment: x, admin: true };
    });
    const admin = seen.map((s) => s.assignment);
    const guests = seen.filter((s) => s.guest).map((s) => s.assignment);
    const unreadable = new Map<string, string>();
    for (const s of seen) if (s.reason !== undefined) unreadable.set(s.assignment.principalId, s.reason);
    if (guests.length > 0) {
      const entries = groupByPrincipal(a.access, guests);
      return {
        status: 'fail',
        severity: 'high',
        message: `${plural(entries.length, 'guest user holds', 'guest users hold')} admin-level access: ${listPrincipals(entries)}`,
        details: {
          guestAssignments: guests.length,
          guests: principalDetails(entries),
          ...omitted(entries),
          ...(unreadable.size ? { unreadable: unreadable.size } : {}),
        },
      };
    }
    if (unreadable.size > 0) {
      const reason = [...unreadable.values()][0];
      return {
        status: 'unknown',
        message: `${plural(unreadable.size, 'holder')} of admin-level roles could not be looked up: ${reason}`,
        details: { unreadable: [...unreadable.keys()], reason },
      };
    }
    return {
      status: 'pass',
      message:
        admin.length === 0
          ? 'No admin-level AKS-access role assignment covers the cluster'
          : `None of the ${plural(admin.length, 'admin-level role assignment')} covering the cluster is held by a guest user`,
      details: { adminAssignments: admin.length },
    };
  },
  remediation(cluster: ClusterRecord, outcome: RuleOutcome): string {
    const ids = outcome.status === 'fail' ? grantsFromDetails(outcome.details?.guests).map((g) => g.id) : [];
    if (ids.length === 0) {
      return `az role assignment list --scope ${quote(cluster.id)} --include-inherited --query "[?principalType=='User']" -o table`;
    }
    return deleteAssignmentsCommand(ids, outcome.details?.guestAssignments);
  },
};

export default aksRbacNoGuestAdmins;
