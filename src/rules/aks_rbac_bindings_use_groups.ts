// Bind groups, not individual users, to the roles that grant access to a cluster.
import type { ClusterRecord, RoleAssignmentRecord, RuleOutcome } from '../model';
import {
  accessOf,
  coveringAssignments,
  groupParts,
  summariseParts,
  listPrincipals,
  principalDetails,
  omitted,
  regrantToGroupsCommand,
  quoteClusterId,
} from '../identity/ruleSupport';
import { learn, OutcomeMemo, plural, type DocumentedRule } from './common';

const passes = new OutcomeMemo();

/** A user principal: ARM's principalType says so, or (when ARM left it out) the directory does. */
function heldByUser(assignment: RoleAssignmentRecord, kind: string | undefined): boolean {
  const type = assignment.principalType.toLowerCase();
  if (type) return type === 'user';
  return kind === 'user';
}

export const aksRbacBindingsUseGroups: DocumentedRule = {
  id: 'aks_rbac_bindings_use_groups',
  title: 'Cluster access roles are granted to groups, not individual users',
  severity: 'medium',
  section: 'identity-and-access',
  rationale:
    'Access granted to individual users is hard to review and outlives job changes; granting AKS roles to Entra ID ' +
    'groups keeps membership in one place where joiners and leavers are handled.',
  references: [
    learn('operator-best-practices-identity'),
    learn('manage-azure-rbac'),
    'https://learn.microsoft.com/azure/role-based-access-control/best-practices',
  ],
  evaluation:
    'Looks at every assignment of an AKS-access role (the AKS Cluster Admin, Cluster User, Contributor and RBAC roles, ' +
    'Owner, Contributor, User Access Administrator, Role Based Access Control Administrator) whose scope covers the ' +
    'cluster: the cluster itself, its resource group, its subscription or a management group above it. Fails when ' +
    'any is held by a user, naming the users (display name and UPN from Microsoft Graph), roles and scopes. Unknown ' +
    'when the role assignments could not be read.',
  evaluate(cluster, ctx): RuleOutcome {
    const a = accessOf(ctx, cluster);
    if (!a.ok) return a.outcome;
    const covering = coveringAssignments(a.access, cluster);
    if (!covering.ok) return covering.outcome;
    // Per covering list (shared by many clusters): the assignments held by users.
    const userLists = summariseParts(
      a.access,
      covering.parts,
      'user-bindings',
      (part) =>
        part.filter((x) => {
          const lookup = a.access.principal(x.principalId);
          return heldByUser(x, lookup.state === 'found' ? lookup.object.kind : undefined);
        }),
      covering.ownParts,
    );
    let userCount = 0;
    for (const list of userLists) userCount += list.length;
    if (userCount === 0) {
      // A pass says only how many assignments cover the cluster: one outcome per count.
      return passes.get(ctx, [covering.count], () => ({
        status: 'pass',
        message:
          covering.count === 0
            ? 'No AKS-access role assignment covers the cluster'
            : `None of the ${plural(covering.count, 'AKS-access role assignment')} covering the cluster is held by an individual user`,
        details: { assignments: covering.count },
      }));
    }
    const users = groupParts(a.access, userLists, covering.ownParts);
    return {
      status: 'fail',
      severity: 'medium',
      message: `${plural(users.length, 'user is', 'users are')} bound directly to AKS-access roles covering the cluster: ${listPrincipals(users)}`,
      details: {
        assignments: covering.count,
        userAssignments: userCount,
        users: principalDetails(users),
        ...omitted(users),
      },
    };
  },
  remediation(cluster: ClusterRecord, outcome: RuleOutcome): string {
    const command =
      outcome.status === 'fail'
        ? regrantToGroupsCommand(outcome.details?.users, outcome.details?.userAssignments)
        : undefined;
    // Grant each (role, scope) to a group once, then remove the user assignments.
    return (
      command ??
      `az role assignment list --scope ${quoteClusterId(cluster)} --include-inherited --query "[?principalType=='User']" -o table`
    );
  },
};

export default aksRbacBindingsUseGroups;
