// Guest (B2B) users should not hold admin-level access to a cluster.
import type { ClusterRecord, RoleAssignmentRecord, RuleOutcome } from '../model';
import {
  accessOf,
  coveringAssignments,
  groupParts,
  mergeMaps,
  summariseParts,
  isAdminRole,
  listPrincipals,
  principalDetails,
  omitted,
  deleteListedAssignments,
  quoteClusterId,
  strippedReason,
} from '../identity/ruleSupport';
import { isDirectoryPrincipalType } from '../identity/roleAssignments';
import { learn, OutcomeMemo, plural, type DocumentedRule } from './common';

const passes = new OutcomeMemo();

// The empty findings of a covering list, shared (never written to: a summary replaces them before adding).
const NONE: RoleAssignmentRecord[] = [];
const NO_IDS = new Map<string, string>();

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
    'is Guest. Unknown when the assignments or those principals could not be read, or when Graph returned a user ' +
    'without userType (an app without Directory.Read.All gets some objects with only their id and type).',
  evaluate(cluster, ctx): RuleOutcome {
    const a = accessOf(ctx, cluster);
    if (!a.ok) return a.outcome;
    const covering = coveringAssignments(a.access, cluster);
    if (!covering.ok) return covering.outcome;
    // Per covering list (shared by many clusters): admin-level assignments, those held by guests, and holders that
    // could not be looked up.
    type Summary = { admin: number; guests: RoleAssignmentRecord[]; unreadable: Map<string, string> };
    const summaries = summariseParts<Summary>(
      a.access,
      covering.parts,
      'guest-admins',
      (part) => {
        // Most lists have nothing to report: they share the empty ones, made only when something is found.
        const summary: Summary = { admin: 0, guests: NONE, unreadable: NO_IDS };
        const cannotRead = (id: string, reason: string) => {
          if (summary.unreadable === NO_IDS) summary.unreadable = new Map();
          summary.unreadable.set(id, reason);
        };
        for (const x of part) {
          if (!isAdminRole(x)) continue;
          summary.admin++;
          // A ForeignGroup, a Device or another type outside the directory is no user of it, so no guest.
          if (!isDirectoryPrincipalType(x.principalType)) continue;
          const l = a.access.principal(x.principalId);
          if (l.state === 'found') {
            if (l.object.kind !== 'user') continue;
            // A user returned without userType cannot be told apart from a member: never a pass.
            if (l.object.userType === undefined) cannotRead(x.principalId, strippedReason(x.principalId, 'userType'));
            else if (l.object.userType.toLowerCase() === 'guest') {
              if (summary.guests === NONE) summary.guests = [];
              summary.guests.push(x);
            }
          } else if (l.state === 'unreadable') cannotRead(x.principalId, l.reason);
        }
        return summary;
      },
      covering.ownParts,
    );
    let adminCount = 0;
    let guestCount = 0;
    let anyUnreadable = false;
    for (const s of summaries) {
      adminCount += s.admin;
      guestCount += s.guests.length;
      if (s.unreadable.size > 0) anyUnreadable = true;
    }
    const unreadable = anyUnreadable ? mergeMaps(summaries.map((s) => s.unreadable)) : new Map<string, string>();
    if (guestCount > 0) {
      const entries = groupParts(
        a.access,
        summaries.map((s) => s.guests),
        covering.ownParts,
      );
      return {
        status: 'fail',
        severity: 'high',
        message: `${plural(entries.length, 'guest user holds', 'guest users hold')} admin-level access: ${listPrincipals(entries)}`,
        details: {
          guestAssignments: guestCount,
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
    // A pass says only how many admin-level assignments cover the cluster: one outcome per count.
    return passes.get(ctx, [adminCount], () => ({
      status: 'pass',
      message:
        adminCount === 0
          ? 'No admin-level AKS-access role assignment covers the cluster'
          : `None of the ${plural(adminCount, 'admin-level role assignment')} covering the cluster is held by a guest user`,
      details: { adminAssignments: adminCount },
    }));
  },
  remediation(cluster: ClusterRecord, outcome: RuleOutcome): string {
    const command =
      outcome.status === 'fail'
        ? deleteListedAssignments(outcome.details?.guests, outcome.details?.guestAssignments)
        : undefined;
    return (
      command ??
      `az role assignment list --scope ${quoteClusterId(cluster)} --include-inherited --query "[?principalType=='User']" -o table`
    );
  },
};

export default aksRbacNoGuestAdmins;
